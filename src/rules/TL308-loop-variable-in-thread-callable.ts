import type { Node } from '../engine/tree/index.js';
import type { SemanticModel } from '../engine/model/model.js';
import { createRule, type ProposedFix } from '../engine/rule.js';
import type { TextEdit } from '../engine/types.js';
import { withItems } from '../engine/model/scopes.js';
import { enclosingLoops, isWithin, leavesLoopAfter, loopBody, loopVariableKeys, type LoopNode } from './support/loops.js';

/**
 * A closure reads a variable when it runs, not when it is created. A thread target or
 * submitted task that closes over a loop variable runs later, after the loop has moved
 * on, and sees another iteration's value.
 */
export default createRule(
  {
    id: 'TL308',
    name: 'loop-variable-in-thread-callable',
    severity: 'error',
    summary: 'A lambda or nested function given to a thread or executor inside a loop reads the loop variable late.',
    why: 'Closures read variables when they run: by then the loop has rebound the variable and the task sees another iteration\'s value.',
    fix: 'sometimes',
  },
  (ctx) => {
    const { model } = ctx;
    for (const call of model.calls) {
      const handoff = threadHandoff(model, call);
      if (!handoff) continue;
      const loops = enclosingLoops(call, { comprehensions: true });
      if (loops.length === 0) continue;
      const fn = callableOf(model, handoff.callable);
      if (!fn) continue;
      const captured = capturedLoopVariables(model, fn, loops, call, handoff.bound);
      if (captured.length === 0) continue;
      const names = captured.map((c) => c.name);
      const list = names.map((n) => `\`${n}\``).join(', ');
      const binding = names.map((n) => `${n}=${n}`).join(', ');
      const shown = handoff.callable.type === 'lambda' ? 'This lambda' : `\`${handoff.callable.text}\``;
      const form = fn.type === 'lambda' ? `lambda ${binding}: …` : `def …(${binding})`;
      ctx.report({
        node: handoff.callable,
        message: `${shown} reads the loop variable${names.length > 1 ? 's' : ''} ${list} when it runs on ${handoff.where}, not when it is created: by then the loop may have moved on. Bind ${names.length > 1 ? 'them' : 'it'} as a default (\`${form}\`) or pass ${names.length > 1 ? 'them' : 'it'} as ${handoff.passAs}.`,
        fix: defaultArgumentFix(model, fn, captured, loops),
      });
    }
  },
);

interface Handoff {
  /** The expression handed over: a lambda, or a name of a function. */
  callable: Node;
  /** Text of the expressions passed alongside (`args=`, `kwargs=`, `submit(fn, i)`). */
  bound: Node[];
  where: string;
  passAs: string;
}

/** `threading.Thread(target=fn)`, `threading.Timer(t, fn)` or `executor.submit(fn, …)`. */
function threadHandoff(model: SemanticModel, call: Node): Handoff | null {
  const callee = model.calleeName(call);
  const { positional, keywords } = model.args(call);
  if (callee === 'threading.Thread') {
    const callable = keywords.get('target') ?? (positional[0]?.type === 'none' ? positional[1] : undefined);
    if (!callable) return null;
    const bound = [...positional.slice(2), keywords.get('args'), keywords.get('kwargs')].filter((n): n is Node => !!n);
    return { callable, bound, where: 'the new thread', passAs: '`args=(…)`' };
  }
  if (callee === 'threading.Timer') {
    const callable = keywords.get('function') ?? positional[1];
    if (!callable) return null;
    const bound = [...positional.slice(2), keywords.get('args'), keywords.get('kwargs')].filter((n): n is Node => !!n);
    return { callable, bound, where: 'the timer thread', passAs: '`args=(…)`' };
  }
  const m = model.methodCall(call);
  if (m?.method === 'submit' && model.kindOf(m.receiver) === 'Executor' && positional[0]) {
    const bound = [...positional.slice(1), ...keywords.values()];
    return { callable: positional[0], bound, where: 'the executor', passAs: 'arguments to `submit`' };
  }
  return null;
}

