/**
 * Inline suppressions: `# threadlint: ignore[TL101, TL2]`, bare `# threadlint: ignore`,
 * and flake8's `# noqa: TL101` / bare `# noqa`. Read from comments only (a `#` inside a
 * string is not a comment), mapped by line.
 */
export type Suppression = 'all' | string[];

const THREADLINT = /#\s*threadlint:\s*ignore\b(?:\[([^\]]*)\])?/i;
const NOQA = /#\s*noqa\b(?::\s*([A-Z]+\d+(?:[\s,]+[A-Z]+\d+)*))?/i;

/** Parse one comment's text; null when it suppresses nothing. */
export function parseSuppression(comment: string): Suppression | null {
  const t = THREADLINT.exec(comment);
  if (t) return t[1] === undefined ? 'all' : splitIds(t[1]);
  const n = NOQA.exec(comment);
  if (n) return n[1] === undefined ? 'all' : splitIds(n[1]);
  return null;
}

function splitIds(list: string): string[] {
  return list.split(/[\s,]+/).filter(Boolean).map((s) => s.toUpperCase());
}

export function suppresses(s: Suppression, ruleId: string): boolean {
  return s === 'all' || s.some((id) => ruleId.startsWith(id));
}

export class SuppressionMap {
  private readonly byLine = new Map<number, Suppression>();

  /** `comments`: [1-based line, comment text] pairs. */
  constructor(comments: Iterable<[number, string]>) {
    for (const [line, text] of comments) {
      const s = parseSuppression(text);
      if (!s) continue;
      const prev = this.byLine.get(line);
      this.byLine.set(line, prev === 'all' || s === 'all' ? 'all' : [...(prev ?? []), ...s]);
    }
  }

  /** Suppressed when any line from `from` to `to` carries a matching comment. */
  isSuppressed(ruleId: string, from: number, to: number): boolean {
    for (let line = from; line <= to; line++) {
      const s = this.byLine.get(line);
      if (s && suppresses(s, ruleId)) return true;
    }
    return false;
  }
}
