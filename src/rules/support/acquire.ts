import type { Node } from '../../engine/tree/index.js';
import type { Kind } from '../../engine/model/kinds.js';
import { LOCK_LIKE } from '../../engine/model/kinds.js';
import { unwrap, type SemanticModel } from '../../engine/model/model.js';
import type { ProposedFix } from '../../engine/rule.js';
import { nextStatement, statementCall } from '../../engine/model/statements.js';
import { indentUnit, leadOf } from './indent.js';

/**
 * What the acquire/release and blocking-call rules (TL101, TL102, TL103, TL201) share:
 * recognising lock calls and their arguments, finding the `try: … finally: L.release()`
 * that guarantees a release, statement siblings in a block, the file's indentation unit,
 * and futures known to be finished.
 */

export interface LockCall {
  call: Node;
  receiver: Node;
  kind: Kind;
}

/** `X.<method>(…)` where X is a Lock, RLock, Semaphore or Condition. */
export function lockMethodCall(model: SemanticModel, call: Node, method: string): LockCall | null {
  const m = model.methodCall(call);
  if (m?.method !== method) return null;
  const kind = model.kindOf(m.receiver);
  return kind && LOCK_LIKE.has(kind) ? { call, receiver: m.receiver, kind } : null;
}

/** How a call waits: forever, with a timeout, not at all, or unknown (a variable flag, `**kw`). */
export type WaitMode = 'blocking' | 'timeout' | 'non-blocking' | 'unknown';

/**
 * The wait mode of a call whose signature is `(block, timeout)` (`acquire`, `Queue.get`)
 * or `(timeout)` (`join`, `wait`, `result`). `blockName` is the keyword of the flag
 * (`blocking` or `block`), or null when the call has no flag.
 */
export function waitMode(model: SemanticModel, call: Node, blockName: string | null, timeoutIndex: number): WaitMode {
  // `f(x for x in xs)`: the generator is the one argument.
  if (call.childForFieldName('arguments')?.type === 'generator_expression') return timeoutIndex === 0 ? 'unknown' : 'blocking';
  const args = model.args(call);
  if (args.hasSplat) return 'unknown';
  if (blockName) {
    const flag = args.keywords.get(blockName) ?? (timeoutIndex > 0 ? args.positional[0] : undefined);
    if (flag) {
      const v = literal(flag);
      if (v === false) return 'non-blocking';
      if (v !== true) return 'unknown';
    }
  }
  const timeout = args.keywords.get('timeout') ?? args.positional[timeoutIndex];
  if (!timeout) return 'blocking';
  const t = unwrap(timeout);
  // `timeout=None` and `timeout=-1` both mean "wait forever".
  if (t.type === 'none' || (t.type === 'unary_operator' && t.text.replace(/\s+/g, '') === '-1')) return 'blocking';
  return 'timeout';
}

/** `L.acquire(...)`: blocking flag first, timeout second. */
export function acquireMode(model: SemanticModel, call: Node): WaitMode {
  return waitMode(model, call, 'blocking', 1);
}

/** True/False for `True`, `False`, `1`, `0`; undefined for anything else. */
function literal(node: Node): boolean | undefined {
  const n = unwrap(node);
  if (n.type === 'true') return true;
  if (n.type === 'false') return false;
  if (n.type === 'integer') return n.text !== '0';
  return undefined;
}

/** The same lock: the same binding when both resolve, else the same text. */
export function sameLock(model: SemanticModel, a: Node, b: Node): boolean {
  const ka = model.bindingOf(a)?.key;
  const kb = model.bindingOf(b)?.key;
  if (ka && kb) return ka === kb;
  return squash(unwrap(a).text) === squash(unwrap(b).text);
}

function squash(text: string): string {
  return text.replace(/\s+/g, '');
}

/** The first statement of a block, skipping comments. */
function firstStatement(block: Node | null): Node | null {
  for (const n of block?.namedChildren ?? []) if (n && n.type !== 'comment') return n;
  return null;
}

/** Whether `inner` lies inside `outer` (or is it). */
function within(inner: Node, outer: Node): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

interface LockCallIndex {
  /** Every `X.acquire(…)` / `X.release(…)` call of the file, in source order. */
  calls: { call: Node; receiver: Node; method: string }[];
  /** Release calls by the id of their enclosing function (-1 at module level). */
  releasesByFunction: Map<number, { call: Node; receiver: Node; method: string }[]>;
}

const lockCallCache = new WeakMap<SemanticModel, LockCallIndex>();

