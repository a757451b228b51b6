import type { Node } from '../engine/tree/index.js';
import type { Acquisition, LockRef } from '../engine/model/locks.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import type { ClassInfo } from '../engine/model/scopes.js';
import { isParallel } from '../engine/model/threads.js';
import { createRule, replaceNode, type ProposedFix } from '../engine/rule.js';
import { acquiresLock, functionsAcquiring } from './support/deadlock.js';
import { describeAcquisition, functionName } from './support/locking.js';

/** A non-reentrant Lock taken again by the thread that holds it blocks forever. */
export default createRule(
  {
    id: 'TL105',
    name: 'lock-reacquire-deadlock',
    severity: 'error',
    summary: 'A threading.Lock acquired again by the thread that already holds it: the thread deadlocks on itself.',
    why: 'A Lock is not reentrant: a second acquire by its holder waits for a release that can never come.',
    fix: 'sometimes',
    inTests: true,
  },
  (ctx) => {
    const { model } = ctx;
    const locks = model.locks;
    if (!locks.hasAcquisitions()) return;
    const reported = new Set<number>();
    const report = (node: Node, endNode: Node | undefined, lock: LockRef, outer: Acquisition, how: string, holder = 'this thread already holds it') => {
      if (reported.has(node.id)) return;
      reported.add(node.id);
      ctx.report({
        node,
        endNode,
        message: `${how} while ${holder} from ${describeAcquisition(outer)}: \`${lock.expr.text}\` is a threading.Lock, which is not reentrant, so the thread waits for itself forever. Use an RLock, or move the work into a helper that expects the lock held.`,
        fix: rlockFix(model, lock.expr),
      });
    };
    // A lock another thread releases (a signal) is re-acquired on purpose: that is how the waiter waits.
    const mutex = (outer: Acquisition) => outer.how === 'with' || !locks.isHandOff(outer);

    // Nested acquisition in the same function.
    for (const fn of model.nodes('function_definition')) {
      for (const inner of locks.acquisitionsIn(fn)) {
        if (inner.kind !== 'Lock' || !inner.blocking || inner.param) continue;
        const outer = locks.heldAt(inner.at).find((h) => h.key === inner.key && h.at.id !== inner.at.id && mutex(h));
        if (!outer) continue;
        const { node, endNode } = innerSpan(inner);
        report(node, endNode, inner, outer, `\`${inner.how === 'with' ? `with ${inner.expr.text}` : `${inner.expr.text}.acquire()`}\` takes the lock again`);
      }
    }

    // A call, made while holding the lock, to a same-file function that takes it: directly,
    // through \`super()\`, or through an override in a subclass of this file.
    for (const call of model.calls) {
      const held = locks.heldAt(call).filter((h) => h.kind === 'Lock' && !h.param && mutex(h));
      if (!held.length) continue;
      const fnExpr = call.childForFieldName('function')!;
      for (const { fn: callee, via } of calleesOf(model, call)) {
        const inner = locks.acquisitionsIn(callee).find((a) => a.blocking && held.some((h) => h.key === a.key));
        if (inner) {
          const outer = held.find((h) => h.key === inner.key)!;
          report(call, undefined, inner, outer, `\`${fnExpr.text}()\` ${via}takes \`${inner.expr.text}\` (line ${inner.at.startPosition.row + 1} in \`${via ? qualifiedFunctionName(model, callee) : functionName(callee)}\`)`);
          break;
        }
        // An override reaches the lock through the calls it makes (\`self.flush()\`).
        if (!via) continue;
        const reached = held.map((h) => ({ h, r: acquiresLock(model, [callee], h.key) })).find((x) => x.r);
        if (!reached?.r) continue;
        const { acquisition, fn } = reached.r;
        report(call, undefined, acquisition, reached.h, `\`${fnExpr.text}()\` ${via}calls \`${qualifiedFunctionName(model, fn)}\`, which takes \`${acquisition.expr.text}\` (line ${acquisition.at.startPosition.row + 1})`);
        break;
      }
      // A logging call whose handler (a Handler subclass of this file) takes the lock in \`emit\`.
      if (!isLogCall(model, call)) continue;
      for (const { acquisition: inner, emit } of handlerAcquisitions(model)) {
        const outer = held.find((h) => h.key === inner.key);
        if (!outer) continue;
        report(call, undefined, inner, outer, `\`${fnExpr.text}()\` logs, and the handler's \`${qualifiedFunctionName(model, emit)}\` takes \`${inner.expr.text}\` (line ${inner.at.startPosition.row + 1})`);
        break;
      }
    }

    // A signal handler runs on the main thread between two bytecodes of whatever it was
    // running: if that code holds the lock, the handler waits for it forever.
    for (const entry of model.threads.callbackEntries()) {
      if (entry.how !== 'signal') continue;
      const reach = model.threads.reachableFrom(entry.fn);
      const inHandler = new Set(reach.map((f) => f.id));
      const handler = `the signal handler \`${functionName(entry.fn)}\` (registered at line ${entry.via.startPosition.row + 1})`;
      const holder = (outer: Acquisition) => {
        const fn = model.enclosingFunction(outer.at);
        return `the main thread may hold it${fn ? ` in \`${qualifiedFunctionName(model, fn)}\`` : ''}`;
      };
      for (const fn of reach) {
        for (const inner of locks.acquisitionsIn(fn)) {
          if (inner.kind !== 'Lock' || !inner.blocking || inner.param) continue;
          const outer = mainThreadHold(model, inner.key, inHandler, mutex);
          if (!outer) continue;
          const { node, endNode } = innerSpan(inner);
          report(node, endNode, inner, outer, `${handler} takes \`${inner.expr.text}\` when the signal arrives`, holder(outer));
        }
        // The handler logs, and a Handler of this file takes the lock in \`emit\`.
        for (const call of model.threads.callsIn(fn)) {
          if (!isLogCall(model, call)) continue;
          for (const { acquisition: inner, emit } of handlerAcquisitions(model)) {
            // Name a holder outside the logging handler when there is one; the handler itself
            // (the main thread logging when the signal arrives) is the last resort.
            const inEmit = new Set([...inHandler, ...model.threads.reachableFrom(emit).map((f) => f.id)]);
            const outer = mainThreadHold(model, inner.key, inEmit, mutex) ?? mainThreadHold(model, inner.key, inHandler, mutex);
            if (!outer) continue;
            const text = call.childForFieldName('function')?.text ?? 'log';
            report(call, undefined, inner, outer, `${handler} logs (\`${text}()\`), and the handler's \`${qualifiedFunctionName(model, emit)}\` takes \`${inner.expr.text}\` (line ${inner.at.startPosition.row + 1})`, holder(outer));
            break;
          }
        }
      }
    }
  },
);

