import type { Node } from '../../engine/tree/index.js';
import { unwrap, type SemanticModel } from '../../engine/model/model.js';
import { firstParamName, type ClassInfo } from '../../engine/model/scopes.js';
import { caughtAround } from './handlers.js';
import { isWithin } from './loops.js';

/**
 * Evidence that a wait without a timeout will hang (TL201, RULES.md revision 2): the
 * shutdown paths it sits in, whether anything before it asked the other side to
 * finish, whether the other side is long-running, and whether anything can ever
 * satisfy it. Every walk is bounded by one function, one class or one binding's
 * references.
 */

const SHUTDOWN_NAMES = new Set(['stop', 'close', 'shutdown', 'terminate', 'cancel', '__exit__', '__del__']);

const registeredCache = new WeakMap<SemanticModel, Set<number>>();

/** Functions handed to `atexit.register(f)` / `signal.signal(sig, f)`, or decorated `@atexit.register`. */
function registeredHandlers(model: SemanticModel): Set<number> {
  let out = registeredCache.get(model);
  if (out) return out;
  out = new Set();
  for (const call of model.calls) {
    const name = model.calleeName(call);
    const arg = name === 'atexit.register' ? model.args(call).positional[0] : name === 'signal.signal' ? model.args(call).positional[1] : undefined;
    const fn = arg && model.localFunction(arg);
    if (fn) out.add(fn.id);
  }
  for (const fn of model.nodes('function_definition')) {
    const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : null;
    for (const d of decorated?.namedChildren ?? []) {
      const expr = d?.type === 'decorator' ? d.namedChildren[0] : null;
      if (expr && model.qualifiedName(expr) === 'atexit.register') out.add(fn.id);
    }
  }
  registeredCache.set(model, out);
  return out;
}

/**
 * The shutdown function a node's code runs in: a function named `stop`, `close`,
 * `shutdown`, `terminate`, `cancel`, `__exit__`, `__del__` (one leading underscore
 * allowed: `_stop`), or one registered with `atexit` or as a signal handler. A method
 * named `join` is not one: its wait is the wait its caller asked for.
 */
export function shutdownFunction(model: SemanticModel, node: Node): Node | null {
  const fn = model.enclosingFunction(node);
  if (fn?.type !== 'function_definition') return null;
  const name = fn.childForFieldName('name')?.text ?? '';
  if (SHUTDOWN_NAMES.has(name.replace(/^_(?!_)/, ''))) return fn;
  return registeredHandlers(model).has(fn.id) ? fn : null;
}

/** The name a function is shown by in messages. */
export function functionLabel(fn: Node): string {
  return `${fn.childForFieldName('name')?.text ?? 'function'}()`;
}