/** The file's acquire/release calls, indexed once from the model's call list. */
function lockCallIndex(model: SemanticModel): LockCallIndex {
  let index = lockCallCache.get(model);
  if (!index) {
    const calls = model.calls.flatMap((call) => {
      const m = model.methodCall(call);
      return m && (m.method === 'acquire' || m.method === 'release') ? [{ call, receiver: m.receiver, method: m.method }] : [];
    });
    const releasesByFunction = new Map<number, LockCallIndex['calls']>();
    for (const c of calls) {
      if (c.method !== 'release') continue;
      const fn = model.enclosingFunction(c.call)?.id ?? -1;
      const list = releasesByFunction.get(fn);
      if (list) list.push(c);
      else releasesByFunction.set(fn, [c]);
    }
    index = { calls, releasesByFunction };
    lockCallCache.set(model, index);
  }
  return index;
}

/** Calls `lock.<method>(…)` inside a subtree (binary search over the calls in source order). */
function lockCallsIn(model: SemanticModel, root: Node, lock: Node, methods: readonly string[]): Node[] {
  const { calls } = lockCallIndex(model);
  let lo = 0;
  let hi = calls.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (calls[mid].call.startIndex < root.startIndex) lo = mid + 1;
    else hi = mid;
  }
  const out: Node[] = [];
  for (let i = lo; i < calls.length && calls[i].call.startIndex < root.endIndex; i++) {
    const c = calls[i];
    if (methods.includes(c.method) && within(c.call, root) && sameLock(model, c.receiver, lock)) out.push(c.call);
  }
  return out;
}

/** A `try` statement whose `finally:` calls `lock.release()`. */
export function finallyReleases(model: SemanticModel, stmt: Node | null, lock: Node): boolean {
  if (stmt?.type !== 'try_statement') return false;
  const fin = stmt.namedChildren.find((c) => c?.type === 'finally_clause');
  return !!fin && lockCallsIn(model, fin, lock, ['release']).length > 0;
}

/** A block that always leaves: ends in `raise`, `return`, `break` or `continue`. */
function leaves(block: Node | null): boolean {
  const stmts = (block?.namedChildren ?? []).filter((n) => n && n.type !== 'comment');
  const last = stmts[stmts.length - 1];
  return !!last && ['raise_statement', 'return_statement', 'break_statement', 'continue_statement'].includes(last.type);
}

/** `lock.release()` as the statement itself: nothing can fail between it and an acquire just before. */
function isRelease(model: SemanticModel, stmt: Node | null, lock: Node): boolean {
  const call = statementCall(stmt);
  const m = call && model.methodCall(call);
  return !!m && m.method === 'release' && sameLock(model, m.receiver, lock);
}

/** A `try` with a releasing `finally:`, or the release itself, opening a branch. */
function branchReleases(model: SemanticModel, block: Node | null, lock: Node): boolean {
  const first = firstStatement(block);
  return finallyReleases(model, first, lock) || isRelease(model, first, lock);
}

/**
 * Whether the lock taken by `acquire` is released on every path: a `try` whose
 * `finally:` releases it starts right after the acquiring statement (allowing blocking
 * acquires of other locks between, as in `with a, b:`) or right after the
 * `if not ok: raise` that tests its result; or it opens the `if ok:` /
 * `if L.acquire(…):` branch (or its `else:`); or it encloses the acquire. A release
 * that is the very next statement counts too: nothing between can fail.
 */
export function releaseGuaranteed(model: SemanticModel, acquire: LockCall): boolean {
  const { call, receiver } = acquire;
  const stmt = model.statementOf(call);
  const next = nextStatement(stmt);
  if (statementCall(stmt)?.id === call.id && isRelease(model, next, receiver)) return true;
  // `a.acquire()` / `b.acquire()` / `try: … finally: b.release(); a.release()`: the
  // locks taken together count as one step, as in `with a, b:`.
  let tryStmt = next;
  while (tryStmt && isOtherAcquire(model, tryStmt)) tryStmt = nextStatement(tryStmt);
  if (finallyReleases(model, tryStmt, receiver)) return true;
  // The if that tests the acquire: `if L.acquire(False):`, or `ok = L.acquire(…)` then `if ok:`.
  const check = stmt.type === 'if_statement' && within(call, stmt.childForFieldName('condition') ?? stmt) ? stmt : testsResult(stmt, call);
  if (check) {
    // `if not ok: raise` / `try: … finally: L.release()`
    if (leaves(check.childForFieldName('consequence')) && !check.childForFieldName('alternative') && finallyReleases(model, nextStatement(check), receiver)) return true;
    if (branchReleases(model, check.childForFieldName('consequence'), receiver)) return true;
    const alternative = check.childForFieldName('alternative');
    if (alternative?.type === 'else_clause' && branchReleases(model, alternative.childForFieldName('body'), receiver)) return true;
  }
  // A `try` that encloses the acquire in its body (not in a handler or the finally).
  const fn = model.enclosingFunction(call);
  for (let n = stmt.parent; n && n.id !== fn?.id; n = n.parent) {
    if (n.type !== 'block' || n.parent?.type !== 'try_statement') continue;
    if (n.parent.childForFieldName('body')?.id === n.id && finallyReleases(model, n.parent, receiver)) return true;
  }
  return false;
}

