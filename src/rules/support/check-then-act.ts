import type { Node } from '../../engine/tree/index.js';
import { unwrap, type SemanticModel } from '../../engine/model/model.js';
import type { Acquisition } from '../../engine/model/locks.js';
import type { ClassInfo } from '../../engine/model/scopes.js';
import type { ThreadlintConfig } from '../../engine/types.js';
import { possiblyConcurrent } from './concurrent-code.js';
import { calledWithSomeLock, functionName, namedAsLocked } from './locking.js';
import { containerKindOf, moduleState } from './module-state.js';
import { classConcurrency, lockOnSameOperation, shownConcurrent, type Concurrency } from './check-then-act-concurrency.js';
import { caughtAround } from './handlers.js';

/**
 * The check-then-act shapes of TL108: a test of shared state and an action that relies
 * on its answer, with no single hold of one lock around both.
 *
 * - `dict`: `if k not in D: D[k] = v`, `if D.get(k) is None: D[k] = v`
 * - `lazy`: `if X is None: X = v`, `if not X: X = v` (X an attribute or a global)
 * - `queue`: `if not Q.empty(): Q.get()`, `while not Q.empty(): Q.get()`
 * - `split`: the test under `with L:` and the act under a later, separate `with L:`
 *
 * Each candidate is kept only when the state is shown to be shared, the code shown to
 * run concurrently, and (for the dict and lazy forms) the second fill shown to do harm.
 */

export type Form = 'dict' | 'lazy' | 'queue' | 'split';

export interface CheckThenAct {
  form: Form;
  /** The `if` / `while` statement (the finding's line), or for `split` the first `with`. */
  test: Node;
  /** The condition expression, or for `split` the testing expression under the first lock. */
  condition: Node;
  /** The statement or call that acts on the answer. */
  act: Node;
  /** The shared state's expression as written (`self._conns`, `_cache`, `self._q`). */
  state: Node;
  /** For the dict form: the key expression. */
  key?: Node;
  /** For the dict form: the stored value. */
  value?: Node;
  /** Why a second fill does harm, as a clause for the message. */
  harm: string;
  /** Why the code runs concurrently, as a clause for the message. */
  concurrency: Concurrency;
  /** For `split`: the two acquisitions. */
  locks?: [Acquisition, Acquisition];
}

/** Methods that run before the object is shared with other threads. */
const CONSTRUCTION = new Set(['__init__', '__new__', '__post_init__', 'setUp', 'setUpClass', '__init_subclass__', '__enter__', '__set_name__']);

/** Resources whose second creation leaks one or hands out two (by the callee's last name). */
const RESOURCE = /(?:^|_|\b)(?:connect|connection|conn|pool|session|client|socket|executor|thread|popen|server|engine|channel|transport|producer|consumer|subscriber|publisher|listener|watcher|scheduler|lock|semaphore|mutex)s?(?:$|_|[A-Z])|^(?:Connection|Session|Client|Pool|Executor|Thread|Server|Socket|Channel|Engine|Transport|Producer|Consumer|Scheduler|Popen)/i;

/** Threading kinds whose second instance splits the threads that should share one. */
const SHARED_KINDS = new Set(['Lock', 'RLock', 'Condition', 'Semaphore', 'Event', 'Barrier', 'Thread', 'Executor', 'Queue']);

const MUTATORS = new Set(['append', 'extend', 'insert', 'add', 'update', 'setdefault', 'appendleft', 'extendleft', 'pop', 'remove', 'discard', 'clear', 'popitem']);

const BOUNDARIES = new Set(['function_definition', 'lambda', 'class_definition', 'module']);

/** Every check-then-act of the file that the analysis can show to race and to do harm. */
export function checkThenActs(model: SemanticModel, config: Pick<ThreadlintConfig, 'profile'>): CheckThenAct[] {
  const out: CheckThenAct[] = [];
  const seen = new Set<number>();
  const add = (c: CheckThenAct | null) => {
    if (!c || seen.has(c.test.id)) return;
    seen.add(c.test.id);
    out.push(c);
  };
  for (const assignment of model.nodes('assignment')) add(fillAfterTest(model, config, assignment));
  for (const call of model.calls) add(getAfterEmpty(model, config, call));
  for (const assignment of model.nodes('assignment')) add(splitAcrossLocks(model, config, assignment));
  return out.sort((a, b) => a.test.startIndex - b.test.startIndex);
}

// ---------------------------------------------------------------------------------------
// The dict and lazy forms: a store under an `if` that tests the stored-to state.