/** The lambda or nested def an expression names in this file (`f = lambda: …` included). */
function callableOf(model: SemanticModel, expr: Node): Node | null {
  const fn = model.localFunction(expr);
  if (fn) return fn;
  if (expr.type !== 'identifier') return null;
  const sites = model.resolveName(expr.text, expr)?.sites ?? [];
  const site = sites.length === 1 ? sites[0] : null;
  return site?.type === 'assign' && site.value?.type === 'lambda' ? site.value : null;
}

interface Captured {
  name: string;
  key: string;
  /** The loop that rebinds it. */
  loop: LoopNode;
}

/**
 * Loop variables the callable's body reads from the enclosing scope, minus those passed
 * alongside it and those of loops that wait for the task before their next iteration.
 */
function capturedLoopVariables(model: SemanticModel, fn: Node, loops: LoopNode[], call: Node, bound: Node[]): Captured[] {
  const body = fn.childForFieldName('body');
  if (!body) return [];
  const passed = new Set(bound.flatMap((b) => [b, ...b.descendantsOfType('identifier').filter((n): n is Node => !!n)]).filter((n) => n.type === 'identifier').map((n) => n.text));
  const loopKeys = loops.map((loop) => ({ loop, keys: loopVariableKeys(model, loop) }));
  const out: Captured[] = [];
  for (const id of body.descendantsOfType('identifier')) {
    if (!id || !isRead(id) || passed.has(id.text) || out.some((c) => c.name === id.text)) continue;
    const key = model.resolveName(id.text, id)?.key;
    if (!key) continue;
    const owner = loopKeys.find((l) => l.keys.has(key));
    if (!owner || leavesLoopAfter(call, owner.loop) || waitsWithinIteration(model, owner.loop, call)) continue;
    out.push({ name: id.text, key, loop: owner.loop });
  }
  return out;
}

/** An identifier used as a value: not an attribute name, keyword name or parameter. */
function isRead(id: Node): boolean {
  const parent = id.parent;
  if (!parent) return false;
  if (parent.type === 'attribute' && parent.childForFieldName('attribute')?.id === id.id) return false;
  if (parent.type === 'keyword_argument' && parent.childForFieldName('name')?.id === id.id) return false;
  if ((parent.type === 'default_parameter' || parent.type === 'typed_default_parameter') && parent.childForFieldName('name')?.id === id.id) return false;
  if (['parameters', 'lambda_parameters', 'typed_parameter', 'list_splat_pattern', 'dictionary_splat_pattern'].includes(parent.type)) return false;
  return true;
}

const WAIT_CALLS = new Set(['concurrent.futures.wait', 'concurrent.futures.as_completed']);
const COLLECT_METHODS = new Set(['append', 'appendleft', 'add', 'extend', 'insert']);

/**
 * Whether the loop's body waits for the started work after handing it over, before the
 * next iteration: `t.join()`, `f.result()`, `wait(fs)`, `ex.shutdown()`, the end of a
 * `with Executor() as ex:` block inside the loop, or the thread or future (or the list
 * that collects it) passed on to other code, such as a helper that joins.
 */
function waitsWithinIteration(model: SemanticModel, loop: LoopNode, call: Node): boolean {
  const body = loopBody(loop);
  if (!body) return false;
  for (let n = call.parent; n && isWithin(n, body) && n.id !== body.id; n = n.parent) {
    if (n.type !== 'with_statement') continue;
    if (withItems(n).some((item) => {
      const value = item.childForFieldName('value');
      const ctxExpr = value?.type === 'as_pattern' ? value.namedChildren[0] : value;
      return !!ctxExpr && model.kindOf(ctxExpr) === 'Executor' && !isWithin(call, ctxExpr);
    })) return true;
  }
  const holders = new Set(holderKeys(model, call));
  for (const other of model.calls) {
    // Calls that finish after the hand-off: later statements, or `….result()` around it.
    if (other.id === call.id || other.endIndex <= call.endIndex || !isWithin(other, body)) continue;
    if (WAIT_CALLS.has(model.calleeName(other) ?? '')) return true;
    const m = model.methodCall(other);
    const passed = model.args(other).positional.concat([...model.args(other).keywords.values()]).map((a) => model.bindingOf(a)?.key);
    if (passed.some((k) => k && holders.has(k))) {
      const collector = m && COLLECT_METHODS.has(m.method) ? model.bindingOf(m.receiver)?.key : undefined;
      if (!collector) return true;
      holders.add(collector);
    }
    if (!m) continue;
    const kind = model.typeOf(m.receiver)?.kind;
    if (m.method === 'join' && kind === 'Thread') return true;
    if ((m.method === 'result' || m.method === 'exception') && kind === 'Future') return true;
    if (m.method === 'shutdown' && kind === 'Executor') return true;
  }
  return false;
}

