import type { Node } from '../engine/tree/index.js';
import { createRule } from '../engine/rule.js';
import type { SemanticModel } from '../engine/model/model.js';
import { unwrap } from '../engine/model/model.js';
import { nextStatement, previousStatement, statementCall } from '../engine/model/statements.js';
import { isSleepCall, statementAssignment } from './support/lifecycle.js';

/** `t.start()` then `time.sleep(…)`: a guess at how long the other thread needs. */
export default createRule(
  {
    id: 'TL203',
    name: 'sleep-as-synchronization',
    severity: 'warning',
    summary: '`time.sleep(…)` right after starting a thread or submitting a task, to give it time.',
    why: 'A sleep guesses how long another thread needs: too short under load (a race), too long everywhere else.',
    fix: 'never',
    inTests: true,
  },
  (ctx) => {
    const { model } = ctx;
    for (const call of model.calls) {
      if (!isSleepCall(model, call)) continue;
      const stmt = call.parent;
      if (stmt?.type !== 'expression_statement' || statementCall(stmt)?.id !== call.id) continue;
      const started = startedWork(model, previousStatement(stmt));
      if (!started) continue;
      // Checking that something has NOT happened yet needs a pause: no event can say "not yet".
      if (assertsStillPending(model, nextStatement(stmt))) continue;
      ctx.report({
        node: call,
        message: `\`${call.text}\` right after \`${started}\` guesses how long the other thread needs; wait for it instead: an Event the worker sets, a Barrier, \`join()\` or the future's \`result()\`.`,
      });
    }
  },
);

/** `T.start()` on a Thread or `[f =] X.submit(…)` on an Executor, as written. */
function startedWork(model: SemanticModel, stmt: Node | null): string | null {
  const right = statementAssignment(stmt)?.childForFieldName('right');
  const call = statementCall(stmt) ?? (right && unwrap(right).type === 'call' ? unwrap(right) : null);
  const m = call && model.methodCall(call);
  if (!call || !m) return null;
  if (m.method === 'start' && model.kindOf(m.receiver) === 'Thread') return `${m.receiver.text}.start()`;
  if (m.method === 'submit' && model.kindOf(m.receiver) === 'Executor') return `${m.receiver.text}.submit(…)`;
  return null;
}

/**
 * `assert t.is_alive()`, `self.assertTrue(t.is_alive())`, `assert not f.done()`,
 * `self.assertFalse(ev.is_set())`: the statement after the pause checks that the other
 * thread is still blocked, which only a pause can show.
 */
function assertsStillPending(model: SemanticModel, stmt: Node | null): boolean {
  if (!stmt) return false;
  let test: Node | null = null;
  let negated = false;
  if (stmt.type === 'assert_statement') test = stmt.namedChildren[0] ?? null;
  else {
    const call = statementCall(stmt);
    const fn = call?.childForFieldName('function');
    const name = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.text;
    if (!call || (name !== 'assertTrue' && name !== 'assertFalse')) return false;
    test = model.args(call).positional[0] ?? null;
    negated = name === 'assertFalse';
  }
  if (!test) return false;
  let e = unwrap(test);
  if (e.type === 'not_operator' && e.childForFieldName('argument')) {
    e = unwrap(e.childForFieldName('argument')!);
    negated = !negated;
  }
  const m = e.type === 'call' ? model.methodCall(e) : null;
  if (!m) return false;
  return negated ? m.method === 'done' || m.method === 'is_set' : m.method === 'is_alive';
}