interface StateTest {
  form: 'dict' | 'lazy';
  /** The container (dict form) or the attribute / global (lazy form). */
  state: Node;
  key?: Node;
}

function fillAfterTest(model: SemanticModel, config: Pick<ThreadlintConfig, 'profile'>, assignment: Node): CheckThenAct | null {
  const left = assignment.childForFieldName('left');
  const value = assignment.childForFieldName('right');
  if (!left || !value) return null;
  const target = unwrap(left);
  // The nearest `if` whose consequence holds the store and whose condition tests its target.
  for (let child: Node = assignment, p = assignment.parent; p && !BOUNDARIES.has(p.type); child = p, p = p.parent) {
    if (p.type !== 'if_statement' || p.childForFieldName('consequence')?.id !== child.id) continue;
    const condition = p.childForFieldName('condition');
    if (!condition) continue;
    const test = testOf(model, condition, target);
    if (!test) continue;
    const fn = model.enclosingFunction(p);
    if (!fn || CONSTRUCTION.has(functionName(fn)) || isAsync(fn)) return null;
    if (retestedUnderLock(model, p, assignment, test.state)) return null;
    if (lockedAround(model, p) || lockingDecorator(model, fn)) return null;
    const shared = sharedState(model, config, test.state, fn, p);
    if (!shared) return null;
    const harm = test.form === 'dict' ? dictHarm(model, test.state, value, assignment) : lazyHarm(model, test.state, value, p, assignment);
    if (!harm) return null;
    return { form: test.form, test: p, condition, act: assignment, state: test.state, key: test.key, value, harm, concurrency: shared };
  }
  return fillAfterEarlyExit(model, config, assignment, target, value);
}

/**
 * The early-exit form of the same test: `if k in D: return D[k]` (or `if X is not None:
 * return X`) earlier in the block, then the fill.
 */
function fillAfterEarlyExit(model: SemanticModel, config: Pick<ThreadlintConfig, 'profile'>, assignment: Node, target: Node, value: Node): CheckThenAct | null {
  const fn = model.enclosingFunction(assignment);
  if (!fn || CONSTRUCTION.has(functionName(fn)) || isAsync(fn)) return null;
  for (let stmt: Node | null = model.statementOf(assignment); stmt && stmt.parent?.type === 'block'; stmt = enclosingStatement(stmt, fn)) {
    for (let prev = stmt.previousNamedSibling; prev; prev = prev.previousNamedSibling) {
      if (prev.type !== 'if_statement' || prev.namedChildren.some((n) => n?.type === 'elif_clause' || n?.type === 'else_clause')) continue;
      const condition = prev.childForFieldName('condition');
      const last = prev.childForFieldName('consequence')?.namedChildren.filter((n) => n && n.type !== 'comment').pop();
      if (!condition || (last?.type !== 'return_statement' && last?.type !== 'raise_statement')) continue;
      const test = positiveTestOf(model, condition, target);
      if (!test) continue;
      if (lockedAround(model, prev) || lockingDecorator(model, fn)) return null;
      // Tested again under a lock taken after the early exit: double-checked.
      const outer = new Set(model.locks.heldAt(prev).map((a) => a.at.id));
      for (const a of model.locks.heldAt(assignment)) {
        const w = outer.has(a.at.id) ? null : withOf(a.at);
        if (w && testedBetween(model, w, assignment, test.state, test.key ?? null)) return null;
      }
      if (model.locks.mayBeLockedAt(assignment) && model.locks.heldAt(assignment).length === 0) return null;
      const shared = sharedState(model, config, test.state, fn, prev);
      if (!shared) return null;
      const harm = test.form === 'dict' ? dictHarm(model, test.state, value, assignment) : lazyHarm(model, test.state, value, stmt.parent!, assignment);
      if (!harm) return null;
      return { form: test.form, test: prev, condition, act: assignment, state: test.state, key: test.key, value, harm, concurrency: shared };
    }
  }
  return null;
}

/** The compound statement around a statement, inside the function. */
function enclosingStatement(stmt: Node, fn: Node): Node | null {
  for (let p = stmt.parent; p && p.id !== fn.id; p = p.parent) if (p.parent?.type === 'block' && p.type !== 'block') return p;
  return null;
}

