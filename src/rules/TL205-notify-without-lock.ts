import { checkedAcquisitionsAt } from '../engine/model/checked-acquire.js';
import type { Acquisition } from '../engine/model/locks.js';
import { createRule } from '../engine/rule.js';
import { calledUnderLock, namedAsLocked, oneLine } from './support/locking.js';

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
    inTests: false,
  },
  (ctx) => {
    const { model } = ctx;
    const locks = model.locks;
    for (const call of model.calls) {
      const mc = model.methodCall(call);
      if (!mc || !NOTIFY.has(mc.method) || model.kindOf(mc.receiver) !== 'Condition') continue;
      const cond = locks.lockOf(mc.receiver);
      // A Condition parameter: the caller may hold it.
      if (!cond || cond.param) continue;
      const underlying = locks.conditionLock(mc.receiver);
      const guards = (held: readonly Acquisition[]) =>
        held.some(
          (h) =>
            h.key === cond.key ||
            (underlying !== null && h.key === underlying.key) ||
            (underlying !== null && h.kind === 'Condition' && locks.conditionLock(h.expr)?.key === underlying.key),
        );
      // A checked acquire holds the lock in its branch: `if C.acquire(False): try: C.notify() …`.
      if (guards(locks.heldAt(call)) || guards(checkedAcquisitionsAt(model, call))) continue;
      if (calledUnderLock(model, call, (held, site) => guards(held) || guards(checkedAcquisitionsAt(model, site))) || namedAsLocked(model, call)) continue;
      // Built on a lock the analysis cannot name: any lock that may be held could be that one.
      if (underlying === null && locks.conditionHasLock(mc.receiver) && (locks.mayBeLockedAt(call) || calledUnderLock(model, call, (_, site) => locks.mayBeLockedAt(site)))) continue;
      ctx.report({
        node: call,
        message:
          `\`${oneLine(call.text)}\` is called without holding \`${mc.receiver.text}\`: Python raises RuntimeError("cannot notify on un-acquired lock"). ` +
          `Call it inside \`with ${mc.receiver.text}:\`${underlying ? ` (or \`with ${underlying.expr.text}:\`, the lock it is built on)` : ''}.`,
      });
    }
  },
);
