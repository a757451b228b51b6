import type { Node } from '../../engine/tree/index.js';
import type { Acquisition } from '../../engine/model/locks.js';
import type { SemanticModel } from '../../engine/model/model.js';

/** How an acquisition reads in a message: "`with self._lock:` (line 12)". */
export function describeAcquisition(a: Acquisition): string {
  const text = a.how === 'with' ? `with ${a.expr.text}:` : `${a.expr.text}.acquire()`;
  return `\`${text}\` (line ${a.at.startPosition.row + 1})`;
}

/**
 * Whether some same-file caller of the function around `node` holds a lock `match`
 * accepts when it calls, directly or through up to `depth` levels of callers: such a
 * function is a helper that expects its caller to hold the lock.
 */
export function calledUnderLock(model: SemanticModel, node: Node, match: (held: readonly Acquisition[], site: Node) => boolean, depth = 3): boolean {
  const seen = new Set<number>();
  let frontier: Node[] = [node];
  for (let level = 0; level < depth && frontier.length; level++) {
    const next: Node[] = [];
    for (const n of frontier) {
      const fn = model.enclosingFunction(n);
      if (!fn || seen.has(fn.id)) continue;
      seen.add(fn.id);
      for (const site of model.threads.callSites(fn)) {
        if (match(model.locks.heldAt(site), site)) return true;
        next.push(site);
      }
    }
    frontier = next;
  }
  return false;
}

/** Whether some caller (up to three levels up) may hold any lock, typed or not. */
export function calledWithSomeLock(model: SemanticModel, node: Node): boolean {
  return calledUnderLock(model, node, (held, site) => held.length > 0 || model.locks.mayBeLockedAt(site));
}

/** Functions whose names say the caller holds the lock (`_update_locked`, `_locked_inc`). */
export function namedAsLocked(model: SemanticModel, node: Node): boolean {
  const fn = model.enclosingFunction(node);
  const name = fn?.type === 'function_definition' ? fn.childForFieldName('name')?.text : undefined;
  return !!name && /(^|_)(locked|lock_held|unlocked|nolock)(_|$)/i.test(name);
}

/** A function's name for messages: `work`, or `<lambda>`. */
export function functionName(fn: Node): string {
  return fn.type === 'function_definition' ? (fn.childForFieldName('name')?.text ?? '<function>') : '<lambda>';
}

/** Code on one line, cut to `max` characters, for a message. */
export function oneLine(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}