/** A statement that is only a blocking `X.acquire()` (of any lock, resolved or not). */
function isOtherAcquire(model: SemanticModel, stmt: Node): boolean {
  const call = statementCall(stmt);
  return !!call && model.methodCall(call)?.method === 'acquire' && acquireMode(model, call) === 'blocking';
}

/** For `ok = L.acquire(…)`: the `if` right after it whose condition reads `ok`. */
function testsResult(stmt: Node, call: Node): Node | null {
  const assign = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : null;
  const left = assign?.type === 'assignment' ? assign.childForFieldName('left') : null;
  const right = assign?.childForFieldName('right');
  if (left?.type !== 'identifier' || !right || unwrap(right).id !== call.id) return null;
  const next = nextStatement(stmt);
  const condition = next?.type === 'if_statement' ? next.childForFieldName('condition') : null;
  const reads = condition?.descendantsOfType('identifier').some((id) => id?.text === left.text);
  return reads ? next : null;
}

/**
 * Whether the same function (or the module, at top level) releases the lock after this
 * acquire, outside an `except:` handler. Without such a release the acquire is a
 * hand-off or a signal — another function or thread releases it, and a release only
 * on failure means the lock is meant to stay held on success — not a critical section,
 * and TL101 does not apply.
 */
export function releasedLaterInScope(model: SemanticModel, acquire: LockCall): boolean {
  const fn = model.enclosingFunction(acquire.call);
  const releases = lockCallIndex(model).releasesByFunction.get(fn?.id ?? -1) ?? [];
  return releases.some(
    (c) => c.call.startIndex > acquire.call.endIndex && !inExceptHandler(c.call, fn) && sameLock(model, c.receiver, acquire.receiver),
  );
}

function inExceptHandler(node: Node, fn: Node | null): boolean {
  for (let n = node.parent; n && n.id !== fn?.id; n = n.parent) if (n.type === 'except_clause') return true;
  return false;
}

/**
 * Acquires that hand the lock to a caller on purpose: the acquire is the function's
 * `return` value, or the function is itself an acquire/enter protocol method
 * (`__enter__`, `acquire`, `_acquire_lock` …) whose counterpart releases.
 */
export function delegatesRelease(model: SemanticModel, call: Node): boolean {
  const stmt = model.statementOf(call);
  if (stmt.type === 'return_statement') return true;
  const fn = model.enclosingFunction(call);
  const name = fn?.type === 'function_definition' ? fn.childForFieldName('name')?.text : undefined;
  return !!name && /^(?:__enter__|__aenter__|_*acquire\w*|_*lock|\w*_acquire)$/i.test(name);
}

/** TL101's question, shared with TL201 (which stays silent where TL101 speaks). */
export function isBareAcquire(model: SemanticModel, call: Node): LockCall | null {
  const acquire = lockMethodCall(model, call, 'acquire');
  if (!acquire || !releasedLaterInScope(model, acquire) || releaseGuaranteed(model, acquire) || delegatesRelease(model, call)) return null;
  return acquire;
}

// ---------------------------------------------------------------- text and indentation

/** The leading whitespace of a (0-based) row. */
/**
 * What follows a statement on its last line when it is alone on its lines: '' or a
 * trailing comment with its leading spaces. Null when code shares the lines.
 */
export function trailingComment(lines: readonly string[], stmt: Node): string | null {
  const before = (lines[stmt.startPosition.row] ?? '').slice(0, stmt.startPosition.column);
  const after = (lines[stmt.endPosition.row] ?? '').slice(stmt.endPosition.column).trimEnd();
  if (before.trim() !== '') return null;
  return after.trim() === '' || after.trimStart().startsWith('#') ? after : null;
}

