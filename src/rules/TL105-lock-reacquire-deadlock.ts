import type { Node } from 'web-tree-sitter';
import type { Acquisition, LockRef } from '../engine/model/locks.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import { createRule, replaceNode, type ProposedFix } from '../engine/rule.js';
import { describeAcquisition } from './support/locking.js';

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
    const reported = new Set<number>();
    const report = (node: Node, lock: LockRef, outer: Acquisition, how: string) => {
      if (reported.has(node.id)) return;
      reported.add(node.id);
      ctx.report({
        node,
        message: `${how} while this thread already holds it from ${describeAcquisition(outer)}: \`${lock.expr.text}\` is a threading.Lock, which is not reentrant, so the thread waits for itself forever. Use an RLock, or move the work into a helper that expects the lock held.`,
        fix: rlockFix(model, lock.expr),
      });
    };

    // Nested acquisition in the same function.
    for (const stmt of model.nodes('function_definition')) {
      for (const inner of locks.acquisitionsIn(stmt)) {
        if (inner.kind !== 'Lock') continue;
        const outer = locks.heldAt(inner.at).find((h) => h.key === inner.key && h.at.id !== inner.at.id);
        if (outer) report(inner.at, inner, outer, `\`${inner.how === 'with' ? `with ${inner.expr.text}` : `${inner.expr.text}.acquire()`}\` takes the lock again`);
      }
    }

    // A call, made while holding the lock, to a same-file function that takes it.
    for (const call of model.calls) {
      const fnExpr = call.childForFieldName('function');
      const callee = fnExpr && model.localFunction(fnExpr);
      if (!callee || callee.type !== 'function_definition') continue;
      const held = locks.heldAt(call).filter((h) => h.kind === 'Lock');
      if (!held.length) continue;
      for (const inner of locks.acquisitionsIn(callee)) {
        const outer = held.find((h) => h.key === inner.key);
        if (!outer) continue;
        const name = callee.childForFieldName('name')?.text ?? 'the callee';
        report(call, inner, outer, `\`${fnExpr!.text}()\` takes \`${inner.expr.text}\` (line ${inner.at.startPosition.row + 1} in \`${name}\`)`);
        break;
      }
    }
  },
);

/**
 * `threading.Lock()` → `threading.RLock()` at the lock's one constructor, when the
 * module form is used (a bare `Lock()` would need an import the fix cannot add safely).
 */
function rlockFix(model: SemanticModel, expr: Node): ProposedFix | undefined {
  const binding = model.bindingOf(expr);
  const ctors: Node[] = [];
  for (const site of binding?.sites ?? []) {
    if (site.type !== 'assign' || !site.value) return undefined;
    const v = unwrap(site.value);
    if (v.type === 'none') continue;
    if (v.type !== 'call' || model.calleeName(v) !== 'threading.Lock') return undefined;
    ctors.push(v);
  }
  const fn = ctors.length === 1 ? ctors[0].childForFieldName('function') : null;
  const attr = fn?.type === 'attribute' ? fn.childForFieldName('attribute') : null;
  if (!attr || attr.text !== 'Lock') return undefined;
  return { description: `Make \`${expr.text}\` an RLock`, edits: [replaceNode(attr, 'RLock')] };
}
