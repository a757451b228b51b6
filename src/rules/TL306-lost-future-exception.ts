import type { Node } from '../engine/tree/index.js';
import { createRule } from '../engine/rule.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import { localBinding, usesOf } from './support/lifecycle.js';

/** Methods that put an item into a collection without reading the collection. */
const COLLECTION_ADDERS = new Set(['append', 'add', 'insert', 'extend', 'appendleft']);
const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'generator_expression', 'dictionary_comprehension']);

/** A Future nobody looks at: the task's exception is stored in it and never raised. */
export default createRule(
  {
    id: 'TL306',
    name: 'lost-future-exception',
    severity: 'warning',
    summary: 'The Future returned by `submit(…)` is discarded or never read, so an exception in the task is silently lost.',
    why: 'An exception raised in a submitted task is stored in its Future and only re-raised by `result()` / `exception()`: an unread Future swallows it.',
    fix: 'never',
  },
  (ctx) => {
    const { model } = ctx;
    for (const call of model.calls) {
      const m = model.methodCall(call);
      if (m?.method !== 'submit' || model.kindOf(m.receiver) !== 'Executor') continue;
      let outer: Node = call;
      while (outer.parent?.type === 'parenthesized_expression') outer = outer.parent;
      if (outer.parent?.type === 'expression_statement') {
        ctx.report({
          node: call,
          message: `The Future of \`${m.receiver.text}.submit(…)\` is discarded: an exception in the task is never seen. Keep the Future and call \`result()\` on it, or add a done-callback that logs \`exception()\`.`,
        });
        continue;
      }
      const name = collectingName(model, outer);
      if (name && neverRead(model, name)) {
        ctx.report({
          node: call,
          message: `The Futures of \`${m.receiver.text}.submit(…)\` are collected into \`${name.text}\`, which is never read: an exception in the task is never seen. Call \`result()\` on each, e.g. over \`as_completed(${name.text})\`.`,
        });
      }
    }
  },
);

/**
 * The name a submitted Future is stored into: `f = X.submit(…)`, `fs = [X.submit(…) for …]`,
 * `fs.append(X.submit(…))`, `fs[k] = X.submit(…)`, `{X.submit(…): k for …}`.
 */
function collectingName(model: SemanticModel, expr: Node): Node | null {
  let e = expr;
  let p = e.parent;
  // Step out of a comprehension body or a literal list/tuple/set of futures.
  if (p && COMPREHENSIONS.has(p.type) && p.childForFieldName('body')?.id === e.id) e = p;
  else if (p?.type === 'pair' && p.childForFieldName('key')?.id === e.id && p.parent?.type === 'dictionary_comprehension' && p.parent.childForFieldName('body')?.id === p.id) e = p.parent;
  else if (p && ['list', 'tuple', 'set'].includes(p.type)) e = p;
  while (e.parent?.type === 'parenthesized_expression') e = e.parent;
  p = e.parent;
  if (!p) return null;
  if (p.type === 'assignment' && p.childForFieldName('right')?.id === e.id) {
    const left = p.childForFieldName('left');
    if (left?.type === 'identifier') return left;
    if (left?.type === 'subscript' && e.id === expr.id) return identifierOf(left.childForFieldName('value'));
    return null;
  }
  // `fs.append(X.submit(…))`
  if (p.type === 'argument_list' && e.id === expr.id) {
    const call = p.parent;
    const m = call?.type === 'call' ? model.methodCall(call) : null;
    if (m && COLLECTION_ADDERS.has(m.method)) return identifierOf(m.receiver);
  }
  return null;
}

function identifierOf(node: Node | null): Node | null {
  const e = node && unwrap(node);
  return e?.type === 'identifier' ? e : null;
}

/** A function-local name only ever assigned or added to. */
function neverRead(model: SemanticModel, name: Node): boolean {
  const fn = model.enclosingFunction(name);
  if (fn?.type !== 'function_definition') return false;
  const binding = localBinding(model, name, fn);
  if (!binding) return false;
  return usesOf(model, binding, fn).every(
    (u) => u.kind === 'bind' || u.kind === 'item-store' || (u.kind === 'call' && COLLECTION_ADDERS.has(u.member!)),
  );
}
