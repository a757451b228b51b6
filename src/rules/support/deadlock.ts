import type { Node } from '../../engine/tree/index.js';
import type { Acquisition } from '../../engine/model/locks.js';
import type { SemanticModel } from '../../engine/model/model.js';
import { calledUnderLock } from './locking.js';

/**
 * What the waiting rules (TL207, TL310, TL312) ask about locks along the same-file call
 * graph: whether code reachable from some functions takes a lock, whether a call site
 * can only run with a lock taken, and which functions take a lock at all.
 */

export interface ReachedAcquisition {
  acquisition: Acquisition;
  /** The function that takes the lock (one of `fns` or a function they call). */
  fn: Node;
}

/** The first blocking acquisition of the lock `key` in code reachable from `fns` (same file). */
export function acquiresLock(model: SemanticModel, fns: readonly Node[], key: string): ReachedAcquisition | null {
  for (const start of fns) {
    for (const fn of model.threads.reachableFrom(start)) {
      const acquisition = model.locks.acquisitionsIn(fn).find((a) => a.key === key && a.blocking);
      if (acquisition) return { acquisition, fn };
    }
  }
  return null;
}

/**
 * Whether the code at `site` only runs once it has taken the lock `key`: it is held
 * there, its function takes it (blocking) earlier, or a same-file caller holds it.
 */
export function siteNeedsLock(model: SemanticModel, site: Node, key: string): boolean {
  const locks = model.locks;
  if (locks.heldAt(site).some((a) => a.key === key)) return true;
  const fn = model.enclosingFunction(site);
  if (fn && locks.acquisitionsIn(fn).some((a) => a.key === key && a.blocking && a.at.startIndex < site.startIndex)) return true;
  return calledUnderLock(model, site, (held) => held.some((a) => a.key === key));
}

const acquirers = new WeakMap<SemanticModel, Map<string, Node[]>>();

/** The functions (defs and lambdas) of the file that acquire the lock `key`. */
export function functionsAcquiring(model: SemanticModel, key: string): readonly Node[] {
  let index = acquirers.get(model);
  if (!index) {
    index = new Map();
    for (const type of ['function_definition', 'lambda']) {
      for (const fn of model.nodes(type)) {
        const keys = new Set(model.locks.acquisitionsIn(fn).map((a) => a.key));
        for (const k of keys) {
          const list = index.get(k);
          if (list) list.push(fn);
          else index.set(k, [fn]);
        }
      }
    }
    acquirers.set(model, index);
  }
  return index.get(key) ?? [];
}
