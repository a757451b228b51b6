import { createRule, replaceNode } from '../engine/rule.js';
import { statementCall } from '../engine/model/statements.js';
import { acquireMode, lockMethodCall, trailingComment } from './support/acquire.js';
import { indentUnit } from './support/indent.js';

/**
 * `L.acquire(timeout=…)` / `L.acquire(False)` as a bare statement: the result says
 * whether the lock was taken, and dropping it runs the code after it unguarded.
 */
export default createRule(
  {
    id: 'TL102',
    name: 'unchecked-acquire',
    severity: 'error',
    summary: 'The result of a timed or non-blocking `acquire()` is thrown away.',
    why: 'A timed or non-blocking acquire returns False when it fails; ignoring that runs the guarded code without the lock.',
    fix: 'sometimes',
    inTests: false,
  },
  (ctx) => {
    const { model } = ctx;
    const lines = ctx.model.lines;
    for (const stmt of model.nodes('expression_statement')) {
      const call = statementCall(stmt);
      const acquire = call && lockMethodCall(model, call, 'acquire');
      if (!acquire) continue;
      const mode = acquireMode(model, acquire.call);
      if (mode !== 'timeout' && mode !== 'non-blocking') continue;
      const lock = acquire.receiver.text;
      const shown = acquire.call.text.includes('\n') ? `${lock}.acquire(…)` : acquire.call.text;
      const failure = mode === 'timeout' ? 'on timeout' : 'when the lock is busy';
      const reason = `could not acquire ${lock}${mode === 'non-blocking' ? ' without blocking' : ''}`;
      const comment = ['block', 'module'].includes(stmt.parent?.type ?? '') ? trailingComment(lines, stmt) : null;
      const indent = /^[ \t]*/.exec(lines[stmt.startPosition.row] ?? '')![0];
      ctx.report({
        node: stmt,
        message: `\`${shown}\` returns False ${failure}, and the result is dropped: the code after it then runs without \`${lock}\`. Check it: \`if not ${shown}: raise TimeoutError(…)\`.`,
        fix:
          comment === null
            ? undefined
            : {
                description: `Raise TimeoutError when \`${lock}\` is not acquired`,
                // A trailing comment stays with the acquire, on the `if` line.
                edits: [
                  {
                    ...replaceNode(stmt, ''),
                    endColumn: stmt.endPosition.column + 1 + comment.length,
                    text: `if not ${acquire.call.text}:${comment}\n${indent}${indentUnit(model, lines, stmt)}raise TimeoutError(${pyString(reason)})`,
                  },
                ],
              },
      });
    }
  },
);

/** A double-quoted Python string literal for plain text. */
function pyString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, ' ')}"`;
}
