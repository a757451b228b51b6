import type { Node } from '../engine/tree/index.js';
import type { Acquisition } from '../engine/model/locks.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import { callsOnObject } from '../engine/model/awaited.js';
import { previousStatement, statementCall } from '../engine/model/statements.js';
import { createRule, replaceNode, type ProposedFix } from '../engine/rule.js';
import { isWithin, leavesLoop } from './support/loops.js';
import { indentUnit, leadOf } from './support/indent.js';
import { statementsOf } from './support/lifecycle.js';

/**
 * `if not self.ready: with self.cond: self.cond.wait()`: the predicate is tested before
 * the Condition's lock is taken, so a `notify()` that comes between the test and the
 * `wait()` finds no waiter, and the waiter then sleeps through the state it waits for.
 */
export default createRule(
  {
    id: 'TL206',
    name: 'lost-wakeup',
    severity: 'error',
    summary: 'The predicate of a Condition wait is tested outside the Condition\'s lock, and the wait happens under it.',
    why: 'A notify() between the unlocked test and the wait() is lost: the waiter sleeps forever (or until its timeout) although the state it waits for is there.',
    fix: 'sometimes',
    inTests: true,
  },
  (ctx) => {
    const { model } = ctx;
    const locks = model.locks;
    if (!locks.hasAcquisitions()) return;
    for (const call of model.calls) {
      const m = model.methodCall(call);
      if (m?.method !== 'wait' || model.kindOf(m.receiver) !== 'Condition') continue;
      const held = conditionHeld(model, call, m.receiver);
      if (!held) continue;
      const region = lockedRegion(held);
      if (!region || testedUnderLock(region, held, call)) continue;
      const test = testOutside(region.stmt);
      if (!test || locks.mayBeLockedAt(test.stmt)) continue;
      const fn = model.enclosingFunction(call);
      if (!fn || !readsSharedState(model, test.condition, fn)) continue;
      // A Condition nobody notifies is used as a timed sleep: nothing can be lost.
      const notifies = callsOnObject(model, m.receiver, NOTIFY);
      if (notifies && notifies.length === 0) continue;
      const cond = m.receiver.text;
      ctx.report({
        node: test.condition,
        message: `\`${test.condition.text.replace(/\s+/g, ' ')}\` is tested before \`${held.expr.text}\` is taken (line ${held.at.startPosition.row + 1}), and \`${cond}.wait()\` (line ${call.startPosition.row + 1}) runs under it: a \`notify()\` that comes between the test and the wait is lost, and the waiter sleeps through the state it waits for. Test the predicate under the lock: \`with ${held.expr.text}: ${cond}.wait_for(lambda: …)\`.`,
        fix: waitForFix(model, ctx.source, test, region, call, cond),
      });
    }
  },
);

const NOTIFY = new Set(['notify', 'notify_all', 'notifyAll']);

/** The acquisition, held at the wait, of the Condition or of the lock it was built on. */
function conditionHeld(model: SemanticModel, call: Node, cond: Node): Acquisition | null {
  const own = model.locks.lockOf(cond)?.key;
  const underlying = model.locks.conditionLock(cond)?.key;
  const held = model.locks.heldAt(call);
  for (let i = held.length - 1; i >= 0; i--) if (held[i].key === own || (underlying && held[i].key === underlying)) return held[i];
  return null;
}

interface Region {
  /** The statement that takes the lock: the `with`, or the `acquire()` statement. */
  stmt: Node;
  /** Where the lock is held: the `with` body, or the acquire's block from the acquire on. */
  body: Node;
}

function lockedRegion(held: Acquisition): Region | null {
  if (held.how === 'with') {
    const stmt = held.at.parent?.parent;
    const body = stmt?.childForFieldName('body');
    return stmt?.type === 'with_statement' && body ? { stmt, body } : null;
  }
  const stmt = held.at.parent?.type === 'expression_statement' ? held.at.parent : null;
  return stmt?.parent ? { stmt, body: stmt.parent } : null;
}

