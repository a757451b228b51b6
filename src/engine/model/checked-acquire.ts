import type { Node } from '../tree/index.js';
import type { Acquisition } from './locks.js';
import { unwrap, type SemanticModel } from './model.js';
import { previousStatement } from './statements.js';

/**
 * Locks held because a node sits in the branch of a checked acquire: `if L.acquire(False):`,
 * `if L.acquire(timeout=…) and …:`, or `ok = L.acquire(…)` followed by `if ok:`. The
 * branch runs only when the lock was taken (RULES.md, TL205: a checked acquire holds the
 * lock). Outermost first, within the node's own function.
 */
export function checkedAcquisitionsAt(model: SemanticModel, node: Node): Acquisition[] {
  const out: Acquisition[] = [];
  const fn = model.enclosingFunction(node);
  let child = node;
  for (let parent = node.parent; parent && parent.id !== fn?.id; child = parent, parent = parent.parent) {
    if (parent.type === 'function_definition' || parent.type === 'lambda' || parent.type === 'class_definition') break;
    if (parent.type !== 'if_statement' || parent.childForFieldName('consequence')?.id !== child.id) continue;
    const condition = parent.childForFieldName('condition');
    for (const call of condition ? takenBy(model, parent, unwrap(condition)) : []) {
      const lc = model.locks.lockCall(call);
      if (lc?.method === 'acquire') out.unshift({ ...lc.lock, at: call, how: 'acquire', blocking: false });
    }
  }
  return out;
}

/** The acquire calls whose success the condition requires: itself, an `and` operand, or a flag assigned just before. */
function takenBy(model: SemanticModel, ifStmt: Node, condition: Node): Node[] {
  if (condition.type === 'call') return [condition];
  if (condition.type === 'boolean_operator' && condition.childForFieldName('operator')?.type === 'and') {
    const left = condition.childForFieldName('left');
    const right = condition.childForFieldName('right');
    return [...(left ? takenBy(model, ifStmt, unwrap(left)) : []), ...(right ? takenBy(model, ifStmt, unwrap(right)) : [])];
  }
  if (condition.type === 'identifier') {
    const before = previousStatement(ifStmt);
    const assign = before?.type === 'expression_statement' ? before.namedChildren[0] : null;
    const left = assign?.type === 'assignment' ? assign.childForFieldName('left') : null;
    const right = assign?.childForFieldName('right');
    if (left?.type === 'identifier' && left.text === condition.text && right && unwrap(right).type === 'call') return [unwrap(right)];
  }
  return [];
}