/** `k in D`, `D.get(k) is not None`, `X is not None`, `X`: the answer that skips the fill. */
function positiveTestOf(model: SemanticModel, condition: Node, target: Node): StateTest | null {
  const c = unwrap(condition);
  if (target.type === 'subscript') {
    const container = target.childForFieldName('value');
    const key = target.childForFieldName('subscript');
    if (!container || !key) return null;
    if (c.type === 'comparison_operator' && operatorsText(c) === 'in') {
      const [k, d] = c.namedChildren;
      return k && d && same(k, key) && same(d, container) ? { form: 'dict', state: container, key } : null;
    }
    return null;
  }
  if (target.type !== 'attribute' && target.type !== 'identifier') return null;
  const tested = c.type === 'comparison_operator' && isNoneTest(c, 'is not') ? c.namedChildren[0] : c.type === 'attribute' || c.type === 'identifier' ? c : null;
  return tested && same(tested, target) ? { form: 'lazy', state: target } : null;
}

/**
 * Whether the condition tests what the store writes: `k not in D` / `D.get(k) is None` /
 * `not D.get(k)` for `D[k] = …`, `X is None` / `not X` / `X is None or …` for `X = …`.
 */
function testOf(model: SemanticModel, condition: Node, target: Node): StateTest | null {
  const c = unwrap(condition);
  if (c.type === 'boolean_operator') {
    for (const side of [c.childForFieldName('left'), c.childForFieldName('right')]) {
      const t = side && testOf(model, side, target);
      // `X is None or X.closed`: either side missing makes the store run.
      if (t && (operatorOf(c) === 'or' || t.form === 'lazy')) return t;
    }
    return null;
  }
  if (target.type === 'subscript') {
    const container = target.childForFieldName('value');
    const key = target.childForFieldName('subscript');
    if (!container || !key) return null;
    if (c.type === 'comparison_operator' && operatorsText(c) === 'not in') {
      const [k, d] = c.namedChildren;
      if (k && d && same(k, key) && same(d, container)) return { form: 'dict', state: container, key };
      return null;
    }
    const get = c.type === 'not_operator' ? c.childForFieldName('argument') : c.type === 'comparison_operator' && isNoneTest(c, 'is') ? c.namedChildren[0] : null;
    const call = get ? unwrap(get) : null;
    const mc = call?.type === 'call' ? model.methodCall(call) : null;
    if (mc?.method === 'get' && same(mc.receiver, container)) {
      const first = model.args(call!).positional[0];
      if (first && same(first, key)) return { form: 'dict', state: container, key };
    }
    return null;
  }
  if (target.type !== 'attribute' && target.type !== 'identifier') return null;
  const tested = c.type === 'not_operator' ? c.childForFieldName('argument') : c.type === 'comparison_operator' && isNoneTest(c, 'is') ? c.namedChildren[0] : null;
  return tested && same(tested, target) ? { form: 'lazy', state: target } : null;
}

/** `X is None` (op `is`) with None on the right. */
function isNoneTest(c: Node, op: string): boolean {
  const kids = c.namedChildren;
  return kids.length === 2 && kids[1]?.type === 'none' && operatorsText(c) === op;
}

function operatorsText(comparison: Node): string {
  return comparison.children
    .filter((ch) => !ch.isNamed)
    .map((ch) => ch.text)
    .join(' ');
}

function operatorOf(b: Node): string {
  return b.children.find((ch) => !ch.isNamed)?.text ?? '';
}

function same(a: Node, b: Node): boolean {
  return squash(unwrap(a).text) === squash(unwrap(b).text);
}

function squash(text: string): string {
  return text.replace(/\s+/g, '');
}

/**
 * Double-checked locking: between the test and the store, a lock is taken that is not
 * held at the test, and the state is tested again under it.
 */
function retestedUnderLock(model: SemanticModel, test: Node, act: Node, state: Node): boolean {
  const outer = new Set(model.locks.heldAt(test).map((a) => a.at.id));
  const text = squash(unwrap(state).text);
  for (let child: Node = act, p = act.parent; p && p.id !== test.id; child = p, p = p.parent) {
    if ((p.type === 'if_statement' || p.type === 'while_statement') && p.childForFieldName('condition')?.id !== child.id) {
      const cond = p.childForFieldName('condition');
      if (cond && squash(cond.text).includes(text) && (model.locks.heldAt(p).some((a) => !outer.has(a.at.id)) || model.locks.mayBeLockedAt(p))) return true;
    }
  }
  return false;
}

/** The test runs under a lock (known or of unknown kind), by every caller, or by the function's name. */
function lockedAround(model: SemanticModel, node: Node): boolean {
  return model.locks.mayBeLockedAt(node) || calledWithSomeLock(model, node) || namedAsLocked(model, node);
}

