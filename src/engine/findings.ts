import { createHash } from 'node:crypto';
import type { Node } from 'web-tree-sitter';
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

/** Text of the lines `start..end`, whitespace folded, for a fingerprint that survives moves. */
export function normalizedLines(lines: readonly string[], start: number, end: number): string {
  return lines.slice(start - 1, end).join('\n').replace(/\s+/g, ' ').trim();
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
