import type { Node } from '../engine/tree/index.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import { createRule, replaceNode, type ProposedFix } from '../engine/rule.js';
import { enclosingLoop, exitTests, isAlwaysTrue, isWithin } from './support/loops.js';

/**
 * `C.wait()` returns on `notify()`, on a spurious wake-up, or after another waiter has
 * already consumed the state change: only a `while` that re-tests the predicate makes
 * the code after the wait safe.
 */
export default createRule(
  {
    id: 'TL204',
    name: 'condition-wait-outside-loop',
    severity: 'warning',
    summary: '`Condition.wait()` not inside a `while` loop that re-tests the predicate.',
    why: 'A condition wait can return before the predicate holds (spurious or stolen wake-ups); only a loop that re-tests it is correct.',
    fix: 'sometimes',
    inTests: true,
  },
  (ctx) => {
    const { model } = ctx;
    for (const call of model.calls) {
      const m = model.methodCall(call);
      if (m?.method !== 'wait' || model.kindOf(m.receiver) !== 'Condition') continue;
      if (retestsPredicate(call) || copesWithEarlyWakeup(model, call)) continue;
      const receiver = m.receiver.text;
      ctx.report({
        node: call,
        message: `\`${receiver}.wait()\` is not inside a \`while\` loop that re-tests what it waits for: a spurious or stolen wake-up lets the code after it run while the predicate is still false. Use \`${receiver}.wait_for(predicate)\` or \`while not predicate: ${receiver}.wait()\`.`,
        fix: waitForFix(model, call, receiver),
      });
    }
  },
);

/**
 * The wait's nearest loop in its function is a `while` whose test runs again after each
 * wake-up: any condition but a constant, or `while True:` with an `if …: break` before
 * the wait.
 */
function retestsPredicate(call: Node): boolean {
  const loop = enclosingLoop(call);
  if (loop?.type !== 'while_statement') return false;
  if (!isAlwaysTrue(loop.childForFieldName('condition'))) return true;
  return exitTests(loop).some((test) => test.endIndex <= call.startIndex);
}

/**
 * Code that does not take the predicate for granted after the wait: a wrapper that
 * returns the wait's result (`return c.wait(t)`: its caller loops), or a wait whose
 * next statement tests the same predicate again as the `if` around the wait
 * (`if len(q) > 0: … else: c.wait(t)` then `if len(q) > 0:`), or leaves with nothing
 * that depends on the state (`return`, `return delay`, `break`, `continue`) — outside
 * `while True:`.
 */
function copesWithEarlyWakeup(model: SemanticModel, call: Node): boolean {
  const stmt = model.statementOf(call);
  if (stmt.type === 'return_statement' && stmt.namedChildren[0] && unwrap(stmt.namedChildren[0]).id === call.id) return true;
  // In `while True:` the next round waits again without a test first: a missed notify is lost.
  const loop = enclosingLoop(call);
  if (loop?.type === 'while_statement' && isAlwaysTrue(loop.childForFieldName('condition'))) return false;
  const next = nextExecuted(model, stmt);
  if (!next) return false;
  if (next.type === 'break_statement' || next.type === 'continue_statement') return true;
  if (next.type === 'if_statement' || next.type === 'while_statement') {
    const tested = guardingTest(model, call);
    const again = next.childForFieldName('condition');
    return !!tested && !!again && predicateText(again) === tested;
  }
  if (next.type !== 'return_statement') return false;
  const value = next.namedChildren[0];
  return !value || ['identifier', 'integer', 'float', 'true', 'false', 'none', 'string'].includes(unwrap(value).type);
}

/** The test of the nearest `if` whose branch (or `else:`) holds the wait, as `predicateText`. */
function guardingTest(model: SemanticModel, call: Node): string | null {
  const fn = model.enclosingFunction(call);
  for (let n = call.parent; n && n.id !== fn?.id; n = n.parent) {
    if (n.type === 'if_statement' || n.type === 'elif_clause') {
      const condition = n.childForFieldName('condition');
      return condition && !isWithin(call, condition) ? predicateText(condition) : null;
    }
  }
  return null;
}

