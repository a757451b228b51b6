import type { Node } from '../tree/index.js';
import { unwrap, type SemanticModel } from './model.js';
import { selfClass } from './scopes.js';

/**
 * What a blocking call waits for, as far as one file shows it: the functions a Thread
 * object runs, the task behind a Future, and the calls on an object (an Event's
 * `set()`, a Condition's `notify()`, a Queue's `put()`) that would let a waiter go on.
 * Every answer is null when any step is unknown; rules stay silent then.
 */

const viaIndex = new WeakMap<SemanticModel, Map<number, Node[]>>();

/** Thread entries by the call that hands the callable over (`Thread(...)`, `pool.submit(...)`). */
function entriesByVia(model: SemanticModel): Map<number, Node[]> {
  let index = viaIndex.get(model);
  if (!index) {
    index = new Map();
    for (const entry of model.threads.entries()) {
      const fn = model.threads.forwardedTo(entry.fn) ?? entry.fn;
      const list = index.get(entry.via.id);
      if (list) list.push(fn);
      else index.set(entry.via.id, [fn]);
    }
    viaIndex.set(model, index);
  }
  return index;
}

/**
 * The functions a Thread object runs: the target of `Thread(target=f)` / `Timer(t, f)`,
 * or `run` of a same-file Thread subclass (also for `self` in its methods). For a name
 * or attribute, every site that assigns it must be such a construction (or `None`).
 */
export function threadTargets(model: SemanticModel, expr: Node): Node[] | null {
  const e = unwrap(expr);
  if (e.type === 'call') return constructionTargets(model, e);
  if (e.type === 'identifier') {
    const cls = selfClass(model.index, model.scopeOf(e), e);
    if (cls) {
      if (!model.isThreadSubclass(cls)) return null;
      const run = model.methodOf(cls, 'run');
      return run ? [run] : null;
    }
  }
  const out: Node[] = [];
  // A name may be assigned from another name (`self._thread = thread`): follow a few.
  const pending: { node: Node; depth: number }[] = [{ node: e, depth: 0 }];
  while (pending.length) {
    const { node, depth } = pending.pop()!;
    if ((node.type !== 'identifier' && node.type !== 'attribute') || depth > 2) return null;
    const binding = model.bindingOf(node);
    if (!binding || binding.sites.length === 0) return null;
    for (const site of binding.sites) {
      if (site.type !== 'assign' || !site.value) return null;
      const v = unwrap(site.value);
      if (v.type === 'none') continue;
      if (v.type !== 'call') {
        pending.push({ node: v, depth: depth + 1 });
        continue;
      }
      const targets = constructionTargets(model, v);
      if (!targets) return null;
      for (const t of targets) if (!out.some((o) => o.id === t.id)) out.push(t);
    }
  }
  return out.length ? out : null;
}

/** The functions a `Thread(...)` / `Timer(...)` / `Subclass(...)` call makes its thread run. */
function constructionTargets(model: SemanticModel, call: Node): Node[] | null {
  const fn = call.childForFieldName('function');
  if (!fn) return null;
  const cls = model.localClass(unwrap(fn));
  if (cls && model.isThreadSubclass(cls)) {
    const run = model.methodOf(cls, 'run');
    if (run) return [run];
  }
  const qname = model.calleeName(call);
  if (qname !== 'threading.Thread' && qname !== 'threading.Timer' && !(cls && model.isThreadSubclass(cls))) return null;
  return entriesByVia(model).get(call.id) ?? null;
}

/**
 * The functions the task behind a Future runs: `X.submit(fn, …)` directly, through a
 * name every site of which assigns such a call, or the items of a list / comprehension
 * of them (what `concurrent.futures.wait(fs)` is given).
 */
export function submittedTasks(model: SemanticModel, expr: Node): Node[] | null {
  const out: Node[] = [];
  const pending: { node: Node; depth: number }[] = [{ node: expr, depth: 0 }];
  while (pending.length) {
    const { node, depth } = pending.pop()!;
    const e = unwrap(node);
    if (depth > 4) return null;
    if (e.type === 'call') {
      const m = model.methodCall(e);
      if (m?.method !== 'submit' || model.kindOf(m.receiver) !== 'Executor') return null;
      const fns = entriesByVia(model).get(e.id);
      if (!fns) return null;
      for (const f of fns) if (!out.some((o) => o.id === f.id)) out.push(f);
    } else if (e.type === 'identifier' || e.type === 'attribute') {
      const sites = model.bindingOf(e)?.sites ?? [];
      if (sites.length === 0) return null;
      for (const site of sites) {
        if (site.type === 'assign' && site.value) pending.push({ node: site.value, depth: depth + 1 });
        else if (site.type === 'for') pending.push({ node: site.iterable, depth: depth + 1 });
        else return null;
      }
    } else if (e.type === 'list_comprehension' || e.type === 'set_comprehension' || e.type === 'generator_expression') {
      const body = e.childForFieldName('body');
      if (!body) return null;
      pending.push({ node: body, depth: depth + 1 });
    } else if (e.type === 'dictionary_comprehension') {
      const key = e.childForFieldName('body')?.childForFieldName('key');
      if (!key) return null;
      pending.push({ node: key, depth: depth + 1 });
    } else if (e.type === 'list' || e.type === 'tuple' || e.type === 'set') {
      const items = e.namedChildren.filter((n): n is Node => !!n);
      if (items.length === 0) return null;
      for (const item of items) pending.push({ node: item, depth: depth + 1 });
    } else return null;
  }
  return out.length ? out : null;
}

