import type { Node } from 'web-tree-sitter';
import type { Acquisition } from '../../engine/model/locks.js';
import type { SemanticModel } from '../../engine/model/model.js';

/** How an acquisition reads in a message: "`with self._lock:` (line 12)". */
export function describeAcquisition(a: Acquisition): string {
  const text = a.how === 'with' ? `with ${a.expr.text}:` : `${a.expr.text}.acquire()`;
  return `\`${text}\` (line ${a.at.startPosition.row + 1})`;
}

/** Same-file call sites of the function around `node` that hold a lock when they call. */
export function calledUnderLock(model: SemanticModel, node: Node, match: (held: Acquisition[]) => boolean): boolean {
  const fn = model.enclosingFunction(node);
  if (!fn) return false;
  return model.threads.callSites(fn).some((site) => match(model.locks.heldAt(site)));
}

/** Functions whose names say the caller holds the lock (`_update_locked`, `_locked_inc`). */
export function namedAsLocked(model: SemanticModel, node: Node): boolean {
  const fn = model.enclosingFunction(node);
  const name = fn?.type === 'function_definition' ? fn.childForFieldName('name')?.text : undefined;
  return !!name && /(^|_)(locked|lock_held|unlocked|nolock)(_|$)/i.test(name);
}