/**
 * A decorator that takes a lock around the call: named for it (`@synchronized`,
 * `@with_lock`, `@locked`), or a same-file decorator whose code takes a lock.
 */
export function lockingDecorator(model: SemanticModel, fn: Node): boolean {
  for (let f: Node | null = fn; f; f = model.enclosingFunction(f)) {
    const decorated = f.parent?.type === 'decorated_definition' ? f.parent : null;
    if (!decorated) continue;
    for (const d of decorated.namedChildren) {
      if (d?.type !== 'decorator') continue;
      if (/\b(?:synchroni[sz]ed?|\w*_?locked|with_\w*lock\w*|\w*lock\w*)\b/i.test(d.text)) return true;
      let e: Node | null = d.namedChildren[0] ?? null;
      if (e?.type === 'call') e = e.childForFieldName('function');
      const def = e ? model.localFunction(e) : null;
      if (def && model.threads.reachableFrom(def).some((g) => model.locks.acquisitionsIn(g).length > 0 || nestedAcquires(model, g))) return true;
    }
  }
  return false;
}

/** A def whose nested wrapper takes a lock. */
function nestedAcquires(model: SemanticModel, def: Node): boolean {
  for (const inner of def.descendantsOfType('function_definition')) if (inner && model.locks.acquisitionsIn(inner).length > 0) return true;
  return false;
}

// ---------------------------------------------------------------------------------------
// Shared state and concurrency.

/**
 * Why the state is shared and the function concurrent, or null when that cannot be
 * shown: `self.x` of a concurrent class or of an object whose method runs on several
 * threads; a module global (container, or a name the function declares `global`) in a
 * function that runs on several threads, or under the free-threading profile in a
 * public function.
 */
export function sharedState(model: SemanticModel, config: Pick<ThreadlintConfig, 'profile'>, state: Node, fn: Node, test: Node): Concurrency | null {
  const s = unwrap(state);
  if (s.type === 'attribute') {
    const binding = model.bindingOf(s);
    if (!binding?.cls) return null;
    const cls = model.classOf(fn) ?? binding.cls;
    if (threadPrivate(model, cls, fn)) return null;
    const shown = shownConcurrent(model, fn);
    if (shown) return shown;
    const concurrent = classConcurrency(model, cls);
    if (!concurrent || concurrent.declared) return concurrent;
    // A lock of its own is a hint, not proof, that this operation runs on several threads:
    // it must be taken on the same operation, or guard this very state elsewhere.
    const near = lockOnSameOperation(model, cls, fn, test) ?? (guardedElsewhere(model, s, test) ? 'the state is guarded elsewhere' : null);
    return near ? { text: `${concurrent.text.replace(/, so its methods are taken to run on several threads at once$/, '')}, and ${near}` } : null;
  }
  if (s.type === 'identifier') {
    const binding = model.resolveName(s.text, s);
    if (!binding?.key.startsWith('g:')) return null;
    const scope = model.scopeOf(s);
    const isContainer = moduleState(model).containers.some((c) => c.key === binding.key);
    // A bare name is only the global when the function says so; `D[k] = v` needs no `global`.
    if (!isContainer && !scope.globals.has(s.text) && !(s.parent?.type === 'subscript' || s.parent?.type === 'comparison_operator' || s.parent?.type === 'attribute')) return null;
    if (!isContainer && !globalWritten(model, s.text, fn)) return null;
    const shown = shownConcurrent(model, fn);
    if (shown) return shown;
    const name = functionName(fn);
    if (config.profile === 'free-threading' && !name.startsWith('_') && model.threads.entriesReaching(fn).length === 0 && possiblyConcurrent(model, fn, config)) {
      return { text: `\`${name}\` is a public function of a library module, which the free-threading profile takes to run on several threads at once` };
    }
    return null;
  }
  return null;
}

/** The function declares the name `global` (a lazy module global), or the test is in a function nested where the name resolves to the module. */
function globalWritten(model: SemanticModel, name: string, fn: Node): boolean {
  for (let f: Node | null = fn; f; f = model.enclosingFunction(f)) if (model.scopeOf(f.childForFieldName('body') ?? f).globals.has(name)) return true;
  return false;
}

/**
 * State private to one thread: the method of a Thread subclass reached only from its
 * own `run` (or `run` itself), when no other method of the class touches the state —
 * approximated by "only `run` and what it calls".
 */
