import type { Node } from '../engine/tree/index.js';
import { createRule } from '../engine/rule.js';
import type { SemanticModel } from '../engine/model/model.js';
import { unwrap } from '../engine/model/model.js';
import { previousStatement, statementCall } from '../engine/model/statements.js';
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
  },
  (ctx) => {
    const { model } = ctx;
    for (const call of model.calls) {
      if (!isSleepCall(model, call)) continue;
      const stmt = call.parent;
      if (stmt?.type !== 'expression_statement' || statementCall(stmt)?.id !== call.id) continue;
      const started = startedWork(model, previousStatement(stmt));
      if (!started) continue;
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