/** Calls that only look (log, test, measure) and so cannot tell another thread anything. */
const LOOKING = /^(?:print|len|isinstance|hasattr|getattr|id|repr|str|type|callable|threading\.current_thread|threading\.get_ident|time\.\w+|os\.getpid|concurrent\.futures\.(?:wait|as_completed))$/;
const LOOKING_METHODS = new Set(['is_alive', 'is_set', 'isSet', 'done', 'running', 'cancelled', 'qsize', 'empty', 'full', 'debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'log', 'format', 'result', 'exception', 'join', 'wait']);

function looksOnly(model: SemanticModel, call: Node): boolean {
  const qname = model.calleeName(call);
  if (qname && LOOKING.test(qname)) return true;
  const fn = call.childForFieldName('function');
  if (fn?.type === 'identifier' && LOOKING.test(fn.text)) return true;
  const m = model.methodCall(call);
  return !!m && LOOKING_METHODS.has(m.method);
}

/** Whether a statement may tell another thread to finish: a call that does more than look, a store into an object, a `del`. */
function maySignal(model: SemanticModel, stmt: Node): boolean {
  if (stmt.type === 'delete_statement') return true;
  for (const call of stmt.descendantsOfType('call')) if (call && !looksOnly(model, call)) return true;
  for (const assign of [...stmt.descendantsOfType('assignment'), ...stmt.descendantsOfType('augmented_assignment')]) {
    const left = assign?.childForFieldName('left');
    if (!left || left.type === 'pattern_list' || left.type === 'tuple_pattern') continue;
    if (left.type !== 'identifier') return true;
    // `global _running` / `nonlocal stop` then `_running = False`.
    const scope = model.scopeOf(assign!);
    if (scope.globals.has(left.text) || scope.nonlocals.has(left.text)) return true;
  }
  return false;
}

/**
 * Whether anything that runs before `node` in `fn` may have asked the other side to
 * finish (set a flag or an event, put a sentinel, closed a socket, called another
 * method): the statements before it in each enclosing block, and the conditions of the
 * `if`/`while` statements around it.
 */
export function signalledBefore(model: SemanticModel, node: Node, fn: Node): boolean {
  let child = node;
  for (let parent = node.parent; parent && parent.id !== fn.id; child = parent, parent = parent.parent) {
    if (parent.type === 'block' || parent.type === 'module') {
      for (let s = child.previousNamedSibling; s; s = s.previousNamedSibling) if (s.type !== 'comment' && maySignal(model, s)) return true;
    } else if (['if_statement', 'elif_clause', 'while_statement', 'boolean_operator', 'conditional_expression'].includes(parent.type)) {
      // `wait and self._stopped.wait()`, `if self._stop_requested(): t.join()`.
      for (const c of parent.namedChildren) {
        if (!c || c.startIndex >= child.startIndex) break;
        if (c.type !== 'block' && maySignal(model, c)) return true;
      }
    }
  }
  return false;
}

/** Whether a function's own body loops (a `while` outside nested functions): the work of a long-running worker. */
export function loops(model: SemanticModel, fn: Node): boolean {
  return model.nodes('while_statement').some((w) => isWithin(w, fn) && model.enclosingFunction(w)?.id === fn.id);
}

/** For `self` in a method of a Thread subclass: that class. */
export function selfThread(model: SemanticModel, expr: Node): ClassInfo | null {
  const e = unwrap(expr);
  if (e.type !== 'identifier') return null;
  const fn = model.enclosingFunction(e);
  const own = model.classOf(e);
  if (!fn || !own || !model.isThreadSubclass(own) || firstParamName(fn) !== e.text) return null;
  return model.bindingOf(e)?.sites.every((s) => s.type === 'param') ? own : null;
}

/**
 * The functions a thread runs, by its construction: `Thread(target=f)`, `Timer(t, f)`,
 * the `run` of a Thread subclass. Null when any construction site of the thread is not
 * one the analysis can follow.
 */
export function threadTargets(model: SemanticModel, receiver: Node): Node[] | null {
  const e = unwrap(receiver);
  const own = selfThread(model, e);
  if (own) {
    const run = model.methodOf(own, 'run');
    return run ? [run] : null;
  }
  const binding = model.bindingOf(e);
  const sites = [...(binding?.sites ?? []), ...(binding?.cls?.scope.bindings.get(binding.name) ?? [])];
  if (!sites.length) return null;
  const out: Node[] = [];
  for (const site of sites) {
    const value = site.type === 'assign' && site.value ? unwrap(site.value) : null;
    if (value?.type === 'none') continue;
    if (value?.type !== 'call') return null;
    const targets = constructedTargets(model, value);
    if (!targets) return null;
    out.push(...targets);
  }
  return out.length ? out : null;
}

/**
 * Whether a thread built by `ctor` runs long: a `Timer` (it waits its interval first) or a
 * thread whose every target loops. Unknown targets are not long-running as far as the
 * rules can tell.
 */
export function longRunningThread(model: SemanticModel, ctor: Node): boolean {
  if (model.calleeName(ctor) === 'threading.Timer') return true;
  const targets = constructedTargets(model, ctor);
  return !!targets && targets.every((t) => loops(model, t));
}

function constructedTargets(model: SemanticModel, ctor: Node): Node[] | null {
  const qname = model.calleeName(ctor);
  const { positional, keywords } = model.args(ctor);
  if (qname === 'threading.Thread' || qname === 'threading.Timer') {
    const target = qname === 'threading.Timer' ? (keywords.get('function') ?? positional[1]) : keywords.get('target');
    const fns = model.threads.callablesOf(target).map((f) => model.threads.forwardedTo(f) ?? f);
    return fns.length ? fns : null;
  }
  const fn = ctor.childForFieldName('function');
  const cls = fn && model.localClass(fn);
  const run = cls && model.isThreadSubclass(cls) ? model.methodOf(cls, 'run') : null;
  return run ? [run] : null;
}

/**
 * The functions a future's task runs: futures assigned from `X.submit(f, …)`, or a list,
 * set or comprehension of such calls. Null when any site is something else.
 */
export function submittedTasks(model: SemanticModel, expr: Node, depth = 0): Node[] | null {
  const e = unwrap(expr);
  if (depth > 2) return null;
  if (e.type === 'call') {
    const m = model.methodCall(e);
    if (m?.method !== 'submit' || model.kindOf(m.receiver) !== 'Executor') return null;
    const fns = model.threads.callablesOf(model.args(e).positional[0]).map((f) => model.threads.forwardedTo(f) ?? f);
    return fns.length ? fns : null;
  }
  if (['list_comprehension', 'set_comprehension', 'generator_expression'].includes(e.type)) {
    const body = e.childForFieldName('body');
    return body ? submittedTasks(model, body, depth + 1) : null;
  }
  if (e.type === 'list' || e.type === 'set' || e.type === 'tuple') {
    const parts = e.namedChildren.filter((c): c is Node => !!c);
    const all = parts.map((p) => submittedTasks(model, p, depth + 1));
    return parts.length && all.every((a) => a) ? all.flat() as Node[] : null;
  }
  if (e.type === 'identifier' || e.type === 'attribute') {
    const binding = model.bindingOf(e);
    const sites = binding?.sites ?? [];
    if (!sites.length) return null;
    const out: Node[] = [];
    for (const site of sites) {
      if (site.type !== 'assign' || !site.value) return null;
      if (unwrap(site.value).type === 'none') continue;
      const fns = submittedTasks(model, site.value, depth + 1);
      if (!fns) return null;
      out.push(...fns);
    }
    return out.length ? out : null;
  }
  return null;
}

/** Methods whose call can make a wait on the receiver return. */
const SATISFIES: Record<string, ReadonlySet<string>> = {
  Event: new Set(['set']),
  Condition: new Set(['notify', 'notify_all', 'notifyAll']),
  Queue: new Set(['put', 'put_nowait']),
};

/** Methods that only wait on or look at the object: harmless for the question. */
const INERT = new Set(['wait', 'wait_for', 'is_set', 'isSet', 'clear', 'get', 'get_nowait', 'empty', 'qsize', 'full', 'acquire', 'release', 'join', 'task_done', '__enter__', '__exit__', 'close', 'join_thread', 'cancel_join_thread']);

/**
 * Whether nothing in the file can ever satisfy a wait on `receiver` (an Event, Condition or
 * Queue): the object lives in a local, a private module global (`_ready`) or a private
 * attribute (`self._ready`); every construction site builds it here; and every reference
 * to it waits on it or looks at it — none sets, notifies or puts, none hands it on.
 */
export function unsatisfiable(model: SemanticModel, receiver: Node, kind: string): boolean {
  const satisfy = SATISFIES[kind];
  if (!satisfy) return false;
  const e = unwrap(receiver);
  const binding = model.classAttributeBinding(e);
  if (!binding) return false;
  const local = binding.key.startsWith('l:');
  if (!local && !binding.name.startsWith('_')) return false;
  if (binding.sites.some((s) => s.type === 'param')) return false;
  const sites = [...binding.sites, ...(binding.cls?.scope.bindings.get(binding.name) ?? [])];
  if (!sites.length || sites.some((s) => s.type !== 'assign' || !s.value || unwrap(s.value).type !== 'call' || model.kindOf(s.value) !== kind)) return false;
  const targets = new Set(sites.map((s) => (s.type === 'assign' ? s.target.id : -1)));
  const within = local ? binding.scope!.node : model.root;
  const refs = within.descendantsOfType(binding.cls ? ['attribute', 'identifier'] : ['identifier']).filter((n): n is Node => {
    if (!n) return false;
    if (n.type === 'identifier') return n.text === binding.name && !(n.parent?.type === 'attribute' && n.parent.childForFieldName('attribute')?.id === n.id);
    return n.childForFieldName('attribute')?.text === binding.name;
  });
  for (const ref of refs) {
    if (targets.has(ref.id)) continue;
    if (model.classAttributeBinding(ref)?.key !== binding.key) {
      // `other._ready` on an object of unknown class: it may be this one.
      if (ref.type === 'attribute') return false;
      continue;
    }
    const parent = ref.parent;
    if (parent?.type === 'with_item') continue;
    const call = parent?.type === 'attribute' && parent.parent?.type === 'call' ? parent.parent : null;
    const method = call ? model.methodCall(call) : null;
    if (!method || unwrap(method.receiver).id !== ref.id) return false;
    if (satisfy.has(method.method)) return false;
    if (!INERT.has(method.method)) return false;
  }
  return true;
}

/**
 * Whether a future is known to be done where `use` reads it: in the branch of an
 * `if F.done():` (or an `and` with it), or of `if F is X:` / `elif F == X:` where X is a
 * future known to be done.
 */
export function doneInBranch(model: SemanticModel, future: Node, use: Node, isDone: (expr: Node) => boolean): boolean {
  const fn = model.enclosingFunction(use);
  const text = unwrap(future).text.replace(/\s+/g, '');
  let child = use;
  for (let parent = use.parent; parent && parent.id !== fn?.id; child = parent, parent = parent.parent) {
    if (child.type !== 'block') continue;
    const holder = parent.type === 'if_statement' || parent.type === 'elif_clause' ? parent : null;
    if (!holder || holder.childForFieldName('consequence')?.id !== child.id) continue;
    const condition = holder.childForFieldName('condition');
    if (condition && testsDone(model, unwrap(condition), text, isDone)) return true;
  }
  return false;
}

function testsDone(model: SemanticModel, condition: Node, text: string, isDone: (expr: Node) => boolean): boolean {
  if (condition.type === 'boolean_operator' && condition.childForFieldName('operator')?.type === 'and') {
    const left = condition.childForFieldName('left');
    const right = condition.childForFieldName('right');
    return (!!left && testsDone(model, unwrap(left), text, isDone)) || (!!right && testsDone(model, unwrap(right), text, isDone));
  }
  if (condition.type === 'call') {
    const m = model.methodCall(condition);
    return m?.method === 'done' && unwrap(m.receiver).text.replace(/\s+/g, '') === text;
  }
  if (condition.type === 'comparison_operator' && condition.namedChildCount === 2) {
    const ops = condition.childrenForFieldName('operators').map((o) => o?.type);
    if (ops.length !== 1 || !['is', '=='].includes(ops[0] ?? '')) return false;
    const [a, b] = condition.namedChildren as Node[];
    const other = unwrap(a).text.replace(/\s+/g, '') === text ? b : unwrap(b).text.replace(/\s+/g, '') === text ? a : null;
    return !!other && isDone(other);
  }
  return false;
}

/** Whether `node` sits in the body of a `try` (in `fn`) with a handler that catches `TimeoutError`. */
export function handlesTimeout(node: Node, fn: Node): boolean {
  return caughtAround(node, ['TimeoutError'], (n) => n.id === fn.id);
}

/** Whether a statement after `stmt` in its block tests `T.is_alive()`: the code already handles a join that timed out. */
export function checksAliveAfter(model: SemanticModel, stmt: Node, thread: Node): boolean {
  const text = unwrap(thread).text;
  for (let s = stmt.nextNamedSibling; s; s = s.nextNamedSibling) {
    for (const call of s.descendantsOfType('call')) {
      const m = call && model.methodCall(call);
      if (m?.method === 'is_alive' && unwrap(m.receiver).text === text) return true;
    }
  }
  return false;
}