interface ObjectCall {
  call: Node;
  method: string;
}

interface ObjectCallIndex {
  /** Method calls by the receiver's binding key. */
  byKey: Map<string, ObjectCall[]>;
  /** Method calls on receivers the model cannot bind (`other._ready.set()`), by the receiver's last name. */
  unbound: Map<string, ObjectCall[]>;
  /** Keys of objects handed to code the file does not show (arguments, returns, other names). */
  escaping: Set<string>;
}

const objectCallIndex = new WeakMap<SemanticModel, ObjectCallIndex>();

const SIGNALS = new Set(['set', 'clear', 'notify', 'notify_all', 'notifyAll', 'put', 'put_nowait', 'get', 'get_nowait']);

function callIndex(model: SemanticModel): ObjectCallIndex {
  let index = objectCallIndex.get(model);
  if (index) return index;
  const byKey = new Map<string, ObjectCall[]>();
  const unbound = new Map<string, ObjectCall[]>();
  for (const call of model.calls) {
    const m = model.methodCall(call);
    if (!m || !SIGNALS.has(m.method)) continue;
    const key = model.classAttributeBinding(unwrap(m.receiver))?.key;
    const name = key ? null : lastName(m.receiver);
    const map = key ? byKey : unbound;
    const k = key ?? name;
    if (!k) continue;
    const list = map.get(k);
    if (list) list.push({ call, method: m.method });
    else map.set(k, [{ call, method: m.method }]);
  }
  index = { byKey, unbound, escaping: escapingKeys(model) };
  objectCallIndex.set(model, index);
  return index;
}

/**
 * The calls `X.<method>(…)` on the object `expr` names, anywhere in the file, plus calls
 * on unbound receivers of the same last name (`worker._ready.set()`). Null when the
 * object is handed to code the file does not show: others may call them.
 */
export function callsOnObject(model: SemanticModel, expr: Node, methods: ReadonlySet<string>): Node[] | null {
  const e = unwrap(expr);
  const key = model.classAttributeBinding(e)?.key;
  if (!key) return null;
  const index = callIndex(model);
  if (index.escaping.has(key)) return null;
  const name = lastName(e);
  const calls = [...(index.byKey.get(key) ?? []), ...((name && index.unbound.get(name)) || [])];
  return calls.filter((c) => methods.has(c.method)).map((c) => c.call);
}

function lastName(expr: Node): string | null {
  const e = unwrap(expr);
  if (e.type === 'identifier') return e.text;
  if (e.type === 'attribute') return e.childForFieldName('attribute')?.text ?? null;
  return null;
}

const CONTAINERS = new Set(['tuple', 'list', 'set', 'dictionary', 'pair', 'parenthesized_expression', 'list_splat', 'dictionary_splat', 'expression_list', 'keyword_argument']);

/**
 * Binding keys of values the file hands on: call arguments (also inside a tuple, list or
 * dict, as in `args=(ev,)`), the right side of an assignment, returned or yielded values.
 */
function escapingKeys(model: SemanticModel): Set<string> {
  const keys = new Set<string>();
  const mark = (expr: Node | null) => {
    const stack = expr ? [expr] : [];
    while (stack.length) {
      const e = stack.pop()!;
      if (e.type === 'keyword_argument') {
        const value = e.childForFieldName('value');
        if (value) stack.push(value);
      } else if (e.type === 'identifier' || e.type === 'attribute') {
        const key = model.classAttributeBinding(e)?.key;
        if (key) keys.add(key);
        // `loop.call_soon(ev.set)`: the bound method is called where the file cannot see.
        const object = e.type === 'attribute' ? e.childForFieldName('object') : null;
        if (object && SIGNALS.has(e.childForFieldName('attribute')?.text ?? '')) stack.push(object);
      } else if (CONTAINERS.has(e.type)) {
        for (const c of e.namedChildren) if (c) stack.push(c);
      }
    }
  };
  for (const call of model.calls) for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) mark(arg);
  for (const assign of model.nodes('assignment')) {
    const right = assign.childForFieldName('right');
    if (right?.type !== 'assignment') mark(right);
  }
  for (const ret of model.nodes('return_statement')) for (const c of ret.namedChildren) mark(c);
  for (const y of model.root.descendantsOfType('yield')) for (const c of y.namedChildren) mark(c);
  return keys;
}
