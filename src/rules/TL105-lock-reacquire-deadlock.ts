import type { Node } from '../engine/tree/index.js';
import type { Acquisition, LockRef } from '../engine/model/locks.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import { createRule, replaceNode, type ProposedFix } from '../engine/rule.js';
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
  },
  (ctx) => {
    const { model } = ctx;
    const locks = model.locks;
    if (!locks.hasAcquisitions()) return;
    const reported = new Set<number>();
    const report = (node: Node, endNode: Node | undefined, lock: LockRef, outer: Acquisition, how: string) => {
      if (reported.has(node.id)) return;
      reported.add(node.id);
      ctx.report({
        node,
        endNode,
        message: `${how} while this thread already holds it from ${describeAcquisition(outer)}: \`${lock.expr.text}\` is a threading.Lock, which is not reentrant, so the thread waits for itself forever. Use an RLock, or move the work into a helper that expects the lock held.`,
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

    // A call, made while holding the lock, to a same-file function that takes it.
    for (const call of model.calls) {
      const fnExpr = call.childForFieldName('function');
      const callee = fnExpr && model.localFunction(fnExpr);
      if (!callee || callee.type !== 'function_definition') continue;
      const held = locks.heldAt(call).filter((h) => h.kind === 'Lock' && !h.param && mutex(h));
      if (!held.length) continue;
      for (const inner of locks.acquisitionsIn(callee)) {
        if (!inner.blocking) continue;
        const outer = held.find((h) => h.key === inner.key);
        if (!outer) continue;
        report(call, undefined, inner, outer, `\`${fnExpr!.text}()\` takes \`${inner.expr.text}\` (line ${inner.at.startPosition.row + 1} in \`${functionName(callee)}\`)`);
        break;
      }
    }
  },
);

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