/**
 * Names that hold the created thread or future: `t = Thread(…)`, `ts = [Thread(…) …]`,
 * `fs.append(ex.submit(…))`.
 */
function holderKeys(model: SemanticModel, call: Node): string[] {
  const stmt = model.statementOf(call);
  for (let n = call.parent; n && isWithin(n, stmt); n = n.parent) {
    if (n.type === 'assignment') {
      const left = n.childForFieldName('left');
      const key = left && model.bindingOf(left)?.key;
      return key ? [key] : [];
    }
    if (n.type === 'call') {
      const m = model.methodCall(n);
      const key = m && COLLECT_METHODS.has(m.method) ? model.bindingOf(m.receiver)?.key : undefined;
      if (key) return [key];
    }
  }
  return [];
}

const UNSAFE_PARAMETERS = new Set(['list_splat_pattern', 'dictionary_splat_pattern', 'keyword_separator']);

/**
 * `lambda: f(i)` → `lambda i=i: f(i)`; `def f():` → `def f(i=i):`. Only where the
 * default is evaluated after every assignment of the variable in that iteration, and
 * appending a parameter cannot change how existing arguments bind.
 */
function defaultArgumentFix(model: SemanticModel, fn: Node, captured: Captured[], loops: LoopNode[]): ProposedFix | undefined {
  const params = fn.childForFieldName('parameters');
  const existing = (params?.namedChildren ?? []).filter((p): p is Node => !!p && p.type !== 'comment');
  if (existing.some((p) => UNSAFE_PARAMETERS.has(p.type))) return undefined;
  if (fn.type === 'function_definition') {
    if (fn.parent?.type === 'decorated_definition' || !params) return undefined;
    const declares = fn.descendantsOfType(['global_statement', 'nonlocal_statement']);
    if (declares.some((d) => d?.namedChildren.some((n) => captured.some((c) => c.name === n?.text)))) return undefined;
  }
  for (const c of captured) {
    // The default is evaluated where the lambda or def stands: it must be inside the
    // loop, after every assignment of the variable in the body.
    const body = loopBody(c.loop);
    if (!body || !loops.includes(c.loop) || !isWithin(fn, body)) return undefined;
    const sites = loopVariableKeys(model, c.loop).get(c.key) ?? [];
    if (sites.some((s) => isWithin(s, body) && s.startIndex > fn.startIndex)) return undefined;
  }
  const binding = captured.map((c) => `${c.name}=${c.name}`).join(', ');
  let edit: TextEdit;
  if (fn.type === 'lambda') {
    if (params) {
      const end = params.endPosition;
      const trailingComma = params.child(params.childCount - 1)?.type === ',';
      edit = { startLine: end.row + 1, startColumn: end.column + 1, endLine: end.row + 1, endColumn: end.column + 1, text: trailingComma ? ` ${binding}` : `, ${binding}` };
    } else {
      // `lambda: …` — insert after the keyword.
      const kw = fn.child(0)!;
      const end = kw.endPosition;
      edit = { startLine: end.row + 1, startColumn: end.column + 1, endLine: end.row + 1, endColumn: end.column + 1, text: ` ${binding}` };
    }
  } else {
    const close = params!.child(params!.childCount - 1)!;
    const trailingComma = params!.child(params!.childCount - 2)?.type === ',';
    const text = existing.length === 0 ? binding : trailingComma ? ` ${binding}` : `, ${binding}`;
    const at = close.startPosition;
    edit = { startLine: at.row + 1, startColumn: at.column + 1, endLine: at.row + 1, endColumn: at.column + 1, text };
  }
  const shown = fn.type === 'lambda' ? `lambda ${binding}: …` : `def …(${binding})`;
  return { description: `Bind the loop variable${captured.length > 1 ? 's' : ''} as default argument${captured.length > 1 ? 's' : ''} (\`${shown}\`)`, edits: [edit] };
}