function threadPrivate(model: SemanticModel, cls: ClassInfo, fn: Node): boolean {
  if (!model.isThreadSubclass(cls)) return false;
  const run = cls.methods.get('run');
  if (!run) return false;
  return run.id === fn.id || model.threads.reachableFrom(run).some((f) => f.id === fn.id && model.threads.callSites(fn).every((c) => model.threads.reachableFrom(run).some((g) => g.id === model.enclosingFunction(c)?.id)));
}

// ---------------------------------------------------------------------------------------
// Harm: when does a second fill matter?

/** Why filling the key twice does harm, or null for a memo of an equivalent value. */
function dictHarm(model: SemanticModel, container: Node, value: Node, act: Node): string | null {
  const made = madeValue(model, value);
  if (made) return `both threads build ${made}, one overwrites the other's, and each thread goes on with a different one`;
  const guard = guardedElsewhere(model, container, act);
  if (guard) return `\`${oneText(container)}\` is changed under ${guard} elsewhere, so other threads rely on it`;
  return null;
}

/** Why initialising twice does harm, or null when a second initialisation is harmless. */
function lazyHarm(model: SemanticModel, state: Node, value: Node, test: Node, act: Node): string | null {
  const made = madeValue(model, value);
  if (made) return `both threads build ${made} and one is lost while the other thread already uses it`;
  const kind = containerKindOf(model, value);
  if (kind && mutatedElsewhere(model, state, test)) {
    return `the fresh ${kind} replaces one another thread may already have filled (\`${oneText(state)}\` is changed in place elsewhere): those changes are lost`;
  }
  const guard = guardedElsewhere(model, state, act);
  if (guard) return `\`${oneText(state)}\` is set under ${guard} elsewhere, so the class means to guard it`;
  const started = startsThread(model, test);
  if (started) return `the block starts \`${started}\`, so a second pass starts a second one`;
  return null;
}

/**
 * What a value expression builds whose identity matters: a lock, thread, queue or
 * executor (by the model's kinds), a fresh container that the state then collects into,
 * or a connection-like resource (by the constructor's name).
 */
function madeValue(model: SemanticModel, value: Node): string | null {
  const v = localValue(model, unwrap(value));
  const type = model.typeOf(v);
  if (type && !type.collection && SHARED_KINDS.has(type.kind)) return `${/^[AEIOU]/.test(type.kind) ? 'an' : 'a'} \`${type.kind}\` (\`${oneText(v, 40)}\`)`;
  if (v.type === 'assignment') return null;
  if (v.type === 'call') {
    const fn = v.childForFieldName('function');
    const last = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.type === 'identifier' ? fn.text : null;
    if (last && RESOURCE.test(last) && !/^(?:get|is|has)_?/i.test(last)) return `a resource (\`${oneText(v, 40)}\`)`;
  }
  if (containerKindOf(model, v) && isEmptyContainer(v)) return `a fresh ${containerKindOf(model, v)} (\`${oneText(v, 40)}\`) that callers add to`;
  return null;
}

/** A local name assigned once in its function stands for the value it was assigned. */
function localValue(model: SemanticModel, v: Node): Node {
  if (v.type !== 'identifier') return v;
  const binding = model.resolveName(v.text, v);
  if (!binding || binding.key.startsWith('g:') || binding.sites.length !== 1) return v;
  const site = binding.sites[0];
  return site.type === 'assign' && site.value ? unwrap(site.value) : v;
}

function isEmptyContainer(v: Node): boolean {
  if (v.type === 'call') return (v.childForFieldName('arguments')?.namedChildren.length ?? 0) === 0;
  return v.namedChildren.length === 0;
}

/** A lock held at some other store or in-place change of the state in the same class or module. */
function guardedElsewhere(model: SemanticModel, state: Node, act: Node): string | null {
  const text = squash(unwrap(state).text);
  const fn = model.enclosingFunction(act);
  const scope = model.classOf(act)?.node ?? model.root;
  for (const node of [...model.nodes('assignment'), ...model.nodes('augmented_assignment'), ...model.calls]) {
    if (!scope.contains(node) || node.id === act.id) continue;
    const touched = node.type === 'call' ? mutatedReceiver(model, node) : node.childForFieldName('left');
    if (!touched) continue;
    const t = unwrap(touched);
    const base = t.type === 'subscript' ? t.childForFieldName('value') : t;
    if (!base || squash(base.text) !== text) continue;
    const owner = model.enclosingFunction(node);
    if (!owner || CONSTRUCTION.has(functionName(owner))) continue;
    // Another definition of the same method (`if _mswindows: def poll…` / `else: def poll…`) is an alternative, not a neighbour.
    if (fn && owner.id !== fn.id && (functionName(owner) === functionName(fn) || inOtherBranches(owner, fn))) continue;
    const held = model.locks.heldAt(node);
    if (held.length === 0) continue;
    if (owner.id === fn?.id && held.some((a) => model.locks.heldAt(act).some((b) => b.at.id === a.at.id))) continue;
    const a = held[held.length - 1];
    return `\`${a.expr.text}\` (line ${node.startPosition.row + 1})`;
  }
  return null;
}

