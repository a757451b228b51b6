/**
 * `--add-noqa`: adopting threadlint on a legacy code base by writing
 * `# threadlint: ignore[ID]` on the line of every current finding, so the next run
 * reports only new code. The comment goes at the end of the finding's line, merged into a
 * threadlint ignore already there; never inside a string and never after a backslash
 * continuation (both would change the program): then at the end of the statement's last
 * line, and when that is no place for a comment either, the finding is skipped and named.
 * Running it again adds nothing. TL001 (a syntax error) and TL002 (a broken suppression)
 * are skipped: they are fixed, not silenced.
 */
import { parse } from '../engine/tree/index.js';
import type { Finding } from '../lint/index.js';

export const NOT_SILENCED = new Set(['TL001', 'TL002']);

const THREADLINT_IGNORE = /#\s*threadlint:\s*ignore\b(?!-)(\[[^\]]*\])?/i;
const NOQA_TL = /#\s*noqa\b:\s*([A-Z]+\d+(?:[\s,]+[A-Z]+\d+)*)/i;

export interface NoqaPlan {
  /** The new text, or the old one when nothing was added. */
  text: string;
  added: number;
  /** Findings that got no comment, with the reason. */
  skipped: { finding: Finding; reason: string }[];
}

interface LineFacts {
  /** The line ends inside a string, or continues with a backslash: no comment can go there. */
  blocked: boolean;
  /** Start offset (in the line) of the comment on this line, if any. */
  commentStart?: number;
}

/** Where comments can go, line by line (1-based), from the syntax tree. */
async function lineFacts(text: string): Promise<Map<number, LineFacts> | undefined> {
  const parsed = await parse(text);
  if (!parsed.ok) return undefined;
  const facts = new Map<number, LineFacts>();
  const get = (line: number) => facts.get(line) ?? facts.set(line, { blocked: false }).get(line)!;
  for (const node of parsed.tree.rootNode.descendantsOfType(['string', 'comment', 'line_continuation'])) {
    const { row, column } = node.startPosition;
    if (node.type === 'comment') {
      get(row + 1).commentStart = column;
    } else if (node.type === 'line_continuation') {
      get(row + 1).blocked = true;
    } else {
      // Every line a string spans, except its last, ends inside the string.
      for (let line = row + 1; line <= node.endPosition.row; line++) get(line).blocked = true;
    }
  }
  return facts;
}

function mergeIds(existing: Iterable<string>, added: Iterable<string>): string {
  return [...new Set([...existing, ...added])].sort().join(', ');
}

/** The line with the ignore comment for `ids` added (or merged in); unchanged when a bare ignore already covers them. */
export function withIgnore(line: string, commentStart: number | undefined, ids: readonly string[]): string {
  const body = line.endsWith('\r') ? line.slice(0, -1) : line;
  const cr = line.endsWith('\r') ? '\r' : '';
  if (commentStart === undefined) return `${body.trimEnd()}  # threadlint: ignore[${mergeIds([], ids)}]${cr}`;
  const comment = body.slice(commentStart);
  const existing = THREADLINT_IGNORE.exec(comment);
  if (existing) {
    if (existing[1] === undefined) return line;
    const listed = existing[1].slice(1, -1).split(/[\s,]+/).filter(Boolean).map((id) => id.toUpperCase());
    const merged = `# threadlint: ignore[${mergeIds(listed, ids)}]`;
    return `${body.slice(0, commentStart)}${comment.slice(0, existing.index)}${merged}${comment.slice(existing.index + existing[0].length)}${cr}`;
  }
  // A `# noqa: TL101` stops counting once a threadlint ignore shares its comment: carry its IDs over.
  const noqa = NOQA_TL.exec(comment);
  const carried = noqa ? noqa[1].split(/[\s,]+/).map((id) => id.toUpperCase()).filter((id) => id.startsWith('TL')) : [];
  return `${body.trimEnd()}  # threadlint: ignore[${mergeIds(carried, ids)}]${cr}`;
}

/** Plan the comments for one file's findings (all of the same file). */
export async function addIgnoreComments(text: string, findings: readonly Finding[]): Promise<NoqaPlan> {
  const skipped: NoqaPlan['skipped'] = [];
  const wanted = findings.filter((f) => {
    if (!NOT_SILENCED.has(f.ruleId)) return true;
    skipped.push({ finding: f, reason: f.ruleId === 'TL001' ? 'a syntax error is fixed, not silenced' : 'fix the suppression comment instead' });
    return false;
  });
  if (wanted.length === 0) return { text, added: 0, skipped };
  const facts = await lineFacts(text);
  if (!facts) return { text, added: 0, skipped: [...skipped, ...wanted.map((finding) => ({ finding, reason: 'the file could not be parsed' }))] };
  const byLine = new Map<number, string[]>();
  for (const f of wanted) {
    const line = [f.line, f.statementEndLine].find((l) => !facts.get(l)?.blocked);
    if (line === undefined) {
      skipped.push({ finding: f, reason: 'its statement ends inside a string; add the comment by hand' });
      continue;
    }
    byLine.set(line, [...(byLine.get(line) ?? []), f.ruleId]);
  }
  const lines = text.split('\n');
  let added = 0;
  for (const [line, ids] of byLine) {
    const next = withIgnore(lines[line - 1], facts.get(line)?.commentStart, ids);
    if (next !== lines[line - 1]) {
      lines[line - 1] = next;
      added += new Set(ids).size;
    }
  }
  return { text: lines.join('\n'), added, skipped };
}