/** Whether a statement is alone on its lines: only whitespace before it and after it. */
function aloneOnLines(lines: readonly string[], stmt: Node): boolean {
  const before = (lines[stmt.startPosition.row] ?? '').slice(0, stmt.startPosition.column);
  const after = (lines[stmt.endPosition.row] ?? '').slice(stmt.endPosition.column);
  return before.trim() === '' && after.trim() === '';
}

/** A string literal spanning several lines: re-indenting would change its value. */
function hasMultilineString(nodes: readonly Node[]): boolean {
  return nodes.some((n) =>
    n.descendantsOfType(['string', 'concatenated_string']).some((s) => !!s && s.endPosition.row > s.startPosition.row),
  );
}

/**
 * TL101's fix: `L.acquire()` … `L.release()` as statements of one block become
 * `with L:` over the statements between, re-indented by one unit. Null when the span
 * cannot be rewritten faithfully (a timed acquire, another acquire/release of L between,
 * a multi-line string, other code sharing the lines).
 */
export function withBlockFix(model: SemanticModel, source: string, acquire: LockCall): ProposedFix | null {
  const stmt = model.statementOf(acquire.call);
  if (statementCall(stmt)?.id !== acquire.call.id || acquireMode(model, acquire.call) !== 'blocking') return null;
  if (!['block', 'module'].includes(stmt.parent?.type ?? '')) return null;
  if (acquire.receiver.startPosition.row !== acquire.receiver.endPosition.row) return null;
  const lines = model.lines;
  const comment = trailingComment(lines, stmt);
  if (comment === null) return null;

  const between: Node[] = [];
  let release: Node | null = null;
  for (let n = stmt.nextNamedSibling; n; n = n.nextNamedSibling) {
    const call = statementCall(n);
    const m = call && model.methodCall(call);
    if (call && m?.method === 'release' && model.args(call).positional.length === 0 && sameLock(model, m.receiver, acquire.receiver)) {
      release = n;
      break;
    }
    between.push(n);
  }
  if (!release || !aloneOnLines(lines, release)) return null;
  if (between.some((n) => lockCallsIn(model, n, acquire.receiver, ['acquire', 'release']).length > 0)) return null;
  if (hasMultilineString(between)) return null;

  const indent = leadOf(lines, stmt.startPosition.row);
  const unit = indentUnit(model, lines, stmt);
  const out = [`${indent}with ${acquire.receiver.text}:${comment}`];
  for (let row = stmt.endPosition.row + 1; row < release.startPosition.row; row++) {
    const line = lines[row] ?? '';
    out.push(line.trim() === '' ? line : unit + line);
  }
  return {
    description: `Replace the acquire/release pair with \`with ${acquire.receiver.text}:\``,
    edits: [
      {
        startLine: stmt.startPosition.row + 1,
        startColumn: 1,
        endLine: release.endPosition.row + 1,
        endColumn: release.endPosition.column + 1,
        text: out.join('\n'),
      },
    ],
  };
}

// ---------------------------------------------------------------- finished futures

const callbackCache = new WeakMap<SemanticModel, Set<string>>();

/**
 * Binding keys of the parameters through which `fut.add_done_callback(cb)` hands a
 * done future to `cb` (its first parameter, after `self` for a bound method).
 */
function doneCallbackParams(model: SemanticModel): Set<string> {
  let keys = callbackCache.get(model);
  if (keys) return keys;
  keys = new Set();
  for (const call of model.calls) {
    if (model.methodCall(call)?.method !== 'add_done_callback') continue;
    const arg = model.args(call).positional[0];
    const fn = arg && model.localFunction(arg);
    if (!fn) continue;
    const params = (fn.childForFieldName('parameters')?.namedChildren ?? []).filter((p): p is Node => !!p && p.type !== 'comment');
    const bound = unwrap(arg).type === 'attribute' ? 1 : 0;
    const param = params[bound];
    const name = param?.type === 'identifier' ? param : (param?.childForFieldName('name') ?? param?.namedChildren.find((c) => c?.type === 'identifier'));
    if (name?.type === 'identifier') {
      const key = model.resolveName(name.text, fn.childForFieldName('body') ?? fn)?.key;
      if (key) keys.add(key);
    }
  }
  callbackCache.set(model, keys);
  return keys;
}

/**
 * `for f in as_completed(fs): f.result()` where `f` is also bound elsewhere in the
 * function (so the model's flow-insensitive type is not `finished`): the innermost
 * enclosing loop over `f` decides.
 */
