import { createHash } from 'node:crypto';
import { lineStarts } from './edits.js';
import type { Node } from './tree/index.js';
import type { Finding, Range } from './types.js';

/** 1-based range of a node (tree-sitter columns are UTF-16 units in the wasm binding). */
export function rangeOf(node: Node, endNode: Node = node): Range {
  return {
    line: node.startPosition.row + 1,
    column: node.startPosition.column + 1,
    endLine: endNode.endPosition.row + 1,
    endColumn: endNode.endPosition.column + 1,
  };
}

const BODY_TYPES = new Set(['block']);

/**
 * The lines a statement occupies for suppressions and fingerprints. For a compound
 * statement (`while`, `with`, `if` …) only its header counts, not its body, so a comment
 * deep inside a loop does not silence a finding on the loop.
 */
export function statementSpan(stmt: Node): { start: number; end: number } {
  const start = stmt.startPosition.row + 1;
  let end = stmt.endPosition.row + 1;
  for (const child of stmt.namedChildren) {
    if (child && BODY_TYPES.has(child.type)) {
      end = Math.max(start, child.startPosition.row + 1 - (child.startPosition.row > stmt.startPosition.row ? 1 : 0));
      break;
    }
  }
  return { start, end };
}

/** Characters of a statement kept verbatim in its code; the rest is hashed. */
const CODE_PREFIX = 512;

/**
 * The normalized text of statement lines, for fingerprints that survive moves: the
 * lines whitespace-folded, bounded (the first 512 characters, then a hash of the rest),
 * and computed once per span however many findings share it (thousands of statements
 * on one long line cost one copy, not one each).
 */
export class StatementTexts {
  private starts: number[] | undefined;
  private readonly memo = new Map<string, string>();

  constructor(private readonly source: string) {}

  code(start: number, end: number): string {
    const key = `${start}:${end}`;
    let code = this.memo.get(key);
    if (code === undefined) {
      code = boundedCode(this.linesText(start, end));
      this.memo.set(key, code);
    }
    return code;
  }

  private linesText(start: number, end: number): string {
    const starts = (this.starts ??= lineStarts(this.source));
    const from = starts[Math.max(0, start - 1)] ?? this.source.length;
    const to = end < starts.length ? starts[end] - 1 : this.source.length;
    return this.source.slice(from, Math.max(from, to));
  }
}

function boundedCode(text: string): string {
  const folded = text.length > 4 * CODE_PREFIX ? null : text.replace(/\s+/g, ' ').trim();
  if (folded !== null && folded.length <= CODE_PREFIX) return folded;
  const head = text.slice(0, 2 * CODE_PREFIX).replace(/\s+/g, ' ').trim().slice(0, CODE_PREFIX);
  const rest = createHash('sha256').update(text.replace(/\s+/g, ' ').trim()).digest('hex').slice(0, 16);
  return `${head}…${rest}`;
}

/**
 * Give each finding its fingerprint: a hash of rule, path and the flagged statement's
 * text, with an occurrence number when the same text is flagged more than once.
 */
export function assignFingerprints(findings: Omit<Finding, 'fingerprint'>[], codeOf: (f: Omit<Finding, 'fingerprint'>) => string): Finding[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const base = createHash('sha256').update(`${f.ruleId}\0${f.path}\0${codeOf(f)}`).digest('hex').slice(0, 16);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return { ...f, fingerprint: n === 0 ? base : `${base}:${n}` };
  });
}
