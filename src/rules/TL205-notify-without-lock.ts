import type { Acquisition } from '../engine/model/locks.js';
import { createRule } from '../engine/rule.js';
import { calledUnderLock, namedAsLocked } from './support/locking.js';

const NOTIFY = new Set(['notify', 'notify_all', 'notifyAll']);

/** `C.notify()` without holding C raises RuntimeError("cannot notify on un-acquired lock"). */
export default createRule(
  {
    id: 'TL205',
    name: 'notify-without-lock',
    severity: 'error',
    summary: '`notify()` / `notify_all()` on a Condition whose lock is not held: raises RuntimeError.',
    why: 'A Condition may only be notified by the thread holding its lock; otherwise Python raises RuntimeError.',
    fix: 'never',
  },
  (ctx) => {
    const { model } = ctx;
    const locks = model.locks;
    for (const call of model.calls) {
      const mc = model.methodCall(call);
      if (!mc || !NOTIFY.has(mc.method) || model.kindOf(mc.receiver) !== 'Condition') continue;
      const cond = locks.lockOf(mc.receiver);
      if (!cond) continue;
      const underlying = locks.conditionLock(mc.receiver);
      const guards = (held: Acquisition[]) =>
        held.some(
          (h) =>
            h.key === cond.key ||
            (underlying !== null && h.key === underlying.key) ||
            (underlying !== null && h.kind === 'Condition' && locks.conditionLock(h.expr)?.key === underlying.key),
        );
      if (guards(locks.heldAt(call))) continue;
      if (calledUnderLock(model, call, guards) || namedAsLocked(model, call)) continue;
      ctx.report({
        node: call,
        message: `\`${call.text}\` is called without holding \`${mc.receiver.text}\`: Python raises RuntimeError("cannot notify on un-acquired lock"). Call it inside \`with ${mc.receiver.text}:\`.`,
      });
    }
  },
);