/** Two defs in different branches of one `if` (platform variants): never both defined. */
function inOtherBranches(a: Node, b: Node): boolean {
  for (let p = a.parent; p; p = p.parent) {
    if (p.type !== 'if_statement' || !p.contains(b)) continue;
    const branchOf = (n: Node) => p!.namedChildren.find((c) => c && c.type !== 'comment' && c.contains(n))?.id;
    return branchOf(a) !== branchOf(b);
  }
  return false;
}

function mutatedReceiver(model: SemanticModel, call: Node): Node | null {
  const mc = model.methodCall(call);
  return mc && MUTATORS.has(mc.method) ? mc.receiver : null;
}

/** The state is changed in place somewhere (`X.append`, `X[k] = v`) outside construction. */
function mutatedElsewhere(model: SemanticModel, state: Node, test: Node): boolean {
  const text = squash(unwrap(state).text);
  const scope = model.classOf(test)?.node ?? model.root;
  for (const call of model.calls) {
    if (!scope.contains(call)) continue;
    const r = mutatedReceiver(model, call);
    if (r && squash(r.text) === text) return true;
  }
  for (const a of model.nodes('assignment')) {
    if (!scope.contains(a)) continue;
    const l = a.childForFieldName('left');
    const t = l ? unwrap(l) : null;
    if (t?.type === 'subscript' && squash(t.childForFieldName('value')?.text ?? '') === text) return true;
  }
  return false;
}

/** A `<Thread>.start()` call in the if block. */
function startsThread(model: SemanticModel, test: Node): string | null {
  const body = test.type === 'block' ? test : test.childForFieldName('consequence');
  if (!body) return null;
  for (const call of model.calls) {
    if (!body.contains(call)) continue;
    const mc = model.methodCall(call);
    if (mc?.method === 'start' && model.kindOf(mc.receiver) === 'Thread') return oneText(call);
  }
  return null;
}