function loopItemFinished(model: SemanticModel, expr: Node): boolean {
  const e = unwrap(expr);
  if (e.type !== 'identifier') return false;
  const fn = model.enclosingFunction(e);
  for (let n = e.parent; n && n.id !== fn?.id; n = n.parent) {
    if (n.type !== 'for_statement' || !within(e, n.childForFieldName('body') ?? n)) continue;
    const left = n.childForFieldName('left');
    if (left?.type !== 'identifier' || left.text !== e.text) continue;
    const iterable = n.childForFieldName('right');
    return !!iterable && !!model.typeOf(iterable)?.finished;
  }
  return false;
}

/**
 * Futures submitted inside `with Executor(...) as ex:` and read after that block: the
 * block's exit ran `shutdown(wait=True)`, so every one of them is done. Follows one
 * `for f in futures` step from the future to its collection.
 */
function doneAfterExecutorExit(model: SemanticModel, expr: Node, use: Node, depth: number): boolean {
  const binding = model.bindingOf(expr);
  if (!binding?.sites.length || depth > 1) return false;
  return binding.sites.every((site) => {
    if (site.type === 'for') return doneAfterExecutorExit(model, site.iterable, use, depth + 1);
    if (site.type !== 'assign' || !site.value) return false;
    const executorWith = enclosingExecutorWith(model, site.target);
    return !!executorWith && use.startIndex >= executorWith.stmt.endIndex && submitsTo(model, site.value, executorWith.alias);
  });
}

/** The innermost `with <Executor> as alias:` around a node, in the same function. */
function enclosingExecutorWith(model: SemanticModel, node: Node): { stmt: Node; alias: Node } | null {
  const fn = model.enclosingFunction(node);
  for (let n = node.parent; n && n.id !== fn?.id; n = n.parent) {
    if (n.type !== 'with_statement') continue;
    for (const item of n.namedChildren.find((c) => c?.type === 'with_clause')?.namedChildren ?? []) {
      const value = item?.type === 'with_item' ? item.childForFieldName('value') : null;
      const ctx = value?.type === 'as_pattern' ? value.namedChildren[0] : null;
      const alias = value?.childForFieldName('alias')?.namedChildren[0];
      if (ctx && alias?.type === 'identifier' && model.kindOf(ctx) === 'Executor') return { stmt: n, alias };
    }
  }
  return null;
}

/** `alias.submit(…)`, or a list/set/dict (comprehension) of such calls. */
function submitsTo(model: SemanticModel, value: Node, alias: Node): boolean {
  const v = unwrap(value);
  if (v.type === 'call') {
    const m = model.methodCall(v);
    return m?.method === 'submit' && m.receiver.type === 'identifier' && m.receiver.text === alias.text;
  }
  if (['list_comprehension', 'set_comprehension', 'generator_expression'].includes(v.type)) {
    const body = v.childForFieldName('body');
    return !!body && submitsTo(model, body, alias);
  }
  if (v.type === 'dictionary_comprehension') {
    const key = v.childForFieldName('body')?.childForFieldName('key');
    return !!key && submitsTo(model, key, alias);
  }
  if (v.type === 'list' || v.type === 'set' || v.type === 'tuple') {
    return v.namedChildren.length > 0 && v.namedChildren.every((c) => !!c && submitsTo(model, c, alias));
  }
  return false;
}

/**
 * A future known to be done: an item of `as_completed(…)`, of the `done` set of
 * `wait(…)`, the future a done-callback receives, or one whose executor's `with`
 * block has ended.
 */
export function isFinishedFuture(model: SemanticModel, expr: Node): boolean {
  if (model.typeOf(expr)?.finished || loopItemFinished(model, expr) || doneAfterExecutorExit(model, expr, expr, 0)) return true;
  const key = model.bindingOf(expr)?.key;
  return !!key && doneCallbackParams(model).has(key);
}

/**
 * `lock = threading.Lock()` just before this statement (only definitions or comments
 * between): an acquire there takes a lock no one else has had a chance to hold.
 */
export function followsConstruction(model: SemanticModel, stmt: Node, lock: Node): boolean {
  for (let n = stmt.previousNamedSibling; n; n = n.previousNamedSibling) {
    if (['comment', 'function_definition', 'decorated_definition', 'class_definition'].includes(n.type)) continue;
    const assign = n.type === 'expression_statement' ? n.namedChildren[0] : null;
    const left = assign?.type === 'assignment' ? assign.childForFieldName('left') : null;
    const right = assign?.childForFieldName('right');
    return !!left && !!right && unwrap(right).type === 'call' && !!model.kindOf(right) && sameLock(model, left, lock);
  }
  return false;
}