const TESTS = ['if_statement', 'while_statement', 'conditional_expression', 'assert_statement', 'match_statement'];

/**
 * Whether code under the lock, before the wait, tests anything: an `if`, `while`,
 * conditional expression or assert between taking the lock and the wait (the predicate
 * re-tested under the lock, or an early exit).
 */
function testedUnderLock(region: Region, held: Acquisition, call: Node): boolean {
  const from = held.at.startIndex;
  return region.body.descendantsOfType(TESTS).some((t) => !!t && t.startIndex > from && t.startIndex < call.startIndex);
}

interface Test {
  /** The `if`/`while` whose condition is tested outside the lock. */
  stmt: Node;
  condition: Node;
  form: 'if' | 'while' | 'exit';
  /** The lock is taken in the branch the test leads to (the `if` body, the loop body). */
  direct: boolean;
}

const BOUNDARIES = new Set(['function_definition', 'lambda', 'class_definition', 'module', 'for_statement']);

/**
 * The nearest test around the statement that takes the lock, in its function: an `if` /
 * `elif` / `while` whose branch holds it, or `if <pred>: break` right before it in a loop.
 */
function testOutside(lockStmt: Node): Test | null {
  const prev = previousStatement(lockStmt);
  if (prev?.type === 'if_statement' && !prev.childrenForFieldName('alternative').length) {
    const consequence = prev.childForFieldName('consequence');
    const condition = prev.childForFieldName('condition');
    if (consequence && condition && leavesLoop(consequence) && inLoopBody(lockStmt)) return { stmt: prev, condition, form: 'exit', direct: false };
  }
  let child = lockStmt;
  for (let n = lockStmt.parent; n && !BOUNDARIES.has(n.type); child = n, n = n.parent) {
    if (n.type === 'while_statement') {
      const body = n.childForFieldName('body');
      const condition = n.childForFieldName('condition');
      if (!body || !condition || !isWithin(child, body)) return null;
      if (isConstant(condition)) return null;
      return { stmt: n, condition, form: 'while', direct: body.id === child.id };
    }
    if (n.type === 'if_statement' || n.type === 'elif_clause') {
      const condition = n.childForFieldName('condition');
      const consequence = n.childForFieldName('consequence');
      if (!condition || !consequence) return null;
      if (n.type === 'if_statement' && isWithin(child, consequence)) return { stmt: n, condition, form: 'if', direct: consequence.id === child.id };
      if (n.type === 'elif_clause') return { stmt: n, condition, form: 'if', direct: false };
      // In an `else:` or `elif` of this `if`: the test is that branch's own.
      return child.type === 'else_clause' ? { stmt: n, condition, form: 'if', direct: false } : null;
    }
  }
  return null;
}

function inLoopBody(stmt: Node): boolean {
  const loop = stmt.parent?.parent;
  return loop?.type === 'while_statement' && loop.childForFieldName('body')?.id === stmt.parent!.id;
}

function isConstant(condition: Node): boolean {
  const c = unwrap(condition);
  return c.type === 'true' || c.type === 'false' || c.type === 'integer' || c.type === 'none';
}

/**
 * Whether the condition reads state other threads can change: an attribute (`self.items`,
 * `job.done`, `self._q.empty()`) or a module-level or enclosing function's variable.
 * A test of the function's own locals and parameters alone proves nothing.
 */
function readsSharedState(model: SemanticModel, condition: Node, fn: Node): boolean {
  const c = unwrap(condition);
  if (c.type === 'attribute' || c.descendantsOfType('attribute').length > 0) return true;
  const ids = c.type === 'identifier' ? [c] : c.descendantsOfType('identifier');
  for (const id of ids) {
    if (!id) continue;
    const binding = model.resolveName(id.text, id);
    if (!binding?.scope || binding.scope.node.id === fn.id) continue;
    if (binding.sites.some((s) => s.type === 'def' || s.type === 'class' || s.type === 'import')) continue;
    if (binding.scope.kind === 'module' || binding.scope.kind === 'function') return true;
  }
  return false;
}

