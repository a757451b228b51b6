import type { Node } from '../engine/tree/index.js';
import type { Acquisition } from '../engine/model/locks.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import type { ClassInfo } from '../engine/model/scopes.js';
import { createRule } from '../engine/rule.js';
import { functionName } from './support/locking.js';
import { functionsAcquiring } from './support/deadlock.js';

/**
 * `__del__` or a `weakref.finalize` callback that takes a plain Lock which ordinary code
 * takes too: the collector runs finalizers on whatever thread happens to allocate,
 * possibly one that holds that lock, and that thread then waits for itself. An `atexit`
 * callback runs on the main thread at exit, while daemon threads still run: it is
 * reported when code running on another thread takes the lock.
 */
export default createRule(
  {
    id: 'TL312',
    name: 'lock-in-finalizer',
    severity: 'warning',
    summary: 'A finalizer (`__del__`, `weakref.finalize` or `atexit` callback) acquires a non-reentrant Lock that ordinary code also acquires.',
    why: 'The collector runs finalizers on whichever thread allocates, maybe one that already holds the lock: that thread then deadlocks on itself.',
    fix: 'never',
    inTests: false,
  },
  (ctx) => {
    const { model } = ctx;
    if (!model.locks.hasAcquisitions()) return;
    const reported = new Set<number>();
    const all = finalizers(model);
    const entries = new Set(all.map((f) => f.fn.id));
    for (const finalizer of all) {
      const reach = model.threads.reachableFrom(finalizer.fn);
      const inFinalizer = new Set(reach.map((f) => f.id));
      for (const fn of reach) {
        for (const a of model.locks.acquisitionsIn(fn)) {
          if (a.kind !== 'Lock' || !a.blocking || a.param || reported.has(a.at.id) || !sharedAcrossInstances(model, a)) continue;
          const ordinary = functionsAcquiring(model, a.key).find(
            (g) => !entries.has(g.id) && isOrdinary(model, g, inFinalizer) && (!finalizer.atExit || model.threads.entriesReaching(g).length > 0),
          );
          if (!ordinary) continue;
          reported.add(a.at.id);
          const there = model.locks.acquisitionsIn(ordinary).find((o) => o.key === a.key)!;
          const via = fn.id === finalizer.fn.id ? '' : ` (through \`${functionName(fn)}\`)`;
          const lock = a.expr.text;
          const also =
            ordinary.id === fn.id
              ? `\`${functionName(fn)}\` also runs as ordinary code`
              : `\`${functionName(ordinary)}\`${finalizer.atExit ? ', which runs on another thread,' : ''} also takes it (line ${there.at.startPosition.row + 1})`;
          const hazard = finalizer.atExit
            ? `at exit the callback runs while daemon threads still do: if one of them holds \`${lock}\` then, exit waits for it, and forever if that thread is stuck`
            : `the collector runs the finalizer on whichever thread triggers a collection, possibly one that holds \`${lock}\` right then, and that thread then waits for itself forever`;
          ctx.report({
            node: a.at,
            message: `${finalizer.what}${via} takes \`${lock}\`, a threading.Lock, and ${also}: ${hazard}. Use an RLock, or have the finalizer hand the work to a queue instead of locking.`,
          });
        }
      }
    }
  },
);

interface Finalizer {
  fn: Node;
  what: string;
  /** An `atexit` callback (runs on the main thread at exit), not a collector's finalizer. */
  atExit: boolean;
}

/** `__del__` methods, `weakref.finalize(obj, fn, …)` callbacks and `atexit.register(fn)` / `@atexit.register` functions. */
function finalizers(model: SemanticModel): Finalizer[] {
  const out: Finalizer[] = [];
  for (const cls of model.classes()) {
    const del = cls.methods.get('__del__');
    if (del) out.push({ fn: del, what: `\`${cls.name}.__del__\``, atExit: false });
  }
  for (const call of model.calls) {
    const qname = model.calleeName(call);
    if (qname !== 'weakref.finalize' && qname !== 'atexit.register') continue;
    const { positional } = model.args(call);
    const arg = qname === 'weakref.finalize' ? positional[1] : positional[0];
    for (const fn of model.threads.callablesOf(arg)) {
      out.push(
        qname === 'weakref.finalize'
          ? { fn, what: `The \`weakref.finalize\` callback \`${functionName(fn)}\``, atExit: false }
          : { fn, what: `The \`atexit\` callback \`${functionName(fn)}\``, atExit: true },
      );
    }
  }
  // `@atexit.register` on a def.
  for (const fn of model.nodes('function_definition')) {
    const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : null;
    const registered = decorated?.namedChildren.some((d) => {
      const e = d?.type === 'decorator' ? d.namedChildren[0] : null;
      return !!e && model.qualifiedName(unwrap(e)) === 'atexit.register';
    });
    if (registered) out.push({ fn, what: `The \`atexit\` callback \`${functionName(fn)}\``, atExit: true });
  }
  return out;
}

/**
 * A lock every instance shares: a module global or a class-body attribute. A lock made
 * per instance in `__init__` cannot be held while its own object is collected (a method
 * holding it keeps `self` alive), so its finalizer cannot find it taken.
 */
function sharedAcrossInstances(model: SemanticModel, a: Acquisition): boolean {
  if (a.key.startsWith('g:')) return true;
  if (!a.key.startsWith('c:')) return false;
  const binding = model.classAttributeBinding(a.expr);
  const cls: ClassInfo | null = binding?.cls ?? null;
  return !!cls && !!binding && (cls.scope.bindings.get(binding.name)?.length ?? 0) > 0 && binding.sites.length === 0;
}

/**
 * Code that runs outside finalizers: called from a function the finalizers do not
 * reach, at module level, or not called in this file at all (a public entry point).
 */
function isOrdinary(model: SemanticModel, fn: Node, inFinalizer: ReadonlySet<number>): boolean {
  if (!inFinalizer.has(fn.id)) return true;
  const sites = model.threads.callSites(fn);
  if (sites.length === 0) return !functionName(fn).startsWith('_');
  return sites.some((s) => {
    const caller = model.enclosingFunction(s);
    return !caller || !inFinalizer.has(caller.id);
  });
}