/** Logger methods that hand a record to the handlers. */
const LOG_METHODS = new Set(['debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'fatal', 'log']);

/**
 * \`logging.info(...)\`, or \`log.warning(...)\` on a logger every assignment of which is
 * \`logging.getLogger(...)\` (a name, or \`self.log\` anywhere in the class).
 */
function isLogCall(model: SemanticModel, call: Node): boolean {
  const mc = model.methodCall(call);
  if (!mc || !LOG_METHODS.has(mc.method)) return false;
  if (model.qualifiedName(mc.receiver) === 'logging') return true;
  const binding = model.bindingOf(mc.receiver);
  if (!binding?.sites.length) return false;
  return binding.sites.every((s) => s.type === 'assign' && !!s.value && unwrap(s.value).type === 'call' && model.calleeName(unwrap(s.value)) === 'logging.getLogger');
}

const handlerLocks = new WeakMap<SemanticModel, { acquisition: Acquisition; emit: Node }[]>();

/** Blocking acquisitions of non-reentrant Locks in code reached from \`emit\` of the file's Handler subclasses. */
function handlerAcquisitions(model: SemanticModel): { acquisition: Acquisition; emit: Node }[] {
  let known = handlerLocks.get(model);
  if (!known) {
    known = [];
    for (const entry of model.threads.callbackEntries()) {
      if (entry.how !== 'log-handler') continue;
      for (const fn of model.threads.reachableFrom(entry.fn)) {
        for (const a of model.locks.acquisitionsIn(fn)) if (a.kind === 'Lock' && a.blocking && !a.param) known.push({ acquisition: a, emit: entry.fn });
      }
    }
    handlerLocks.set(model, known);
  }
  return known;
}

/**
 * The same-file functions a call may run: the one it names (\`f()\`, \`self.m()\` along
 * same-file bases), the base method of \`super().m()\`, and overrides of \`self.m\` in
 * same-file subclasses (a subclass instance runs the override).
 */
function calleesOf(model: SemanticModel, call: Node): { fn: Node; via: string }[] {
  const fnExpr = call.childForFieldName('function');
  if (!fnExpr) return [];
  const out: { fn: Node; via: string }[] = [];
  const direct = model.localFunction(fnExpr);
  if (direct?.type === 'function_definition') out.push({ fn: direct, via: '' });
  if (fnExpr.type !== 'attribute') return out;
  const object = fnExpr.childForFieldName('object');
  const name = fnExpr.childForFieldName('attribute')?.text;
  const cls = model.classOf(call);
  if (!object || !name || !cls) return out;
  if (object.type === 'call' && object.childForFieldName('function')?.text === 'super' && (object.childForFieldName('arguments')?.namedChildCount ?? 0) === 0) {
    for (const base of cls.bases) {
      const b = model.localClass(unwrap(base));
      const fn = b && model.methodOf(b, name);
      if (fn) {
        out.push({ fn, via: 'runs the base method, which ' });
        break;
      }
    }
    return out;
  }
  if (direct && model.localFunction(fnExpr) && model.classOf(direct)?.node.id === cls.node.id) {
    for (const sub of subclassesOf(model, cls)) {
      const fn = sub.methods.get(name);
      if (fn) out.push({ fn, via: `runs \`${sub.name}.${name}\` on a \`${sub.name}\` instance, which ` });
    }
  }
  return out;
}

/** Same-file classes deriving from \`cls\`, directly or not. */
function subclassesOf(model: SemanticModel, cls: ClassInfo): ClassInfo[] {
  const out: ClassInfo[] = [];
  const derives = (c: ClassInfo, depth: number): boolean =>
    depth < 10 && c.bases.some((b) => {
      const base = model.localClass(unwrap(b));
      return !!base && (base.node.id === cls.node.id || derives(base, depth + 1));
    });
  for (const c of model.classes()) if (c.node.id !== cls.node.id && derives(c, 0)) out.push(c);
  return out;
}

/**
 * A hold of the lock by code that may run on the main thread: a function outside the
 * signal handler's reach that no thread, task or request handler reaches.
 */
function mainThreadHold(model: SemanticModel, key: string, inHandler: ReadonlySet<number>, mutex: (a: Acquisition) => boolean): Acquisition | null {
  for (const fn of functionsAcquiring(model, key)) {
    if (inHandler.has(fn.id) || model.threads.entriesReaching(fn, 'all').some(isParallel)) continue;
    const hold = model.locks.acquisitionsIn(fn).find((a) => a.key === key && a.blocking && mutex(a));
    if (hold) return hold;
  }
  return null;
}

/** \`Class.method\` for a method, else the function's name. */
function qualifiedFunctionName(model: SemanticModel, fn: Node): string {
  const cls = model.classOf(fn);
  const name = functionName(fn);
  return cls && cls.methods.get(name)?.id === fn.id ? `${cls.name}.${name}` : name;
}

/** Where a nested acquisition is reported: `with L` (keyword to item) for a one-item `with`, else the item or call. */
function innerSpan(inner: Acquisition): { node: Node; endNode?: Node } {
  if (inner.how !== 'with') return { node: inner.at };
  const stmt = inner.at.parent?.parent;
  const first = inner.at.parent?.namedChildren.find((n) => n?.type === 'with_item');
  return stmt?.type === 'with_statement' && first?.id === inner.at.id ? { node: stmt, endNode: inner.at } : { node: inner.at };
}

/**
 * `Lock()` → `RLock()` at the lock's one constructor: `threading.Lock()` or an alias
 * (`th.Lock()`) becomes `…RLock()`; a bare `Lock()` becomes the name `RLock` is already
 * imported under at module level (the fix adds no import).
 */
function rlockFix(model: SemanticModel, expr: Node): ProposedFix | undefined {
  const binding = model.bindingOf(expr);
  if (!binding) return undefined;
  const sites = [...binding.sites, ...(binding.cls?.scope.bindings.get(binding.name) ?? [])];
  const ctors: Node[] = [];
  for (const site of sites) {
    if (site.type !== 'assign' || !site.value) return undefined;
    const v = unwrap(site.value);
    if (v.type === 'none') continue;
    if (v.type !== 'call' || model.calleeName(v) !== 'threading.Lock') return undefined;
    ctors.push(v);
  }
  const fn = ctors.length === 1 ? ctors[0].childForFieldName('function') : null;
  if (!fn) return undefined;
  if (fn.type === 'attribute') {
    const attr = fn.childForFieldName('attribute');
    if (attr?.text !== 'Lock') return undefined;
    return { description: `Make \`${expr.text}\` an RLock`, edits: [replaceNode(attr, 'RLock')] };
  }
  if (fn.type === 'identifier') {
    const rlock = rlockName(model, fn);
    return rlock ? { description: `Make \`${expr.text}\` an RLock`, edits: [replaceNode(fn, rlock)] } : undefined;
  }
  return undefined;
}

/** A module-level name that means `threading.RLock` at `at` (`from threading import RLock [as R]`). */
function rlockName(model: SemanticModel, at: Node): string | null {
  for (const [name, sites] of model.index.module.bindings) {
    if (!sites.length || !sites.every((s) => s.type === 'import' && s.qname === 'threading.RLock')) continue;
    if (model.resolveName(name, at)?.key === `g:${name}`) return name;
  }
  return null;
}