/** A test without `not` and parentheses, whitespace folded: `not (x > 0)` and `x > 0` compare equal. */
function predicateText(condition: Node): string {
  let e = unwrap(condition);
  while (e.type === 'not_operator' && e.childForFieldName('argument')) e = unwrap(e.childForFieldName('argument')!);
  return e.text.replace(/\s+/g, '');
}

/** The statement that runs after `stmt` falls through: its next sibling, or the next one after the `if`/`with`/`try` block it ends. */
function nextExecuted(model: SemanticModel, stmt: Node): Node | null {
  const fn = model.enclosingFunction(stmt);
  for (let s: Node | null = stmt; s && s.id !== fn?.id; ) {
    let next = s.nextNamedSibling;
    while (next?.type === 'comment') next = next.nextNamedSibling;
    if (next && !['else_clause', 'elif_clause', 'except_clause', 'finally_clause'].includes(next.type)) return next;
    const block: Node | null = s.parent;
    const owner: Node | null = block?.type === 'block' ? block.parent : null;
    if (!owner || !['if_statement', 'elif_clause', 'else_clause', 'with_statement', 'try_statement'].includes(owner.type)) return null;
    s = owner.type === 'elif_clause' || owner.type === 'else_clause' ? owner.parent : owner;
  }
  return null;
}

/** `if not <pred>: C.wait(args)` (nothing else in the `if`) → `C.wait_for(lambda: <pred>, args)`. */
function waitForFix(model: SemanticModel, call: Node, receiver: string): ProposedFix | undefined {
  const stmt = call.parent;
  if (stmt?.type !== 'expression_statement' || stmt.namedChildCount !== 1) return undefined;
  const block = stmt.parent;
  const ifStmt = block?.parent;
  if (block?.type !== 'block' || ifStmt?.type !== 'if_statement') return undefined;
  if (block.namedChildren.some((c) => c && c.type !== 'comment' && c.id !== stmt.id)) return undefined;
  if (ifStmt.childForFieldName('consequence')?.id !== block.id || ifStmt.childrenForFieldName('alternative').length > 0) return undefined;
  const condition = ifStmt.childForFieldName('condition');
  if (condition?.type !== 'not_operator') return undefined;
  const argument = condition.childForFieldName('argument');
  if (!argument) return undefined;
  // `not (a, b)` must keep its parentheses inside a lambda; `not (a and b)` need not.
  const inner = unwrap(argument);
  const predicate = ['tuple', 'lambda', 'conditional_expression', 'generator_expression'].includes(inner.type) ? argument : inner;
  // A lambda cannot hold these.
  if (['named_expression', 'await', 'yield'].some((t) => predicate.type === t || predicate.descendantsOfType(t).length > 0)) return undefined;
  // Comments would be lost with the replaced lines, except one trailing the wait itself.
  const comments = ifStmt.descendantsOfType('comment').filter((c): c is Node => !!c);
  if (comments.some((c) => c.startPosition.row !== call.endPosition.row || c.startIndex < call.endIndex)) return undefined;
  const trailing = comments.map((c) => `  ${c.text}`).join('');
  // Names in a class body are invisible to a lambda defined there.
  if (model.scopeOf(ifStmt).kind === 'class') return undefined;
  const { hasSplat } = model.args(call);
  if (hasSplat) return undefined;
  const argList = call.childForFieldName('arguments');
  const args = argList ? argList.text.slice(1, -1).trim().replace(/,$/, '') : '';
  const text = `${receiver}.wait_for(lambda: ${predicate.text}${args ? `, ${args}` : ''})${trailing}`;
  return {
    description: `Replace the \`if\` with \`${receiver}.wait_for(lambda: …)\``,
    edits: [replaceNode(ifStmt, text)],
  };
}
