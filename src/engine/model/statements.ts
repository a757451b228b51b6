import type { Node } from '../tree/index.js';
import { unwrap } from './model.js';

/** Statement-level navigation shared by the lock model and the rules. */

/** The call an expression statement consists of (`L.acquire()`, `(x.m())`), if it is one. */
export function statementCall(stmt: Node | null): Node | null {
  if (stmt?.type !== 'expression_statement' || stmt.namedChildCount !== 1) return null;
  const e = stmt.namedChildren[0] && unwrap(stmt.namedChildren[0]);
  return e?.type === 'call' ? e : null;
}

/** The statement after `stmt` in its block, skipping comments. */
export function nextStatement(stmt: Node): Node | null {
  let n = stmt.nextNamedSibling;
  while (n?.type === 'comment') n = n.nextNamedSibling;
  return n;
}

/** The statement before `stmt` in its block, skipping comments. */
export function previousStatement(stmt: Node): Node | null {
  let n = stmt.previousNamedSibling;
  while (n?.type === 'comment') n = n.previousNamedSibling;
  return n;
}
