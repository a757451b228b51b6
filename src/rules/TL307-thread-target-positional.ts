import { createRule } from '../engine/rule.js';
import { unwrap } from '../engine/model/model.js';

/**
 * `Thread(fn)` passes `fn` as `group`, the first parameter. Only `threading.Thread`
 * itself: `Timer(interval, function)` and subclasses may define their own signature.
 */
export default createRule(
  {
    id: 'TL307',
    name: 'thread-target-positional',
    severity: 'error',
    summary: '`Thread(fn)`: the first positional parameter of `Thread` is `group`, not `target`.',
    why: '`Thread(fn)` fails with `AssertionError: group argument must be None`, or under `python -O` starts a thread that does nothing.',
    fix: 'sometimes',
    inTests: false,
  },
  (ctx) => {
    const { model } = ctx;
    for (const call of model.calls) {
      if (model.calleeName(call) !== 'threading.Thread') continue;
      const list = call.childForFieldName('arguments');
      if (list?.type !== 'argument_list') continue;
      const { positional, keywords } = model.args(call);
      const first = positional[0];
      if (!first || unwrap(first).type === 'none') continue;
      const hasStarArgs = list.namedChildren.some((a) => a?.type === 'list_splat');
      const fixable = positional.length === 1 && !keywords.has('target') && !hasStarArgs;
      const callee = call.childForFieldName('function')!.text;
      ctx.report({
        node: call,
        message: `\`${callee}(${first.text}${positional.length > 1 || keywords.size > 0 ? ', …' : ''})\` passes \`${first.text}\` as \`group\`, the first parameter of \`Thread\`; pass the callable as \`target=${first.text}\`.`,
        fix: fixable
          ? {
              description: `Pass \`${first.text}\` as \`target=\``,
              edits: [
                {
                  startLine: first.startPosition.row + 1,
                  startColumn: first.startPosition.column + 1,
                  endLine: first.startPosition.row + 1,
                  endColumn: first.startPosition.column + 1,
                  text: 'target=',
                },
              ],
            }
          : undefined,
      });
    }
  },
);