/**
 * `while not P: with C: C.wait()` → `with C: C.wait_for(lambda: P)`, and
 * `if not P: with C: C.wait(t)` → `with C: C.wait_for(lambda: P, t)`. Not for a `while`
 * with a timeout (one bounded `wait_for` would give up where the loop kept waiting), nor
 * for an `if` without one (a notify that does not make P true would then wait forever).
 */
function waitForFix(model: SemanticModel, source: string, test: Test, region: Region, call: Node, cond: string): ProposedFix | undefined {
  if (!test.direct || test.form === 'exit' || region.stmt.type !== 'with_statement') return undefined;
  const { stmt } = test;
  if (stmt.type !== 'if_statement' && stmt.type !== 'while_statement') return undefined;
  if (stmt.namedChildren.some((c) => c?.type === 'else_clause' || c?.type === 'elif_clause')) return undefined;
  const branch = stmt.childForFieldName(stmt.type === 'if_statement' ? 'consequence' : 'body');
  if (!branch || statementsOf(branch).length !== 1 || statementsOf(region.body).length !== 1) return undefined;
  if (statementCall(model.statementOf(call))?.id !== call.id || model.statementOf(call).parent?.id !== region.body.id) return undefined;
  if (model.scopeOf(stmt).kind === 'class') return undefined;
  // Comments would go with the replaced lines, except one after the test, kept on the new first line.
  const comments = stmt.descendantsOfType('comment').filter((c): c is Node => !!c);
  if (comments.some((c) => c.startPosition.row !== stmt.startPosition.row)) return undefined;
  const trailing = comments.map((c) => `  ${c.text}`).join('');
  const { positional, keywords, hasSplat } = model.args(call);
  if (hasSplat || positional.length + keywords.size > 1 || (keywords.size === 1 && !keywords.has('timeout'))) return undefined;
  const timeout = keywords.get('timeout') ?? positional[0];
  const timed = !!timeout && unwrap(timeout).type !== 'none';
  if (timed !== (test.form === 'if')) return undefined;
  // A lambda cannot hold these.
  if (test.condition.descendantsOfType(['named_expression', 'await', 'yield']).length > 0) return undefined;
  const predicate = predicateOf(test.condition);
  if (!predicate) return undefined;
  const lines = model.lines;
  const lead = leadOf(lines, stmt.startPosition.row);
  if (lines[stmt.startPosition.row].slice(0, stmt.startPosition.column).trim() !== '') return undefined;
  const unit = indentUnit(model, lines, stmt);
  const withHead = source.slice(region.stmt.startIndex, region.body.startIndex).trimEnd();
  if (withHead.includes('\n')) return undefined;
  const args = timed ? `, ${timeout!.text}` : '';
  return {
    description: `Test the predicate under the lock: \`${cond}.wait_for(lambda: …)\``,
    edits: [replaceNode(stmt, `${withHead}${trailing}\n${lead}${unit}${cond}.wait_for(lambda: ${predicate}${args})`)],
  };
}

/** What the wait waits for: `X` for a test `not X`, else `not (test)`. */
function predicateOf(condition: Node): string | null {
  const c = unwrap(condition);
  if (c.text.includes('\n')) return null;
  if (c.type === 'not_operator') {
    const arg = c.childForFieldName('argument');
    if (!arg) return null;
    const inner = unwrap(arg);
    return ['tuple', 'lambda', 'conditional_expression', 'generator_expression'].includes(inner.type) ? arg.text : inner.text;
  }
  const simple = ['identifier', 'attribute', 'call', 'subscript', 'comparison_operator', 'parenthesized_expression'].includes(c.type);
  return simple ? `not ${c.type === 'comparison_operator' ? `(${c.text})` : c.text}` : `not (${c.text})`;
}
