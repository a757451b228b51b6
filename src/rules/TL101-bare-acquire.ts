import { createRule } from '../engine/rule.js';
import { isBareAcquire, withBlockFix } from './support/acquire.js';

/**
 * `L.acquire()` with no `try: … finally: L.release()` around or right after it: an
 * exception (or an early return) between acquire and release leaves the lock held.
 */
export default createRule(
  {
    id: 'TL101',
    name: 'bare-acquire',
    severity: 'error',
    summary: '`acquire()` on a lock whose release is not guaranteed by `with` or `try: … finally:`.',
    why: 'An exception or early return between acquire and release leaves the lock held, and every other thread then waits forever.',
    fix: 'sometimes',
    inTests: false,
  },
  (ctx) => {
    const { model } = ctx;
    for (const call of model.calls) {
      const acquire = isBareAcquire(model, call);
      if (!acquire) continue;
      const lock = acquire.receiver.text;
      const fix = withBlockFix(model, ctx.source, acquire);
      ctx.report({
        node: call,
        message: `\`${lock}\` is acquired here but not released on every path: an exception before \`${lock}.release()\` leaves it held. Use \`with ${lock}:\`, or \`try: … finally: ${lock}.release()\` right after the acquire.`,
        fix: fix ?? undefined,
      });
    }
  },
);
