import type { Node } from '../engine/tree/index.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import { createRule, replaceNode, type ProposedFix } from '../engine/rule.js';
import { enclosingLoop, exitTests, isAlwaysTrue } from './support/loops.js';

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
  },
  (ctx) => {
    const { model } = ctx;
    for (const call of model.calls) {
      const m = model.methodCall(call);
      if (m?.method !== 'wait' || model.kindOf(m.receiver) !== 'Condition') continue;
      if (retestsPredicate(call)) continue;
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
