import { applyEdits, type AnalysisResult, type FileNote, type Finding, type TextEdit } from '../lint/index.js';
import { isFixable } from './reporters/context.js';
import { decodeForFix, type DecodedSource } from './source-text.js';

/** Fixes can enable or collide with other fixes; re-run until none is left, within reason. */
export const MAX_FIX_ROUNDS = 10;

export type Contents = Map<string, Uint8Array | string>;

export interface FixOutcome {
  /** Analysis of the contents before any fix. */
  before: AnalysisResult;
  /** Analysis after the last round (equal to `before` when nothing was fixable). */
  after: AnalysisResult;
  applied: number;
  /** Text of each changed file before the first and after the last fix. */
  changed: Map<string, { before: string; after: string }>;
  /** Files whose fixes were skipped because their encoding is not UTF-8. */
  notes: FileNote[];
}

/** The outcome of a run that fixes nothing. */
export function noFixes(result: AnalysisResult): FixOutcome {
  return { before: result, after: result, applied: 0, changed: new Map(), notes: [] };
}

type Position = [line: number, column: number];

function compare(a: Position, b: Position): number {
  return a[0] - b[0] || a[1] - b[1];
}

function span(edits: readonly TextEdit[]): { start: Position; end: Position } {
  const starts = edits.map((e): Position => [e.startLine, e.startColumn]).sort(compare);
  const ends = edits.map((e): Position => [e.endLine, e.endColumn]).sort(compare);
  return { start: starts[0], end: ends[ends.length - 1] };
}

/**
 * The fixes of one file that can be applied together: in source order, each one kept
 * only if its span does not touch a span already kept (the rest wait for a later round).
 */
export function compatibleFixes(findings: readonly Finding[]): Finding[] {
  const sorted = findings
    .filter((f) => f.fix && f.fix.edits.length > 0)
    .map((f) => ({ f, ...span(f.fix!.edits) }))
    .sort((a, b) => compare(a.start, b.start) || compare(a.end, b.end));
  const kept: Finding[] = [];
  let lastEnd: Position | undefined;
  for (const { f, start, end } of sorted) {
    if (lastEnd && compare(start, lastEnd) <= 0) continue;
    kept.push(f);
    lastEnd = end;
  }
  return kept;
}

export interface FixOptions {
  analyze(contents: Contents): Promise<AnalysisResult>;
  /** Called after each round with the files that round changed (for `--fix`). */
  write?(files: Map<string, DecodedSource>): Promise<void>;
}

/**
 * Apply every safe fix, re-analyse, and repeat until no fix is left (at most
 * MAX_FIX_ROUNDS rounds). Works on the contents in memory; `write` persists them.
 */
export async function fixUntilStable(initial: Contents, options: FixOptions): Promise<FixOutcome> {
  const contents: Contents = new Map(initial);
  const decoded = new Map<string, DecodedSource>();
  const originals = new Map<string, string>();
  const skipped = new Set<string>();
  const notes: FileNote[] = [];
  const before = await options.analyze(contents);
  let after = before;
  let applied = 0;

  const sourceOf = (path: string): DecodedSource | undefined => {
    if (decoded.has(path)) return decoded.get(path);
    const content = contents.get(path);
    const source = typeof content === 'string' ? { text: content, bom: false } : content && decodeForFix(content);
    if (source) {
      decoded.set(path, source);
      originals.set(path, source.text);
    } else if (!skipped.has(path)) {
      skipped.add(path);
      notes.push({ path, kind: 'unreadable', message: 'fixes not applied: the file is not UTF-8' });
    }
    return source;
  };

  for (let round = 0; round < MAX_FIX_ROUNDS; round++) {
    const byPath = new Map<string, Finding[]>();
    for (const f of after.findings.filter(isFixable)) byPath.set(f.path, [...(byPath.get(f.path) ?? []), f]);
    const written = new Map<string, DecodedSource>();
    let roundApplied = 0;
    for (const [path, findings] of byPath) {
      const source = sourceOf(path);
      if (!source) continue;
      const chosen = compatibleFixes(findings);
      const text = applyEdits(source.text, chosen.flatMap((f) => f.fix!.edits));
      if (text === source.text) continue;
      const next = { text, bom: source.bom };
      decoded.set(path, next);
      contents.set(path, text);
      written.set(path, next);
      roundApplied += chosen.length;
    }
    if (roundApplied === 0) break;
    applied += roundApplied;
    await options.write?.(written);
    after = await options.analyze(contents);
  }

  const changed = new Map<string, { before: string; after: string }>();
  for (const [path, original] of originals) {
    const final = decoded.get(path)!.text;
    if (final !== original) changed.set(path, { before: original, after: final });
  }
  return { before, after, applied, changed, notes };
}
