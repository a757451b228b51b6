/**
 * Suppression comments, read from real comments only (a `#` inside a string is not a
 * comment):
 * - inline `# threadlint: ignore[TL101, TL2]` or bare `# threadlint: ignore` (all rules),
 *   and flake8's `# noqa: TL101` — a bare `# noqa` belongs to other linters and does not
 *   silence threadlint;
 * - file level `# threadlint: ignore-file` or `ignore-file[TL201, …]` in the first
 *   comment block of the file (before the first statement).
 * Each suppression remembers whether it silenced anything, for `--report-unused-ignores`.
 */
import type { SuppressionEntry } from './types.js';

export type Suppression = 'all' | string[];

const THREADLINT = /#\s*threadlint:\s*ignore\b(?!-)(?:\[([^\]]*)\])?/i;
const THREADLINT_FILE = /#\s*threadlint:\s*ignore-file\b(?:\[([^\]]*)\])?/i;
const NOQA = /#\s*noqa\b:\s*([A-Z]+\d+(?:[\s,]+[A-Z]+\d+)*)/i;
const THREADLINT_ID = /^TL\d{0,3}$/;

/** Parse one comment's inline suppression; null when it suppresses nothing of ours. */
export function parseSuppression(comment: string): Suppression | null {
  const t = THREADLINT.exec(comment);
  if (t) return t[1] === undefined ? 'all' : splitIds(t[1]);
  const n = NOQA.exec(comment);
  if (n) {
    const ours = splitIds(n[1]).filter((id) => id.startsWith('TL'));
    return ours.length ? ours : null;
  }
  return null;
}

/** Parse a file-level suppression; null when the comment is not one. */
export function parseFileSuppression(comment: string): Suppression | null {
  const t = THREADLINT_FILE.exec(comment);
  if (!t) return null;
  return t[1] === undefined ? 'all' : splitIds(t[1]);
}

function splitIds(list: string): string[] {
  return list.split(/[\s,]+/).filter(Boolean).map((s) => s.toUpperCase());
}

export function suppresses(s: Suppression, ruleId: string): boolean {
  return s === 'all' || s.some((id) => ruleId.startsWith(id));
}


export interface Comment {
  line: number;
  column: number;
  text: string;
}

export class SuppressionMap {
  private readonly byLine = new Map<number, SuppressionEntry[]>();
  private readonly fileLevel: SuppressionEntry[] = [];

  constructor(
    readonly entries: SuppressionEntry[] = [],
  ) {
    for (const e of entries) {
      if (e.fileLevel) this.fileLevel.push(e);
      else {
        const list = this.byLine.get(e.line);
        if (list) list.push(e);
        else this.byLine.set(e.line, [e]);
      }
    }
  }

  /**
   * `comments` in source order; `firstStatementLine` ends the leading comment block
   * where file-level suppressions count (Infinity for a file of comments only).
   */
  static fromComments(comments: Iterable<Comment>, firstStatementLine: number): SuppressionMap {
    const entries: SuppressionEntry[] = [];
    for (const c of comments) {
      const endColumn = c.column + c.text.length;
      const file = c.line < firstStatementLine ? parseFileSuppression(c.text) : null;
      if (file) {
        entries.push({ line: c.line, column: c.column, endColumn, ids: file, fileLevel: true, used: [] });
        continue;
      }
      const s = parseSuppression(c.text);
      if (s) entries.push({ line: c.line, column: c.column, endColumn, ids: s, fileLevel: false, used: [] });
    }
    return new SuppressionMap(entries);
  }

  /** Suppressed when the file, or any line from `from` to `to`, carries a matching comment. */
  isSuppressed(ruleId: string, from: number, to: number): boolean {
    for (const e of this.fileLevel) {
      if (suppresses(e.ids, ruleId)) return markUsed(e, ruleId);
    }
    for (let line = from; line <= to; line++) {
      for (const e of this.byLine.get(line) ?? []) {
        if (suppresses(e.ids, ruleId)) return markUsed(e, ruleId);
      }
    }
    return false;
  }
}

function markUsed(e: SuppressionEntry, ruleId: string): true {
  if (!e.used.includes(ruleId)) e.used.push(ruleId);
  return true;
}

/** IDs named in a suppression that are neither a known rule ID nor a prefix of one. */
export function unknownIds(entry: SuppressionEntry, knownRuleIds: readonly string[]): string[] {
  if (entry.ids === 'all') return [];
  return entry.ids.filter((id) => !THREADLINT_ID.test(id) || !knownRuleIds.some((known) => known.startsWith(id)) || id === 'TL');
}
