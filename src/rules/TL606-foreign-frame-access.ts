import { createRule } from '../engine/rule.js';
import { possiblyConcurrent } from './support/concurrent-code.js';
import { oneLine } from './support/locking.js';

/**
 * `sys._current_frames()`: the frames of threads that keep running while this code
 * walks them. On free-threaded builds reading another thread's running frame — above
 * all its `f_locals` — is a data race that can crash the interpreter.
 */
export default createRule(
  {
    id: 'TL606',
    name: 'foreign-frame-access',
    severity: 'warning',
    summary: "`sys._current_frames()` and the frames it returns are read while their threads keep running.",
    why: "On free-threaded Python another thread's frame changes while it is read; its `f_locals` in particular can crash the interpreter.",
    fix: 'never',
    inTests: false,
    profile: 'free-threading',
  },
  (ctx) => {
    const { model, config } = ctx;
    for (const call of model.calls) {
      if (model.calleeName(call) !== 'sys._current_frames') continue;
      const fn = model.enclosingFunction(call);
      if (!possiblyConcurrent(model, fn, config) && fn) continue;
      const locals = fn ? /\.f_(?:locals|globals)\b/.test(fn.text) : false;
      ctx.report({
        node: call,
        message:
          `\`${oneLine(call.text)}\` returns the frames of threads that keep running while they are read` +
          (locals ? ', and this function reads their `f_locals` / `f_globals`' : '') +
          ': on free-threaded Python that is a data race (reading `f_locals` can crash the interpreter). Read only what the tracebacks need (`traceback.format_stack(frame)`), or have each thread report its own state.',
      });
    }
  },
);