function oneText(n: Node, max = 60): string {
  const flat = n.text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

// ---------------------------------------------------------------------------------------
// The queue form.

function getAfterEmpty(model: SemanticModel, config: Pick<ThreadlintConfig, 'profile'>, call: Node): CheckThenAct | null {
  const mc = model.methodCall(call);
  if (!mc || (mc.method !== 'get' && mc.method !== 'get_nowait')) return null;
  if (model.kindOf(mc.receiver) !== 'Queue') return null;
  const blocking = mc.method === 'get' && blocks(model, call);
  if (!blocking && handlesEmpty(call)) return null;
  for (let child: Node = call, p = call.parent; p && !BOUNDARIES.has(p.type); child = p, p = p.parent) {
    const isIf = p.type === 'if_statement' && p.childForFieldName('consequence')?.id === child.id;
    const isWhile = p.type === 'while_statement' && p.childForFieldName('body')?.id === child.id;
    if (!isIf && !isWhile) continue;
    const condition = p.childForFieldName('condition');
    if (!condition || !testsNotEmpty(model, condition, mc.receiver)) continue;
    const fn = model.enclosingFunction(p);
    if (!fn || CONSTRUCTION.has(functionName(fn)) || isAsync(fn)) return null;
    if (lockedAround(model, p) || lockingDecorator(model, fn)) return null;
    const concurrency = otherConsumers(model, config, mc.receiver, fn);
    if (!concurrency) return null;
    const harm = blocking
      ? `another consumer can take the last item between the test and \`${oneText(call)}\`, which then blocks until something else is put`
      : `another consumer can take the last item between the test and \`${oneText(call)}\`, which then raises \`queue.Empty\``;
    return { form: 'queue', test: p, condition, act: call, state: mc.receiver, harm, concurrency };
  }
  return null;
}

/** `q.get()`, `q.get(True)`, `q.get(timeout=…)` wait; `get(False)`, `get(block=False)` do not. */
function blocks(model: SemanticModel, call: Node): boolean {
  const { positional, keywords, hasSplat } = model.args(call);
  if (hasSplat) return false;
  const flag = keywords.get('block') ?? positional[0];
  return !flag || unwrap(flag).type === 'true';
}

/** The non-blocking get sits in a `try` with an `except` that catches `Empty` (or everything). */
function handlesEmpty(call: Node): boolean {
  return caughtAround(call, ['Empty'], (n) => BOUNDARIES.has(n.type));
}

/** `not Q.empty()`, `Q.qsize()` / `Q.qsize() > 0` / `len(Q.queue)`-free forms on the same queue. */
function testsNotEmpty(model: SemanticModel, condition: Node, queue: Node): boolean {
  const c = unwrap(condition);
  if (c.type === 'boolean_operator') {
    return operatorOf(c) === 'and' && [c.childForFieldName('left'), c.childForFieldName('right')].some((s) => s && testsNotEmpty(model, s, queue));
  }
  let call: Node | null = null;
  if (c.type === 'not_operator') {
    const arg = c.childForFieldName('argument');
    call = arg ? unwrap(arg) : null;
    const mc = call?.type === 'call' ? model.methodCall(call) : null;
    return mc?.method === 'empty' && same(mc.receiver, queue);
  }
  if (c.type === 'call') call = c;
  if (c.type === 'comparison_operator' && /^(?:>|!=)$/.test(operatorsText(c)) && c.namedChildren[1]?.text === '0') call = unwrap(c.namedChildren[0]!);
  const mc = call?.type === 'call' ? model.methodCall(call) : null;
  return mc?.method === 'qsize' && same(mc.receiver, queue);
}

/**
 * Another consumer of the same queue is shown: this function runs on several threads at
 * once, or another function that also takes from the queue runs on a thread while this
 * one runs elsewhere.
 */
function otherConsumers(model: SemanticModel, config: Pick<ThreadlintConfig, 'profile'>, queue: Node, fn: Node): Concurrency | null {
  const many = model.threads.entriesReaching(fn).find((e) => e.many && !e.processPool);
  if (many) return shownConcurrent(model, fn);
  const key = model.bindingOf(unwrap(queue))?.key;
  if (!key) return null;
  const mine = new Set(model.threads.entriesReaching(fn).map((e) => e.fn.id));
  for (const call of model.calls) {
    const mc = model.methodCall(call);
    if (!mc || (mc.method !== 'get' && mc.method !== 'get_nowait')) continue;
    const other = model.enclosingFunction(call);
    if (!other || other.id === fn.id || model.bindingOf(unwrap(mc.receiver))?.key !== key) continue;
    const entry = model.threads.entriesReaching(other).find((e) => !e.processPool && !mine.has(e.fn.id));
    if (entry) {
      return { text: `\`${functionName(other)}\` also takes from \`${oneText(queue)}\` on a thread (line ${entry.via.startPosition.row + 1})` };
    }
  }
  void config;
  return null;
}

// ---------------------------------------------------------------------------------------
// The split form: test under `with L:`, act under a later `with L:`.

function splitAcrossLocks(model: SemanticModel, config: Pick<ThreadlintConfig, 'profile'>, assignment: Node): CheckThenAct | null {
  const left = assignment.childForFieldName('left');
  const value = assignment.childForFieldName('right');
  if (!left || !value) return null;
  const target = unwrap(left);
  const state = target.type === 'subscript' ? target.childForFieldName('value') : target.type === 'attribute' ? target : null;
  if (!state) return null;
  const key = target.type === 'subscript' ? target.childForFieldName('subscript') : null;
  const heldAct = model.locks.heldAt(assignment).filter((a) => a.how === 'with');
  if (heldAct.length === 0) return null;
  const inner = heldAct[heldAct.length - 1];
  const fn = model.enclosingFunction(assignment);
  if (!fn || CONSTRUCTION.has(functionName(fn)) || isAsync(fn)) return null;
  const withStmt = withOf(inner.at);
  if (!withStmt) return null;
  // Retested under this hold before the store: fine.
  if (testedBetween(model, withStmt, assignment, state, key)) return null;
  for (const earlier of model.locks.acquisitionsIn(fn)) {
    if (earlier.how !== 'with' || earlier.key !== inner.key || earlier.at.id === inner.at.id) continue;
    const first = withOf(earlier.at);
    if (!first || first.endIndex > withStmt.startIndex || first.contains(withStmt)) continue;
    const probe = firstTestIn(model, first, state, key);
    if (!probe) continue;
    // The first hold tested and acted itself (`if owner is None: owner = me`): nothing left to the second.
    if (assignsIn(model, first, state, key, probe)) continue;
    // Only when the second block is reached because of what the first one saw.
    if (!dependsOn(first, withStmt, probe)) continue;
    if (calledWithSomeLock(model, first) || lockingDecorator(model, fn)) return null;
    const shared = sharedState(model, config, state, fn, first);
    if (!shared) return null;
    const harm = key ? dictHarm(model, state, value, assignment) : lazyHarm(model, state, value, withStmt, assignment);
    if (!harm) return null;
    return { form: 'split', test: testStatement(model, probe), condition: probe, act: assignment, state, key: key ?? undefined, value, harm, concurrency: shared, locks: [earlier, inner] };
  }
  return null;
}

/** A coroutine runs on one event loop: between two awaits nothing else runs. */
function isAsync(fn: Node): boolean {
  return fn.type === 'function_definition' && fn.children.some((c) => c.type === 'async');
}

/** The block stores to the state (or its key) after the probe. */
function assignsIn(model: SemanticModel, block: Node, state: Node, key: Node | null, probe: Node): boolean {
  const text = squash(unwrap(state).text);
  return model.nodes('assignment').some((a) => {
    if (!block.contains(a) || a.startIndex < probe.startIndex) return false;
    const l = a.childForFieldName('left');
    const t = l ? unwrap(l) : null;
    if (!t) return false;
    if (key) return t.type === 'subscript' && squash(t.childForFieldName('value')?.text ?? '') === text && same(t.childForFieldName('subscript')!, key);
    return squash(t.text) === text;
  });
}

/** The `if` / `while` whose condition holds the probe, else the probe's statement. */
function testStatement(model: SemanticModel, probe: Node): Node {
  for (let child: Node = probe, p = probe.parent; p && !BOUNDARIES.has(p.type) && p.type !== 'block'; child = p, p = p.parent) {
    if ((p.type === 'if_statement' || p.type === 'while_statement' || p.type === 'elif_clause') && p.childForFieldName('condition')?.id === child.id) return p;
  }
  return model.statementOf(probe);
}

function withOf(item: Node): Node | null {
  for (let p = item.parent; p; p = p.parent) if (p.type === 'with_statement') return p;
  return null;
}

/** The first test of the state inside a `with` block: `k in D`, `D.get(k)`, `X is None`, `not X`. */
function firstTestIn(model: SemanticModel, block: Node, state: Node, key: Node | null): Node | null {
  const text = squash(unwrap(state).text);
  for (const n of block.descendantsOfType(['comparison_operator', 'call', 'not_operator'])) {
    if (!n) continue;
    if (n.type === 'comparison_operator') {
      const ops = operatorsText(n);
      const [a, b] = n.namedChildren;
      if (key && (ops === 'in' || ops === 'not in') && a && b && squash(b.text) === text && same(a, key)) return n;
      if (!key && (ops === 'is' || ops === 'is not') && a && squash(unwrap(a).text) === text && b?.type === 'none') return n;
    } else if (n.type === 'call' && key) {
      const mc = model.methodCall(n);
      const first = model.args(n).positional[0];
      if (mc?.method === 'get' && squash(mc.receiver.text) === text && first && same(first, key)) return n;
    } else if (n.type === 'not_operator' && !key) {
      const arg = n.childForFieldName('argument');
      if (arg && squash(unwrap(arg).text) === text) return n;
    }
  }
  return null;
}

function testedBetween(model: SemanticModel, withStmt: Node, act: Node, state: Node, key: Node | null): boolean {
  const probe = firstTestIn(model, withStmt, state, key);
  return !!probe && probe.startIndex < act.startIndex;
}

/**
 * The second `with` runs only on the path the first one's answer chose: it sits in the
 * same block after an early `return` inside the first (`if k in D: return D[k]`), or
 * under an `if` after the first block (`if v is None: … with L: D[k] = v`).
 */
function dependsOn(first: Node, second: Node, probe: Node): boolean {
  const exits = first.descendantsOfType(['return_statement', 'raise_statement', 'continue_statement']).some((r) => r && r.startIndex > probe.startIndex);
  if (exits) return true;
  for (let p = second.parent; p && p.startIndex > first.endIndex - 1; p = p.parent) {
    if (p.type === 'if_statement' && p.startIndex >= first.endIndex) return true;
  }
  return false;
}
