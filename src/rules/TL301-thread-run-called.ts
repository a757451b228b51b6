import { createRule, replaceNode } from '../engine/rule.js';

/** `t.run()` on a Thread runs the target in the caller; nothing is started. */
export default createRule(
  {
    id: 'TL301',
    name: 'thread-run-called',
    severity: 'error',
    summary: '`run()` called on a Thread: the target runs in the calling thread and no thread starts.',
    why: '`Thread.run()` is the body a started thread executes; calling it directly runs it synchronously.',
    fix: 'sometimes',
    inTests: false,
  },
  (ctx) => {
    const { model } = ctx;
    for (const call of model.calls) {
      const m = model.methodCall(call);
      if (m?.method !== 'run' || model.args(call).positional.length > 0) continue;
      if (model.kindOf(m.receiver) !== 'Thread') continue;
      // `super().run()` is not a Thread receiver; `self.run()` inside a subclass is the
      // thread's own body being called, which only happens from the thread itself.
      const attr = call.childForFieldName('function')!.childForFieldName('attribute')!;
      ctx.report({
        node: call,
        message: `\`${m.receiver.text}.run()\` runs the thread's target in the calling thread; use \`.start()\` to run it on a new thread.`,
        fix: {
          description: 'Replace `.run()` with `.start()`',
          edits: [replaceNode(attr, 'start')],
        },
      });
    }
  },
);
