import type { Node } from '../engine/tree/index.js';
import { createRule } from '../engine/rule.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';

/**
 * A lock nobody else can see excludes nobody: `with threading.Lock():`,
 * `threading.Lock().acquire()`, or a lock created in a function and only ever locked
 * there, so every call (every thread) gets its own.
 */
export default createRule(
  {
    id: 'TL103',
    name: 'useless-lock',
    severity: 'error',
    summary: 'A lock created where no other thread can see it, so it excludes nobody.',
    why: 'Each use builds a new lock, so two threads never contend for the same one and the code it "guards" is not protected.',
    fix: 'never',
  },
  (ctx) => {
    const { model } = ctx;
    // `with threading.Lock():` (also `with Lock() as taken:`)
    for (const stmt of model.nodes('with_statement')) {
      for (const item of stmt.namedChildren.find((c) => c?.type === 'with_clause')?.namedChildren ?? []) {
        let value = item?.type === 'with_item' ? item.childForFieldName('value') : null;
        if (value?.type === 'as_pattern') value = value.namedChildren[0];
        const ctor = value && freshLock(model, value);
        if (ctor) {
          ctx.report({
            node: ctor,
            message: `\`with ${ctor.text}:\` locks a brand-new lock that no other thread can reach, so it excludes nobody. Create the lock once and share it (module level or \`self._lock\`), then \`with\` that lock.`,
          });
        }
      }
    }
    // `threading.Lock().acquire()`
    for (const call of model.calls) {
      const m = model.methodCall(call);
      const ctor = m?.method === 'acquire' ? freshLock(model, m.receiver) : null;
      if (ctor) {
        ctx.report({
          node: ctor,
          message: `\`${ctor.text}.acquire()\` takes a brand-new lock that no other thread can reach, so it excludes nobody. Create the lock once and share it (module level or \`self._lock\`).`,
        });
      }
    }
    // `lock = threading.Lock()` inside a function, used only there.
    for (const assign of model.nodes('assignment')) {
      const local = localLock(model, assign);
      if (!local) continue;
      ctx.report({
        node: assign,
        message: `\`${local.name}\` is a new lock on every call of \`${local.fn}()\` and never leaves it, so each call locks its own lock and no other thread is kept out. Share one lock instead (module level or \`self._lock\`).`,
      });
    }
  },
);

/** The constructor call when an expression is `threading.Lock()` / `RLock()` itself. */
function freshLock(model: SemanticModel, expr: Node): Node | null {
  const e = unwrap(expr);
  if (e.type !== 'call') return null;
  const kind = model.kindOf(e);
  return kind === 'Lock' || kind === 'RLock' ? e : null;
}

/** Ways a local lock is used that keep it inside the call. */
const LOCAL_METHODS = new Set(['acquire', 'release', 'locked']);

/**
 * `name = threading.Lock()` as the only binding of a function-local name whose every
 * other use is `with name:` or `name.acquire()`/`release()`/`locked()` in that same
 * function. Any other use — an argument, a return, a store, a capture by a nested
 * function or lambda — lets the lock reach another thread, so it is left alone.
 */
function localLock(model: SemanticModel, assign: Node): { name: string; fn: string } | null {
  const left = assign.childForFieldName('left');
  const right = assign.childForFieldName('right');
  if (left?.type !== 'identifier' || !right || !freshLock(model, right)) return null;
  const scope = model.scopeOf(assign);
  if (scope.kind !== 'function') return null;
  const binding = model.resolveName(left.text, left);
  if (!binding || binding.scope !== scope || binding.sites.length !== 1) return null;
  let used = false;
  for (const id of scope.node.descendantsOfType('identifier')) {
    if (!id || id.text !== left.text || id.id === left.id) continue;
    const parent = id.parent;
    if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === id.id) continue;
    if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === id.id) continue;
    if (model.resolveName(id.text, id)?.key !== binding.key) continue;
    const inner = model.scopeOf(id);
    if (inner !== scope && inner.kind !== 'comprehension') return null;
    if (!usedInPlace(id)) return null;
    used = true;
  }
  if (!used) return null;
  const fnName = scope.node.childForFieldName('name')?.text ?? 'the function';
  return { name: left.text, fn: fnName };
}

/** `with lock:` / `with lock as x:` / `lock.acquire()` and friends. */
function usedInPlace(id: Node): boolean {
  const parent = id.parent;
  if (!parent) return false;
  if (parent.type === 'with_item') return parent.childForFieldName('value')?.id === id.id;
  if (parent.type === 'as_pattern') return parent.namedChildren[0]?.id === id.id && parent.parent?.type === 'with_item';
  if (parent.type === 'attribute' && parent.childForFieldName('object')?.id === id.id) {
    const call = parent.parent;
    const method = parent.childForFieldName('attribute')?.text ?? '';
    return call?.type === 'call' && call.childForFieldName('function')?.id === parent.id && LOCAL_METHODS.has(method);
  }
  return false;
}
