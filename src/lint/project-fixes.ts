/**
 * Fixes offered by the project step (TL107's `with L:`) are held to the guarantee per-file
 * fixes meet: with the fixes applied the file still parses, each fixed finding is gone, and
 * no rule reports more anywhere in the run. The file is analysed again and the project
 * step re-run over it; a batch that fails is tried one fix at a time, and a fix that fails
 * alone loses its fix (the finding stays).
 */
import type { FileAnalysis } from '../engine/file.js';
import { applyEdits } from '../engine/edits.js';
import { decodeSource } from '../engine/source.js';
import type { Finding } from '../engine/types.js';
import type { FileJob } from './file-job.js';

/** Fixes tried one by one when their batch fails; past this, the rest lose their fix. */
const MAX_ALONE = 16;

export interface ProjectFixCheck {
  jobs: readonly FileJob[];
  results: readonly FileAnalysis[];
  /** Analyse one job (same runner as the run: this thread or a worker). */
  run(job: FileJob): Promise<FileAnalysis>;
  /** The project step's findings over these results, whole files, every path; only the rules named, when named. */
  project(results: readonly FileAnalysis[], rules?: ReadonlySet<string>): Finding[];
}

export async function verifyProjectFixes(findings: readonly Finding[], check: ProjectFixCheck): Promise<void> {
  const byPath = new Map<string, Finding[]>();
  for (const f of findings) {
    if (!f.fix) continue;
    const list = byPath.get(f.path);
    if (list) list.push(f);
    else byPath.set(f.path, [f]);
  }
  for (const [path, fixed] of byPath) {
    const index = check.jobs.findIndex((j) => !j.context && j.file.path === path);
    const decoded = index >= 0 ? decodeSource(check.jobs[index].file.content) : null;
    if (!decoded?.ok) {
      for (const f of fixed) delete f.fix;
      continue;
    }
    const job = check.jobs[index];
    const whole: FileJob = { ...job, diff: undefined, verifyFixes: false };
    // Per-file findings before, without the diff filter (line numbers move with the edits).
    const base = job.diff ? await check.run(whole) : check.results[index];
    // Only rules with facts from this file can report differently when it changes.
    const rules = new Set(Object.keys(base.facts));
    const before = tally(base, check.project(replaced(check.results, index, base), rules));
    const holds = async (batch: Finding[]): Promise<boolean> => {
      const text = applyEdits(decoded.text, batch.flatMap((f) => f.fix!.edits));
      const after = await check.run({ ...whole, file: { path, content: text } });
      if (!after.analysed || after.syntaxError || after.notes.some((n) => n.kind === 'crash' || n.kind === 'budget')) return false;
      const affected = new Set([...rules, ...Object.keys(after.facts)]);
      const beforeAll = affected.size === rules.size ? before : tally(base, check.project(replaced(check.results, index, base), affected));
      return improves(beforeAll, tally(after, check.project(replaced(check.results, index, after), affected)), batch);
    };
    const batch = disjoint(fixed);
    for (const f of fixed) if (!batch.includes(f)) delete f.fix;
    if (await holds(batch)) continue;
    const good: Finding[] = [];
    for (const [i, f] of batch.entries()) {
      if (i < MAX_ALONE && (await holds([f]))) good.push(f);
      else delete f.fix;
    }
    // Each holds alone; together they must hold too, else only the first keeps its fix.
    if (good.length > 1 && !(await holds(good))) for (const f of good.slice(1)) delete f.fix;
  }
}

function replaced(results: readonly FileAnalysis[], index: number, analysis: FileAnalysis): FileAnalysis[] {
  return results.map((r, i) => (i === index ? analysis : r));
}

/** Findings per `path\0rule`: the file's own and the project step's. */
function tally(file: FileAnalysis, project: readonly Finding[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of [...file.findings, ...project]) {
    const key = `${f.path}\0${f.ruleId}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Each fixed finding gone, nothing more anywhere. */
function improves(before: Map<string, number>, after: Map<string, number>, batch: readonly Finding[]): boolean {
  const fixedPer = new Map<string, number>();
  for (const f of batch) fixedPer.set(`${f.path}\0${f.ruleId}`, (fixedPer.get(`${f.path}\0${f.ruleId}`) ?? 0) + 1);
  for (const [key, n] of after) if (n > (before.get(key) ?? 0) - (fixedPer.get(key) ?? 0)) return false;
  return true;
}

/** Fixes whose edits do not overlap, in order (a later one that overlaps an earlier loses out). */
function disjoint(fixed: readonly Finding[]): Finding[] {
  const pos = (line: number, column: number) => line * 1e7 + column;
  const spans = (f: Finding) => f.fix!.edits.map((e) => [pos(e.startLine, e.startColumn), pos(e.endLine, e.endColumn)] as const);
  const kept: Finding[] = [];
  const taken: (readonly [number, number])[] = [];
  for (const f of [...fixed].sort((a, b) => a.line - b.line || a.column - b.column)) {
    const mine = spans(f);
    // Spans that cross, or two edits at one point (which goes first is not defined).
    if (mine.some(([s, e]) => taken.some(([ts, te]) => (s < te && ts < e) || s === ts))) continue;
    kept.push(f);
    taken.push(...mine);
  }
  return kept;
}
