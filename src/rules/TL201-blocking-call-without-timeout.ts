import type { Node } from '../engine/tree/index.js';
import { createRule, replaceNode, type ProposedFix } from '../engine/rule.js';
import type { Kind } from '../engine/model/kinds.js';
import type { SemanticModel } from '../engine/model/model.js';
import { isFinishedFuture, waitMode } from './support/acquire.js';
import {
  checksAliveAfter,
  doneInBranch,
  functionLabel,
  handlesTimeout,
  loops,
  selfThread,
  shutdownFunction,
  signalledBefore,
  submittedTasks,
  threadTargets,
  unsatisfiable,
} from './support/waits.js';

/**
 * A wait with no timeout is not a bug by itself — idle workers block by design. TL201
 * reports one only where a hang is the likely outcome (RULES.md revision 2):
 * (a) in a shutdown path, waiting for a long-running worker (a thread or task whose
 *     body loops) or on an Event/Queue, when nothing before the wait asked the other
 *     side to finish;
 * (b) an `Event.wait()` / `Condition.wait()` / `Queue.get()` that nothing in the file can
 *     ever satisfy.
 * `acquire()` is never TL201, nor is `Barrier.wait()`.
 */

interface Blocking {
  block: string | null;
  timeoutIndex: number;
  /** "waits forever if …" */
  until: string;
}

const METHODS: Partial<Record<Kind, Record<string, Blocking>>> = {
  Thread: { join: { block: null, timeoutIndex: 0, until: 'the thread never ends' } },
  Event: { wait: { block: null, timeoutIndex: 0, until: 'the event is never set' } },
  Condition: { wait: { block: null, timeoutIndex: 0, until: 'it is never notified' } },
  Queue: { get: { block: 'block', timeoutIndex: 1, until: 'nothing is ever put' } },
  Future: {
    result: { block: null, timeoutIndex: 0, until: 'the task never finishes' },
    exception: { block: null, timeoutIndex: 0, until: 'the task never finishes' },
  },
};

/** `concurrent.futures.wait(fs)` / `as_completed(fs)`: the futures are the first argument. */
const FUNCTIONS = new Set(['concurrent.futures.wait', 'concurrent.futures.as_completed']);

const NEVER_SATISFIED: Partial<Record<Kind, string>> = {
  Event: 'nothing in this file ever sets it',
  Condition: 'nothing in this file ever notifies it',
  Queue: 'nothing in this file ever puts to it',
};

export default createRule(
  {
    id: 'TL201',
    name: 'blocking-call-without-timeout',
    severity: 'warning',
    summary: 'A wait with no timeout where a hang is the likely outcome: in a shutdown path before anything asked the other side to finish, or on an object nothing can ever satisfy.',
    why: 'If the other side never delivers, the caller hangs forever and shutdown hangs with it; a timeout turns the hang into an error you can see.',
    fix: 'sometimes',
    inTests: false,
  },
  (ctx) => {
    const { model } = ctx;
    const timeout = String(ctx.config.default_timeout);
    for (const call of model.calls) {
      if (FUNCTIONS.has(model.calleeName(call) ?? '')) {
        if (waitMode(model, call, null, 1) !== 'blocking') continue;
        const futures = model.args(call).positional[0];
        const fn = shutdownFunction(model, call);
        const tasks = futures ? submittedTasks(model, futures) : null;
        if (!fn || !tasks?.every((t) => loops(model, t)) || signalledBefore(model, call, fn)) continue;
        const shown = `${call.childForFieldName('function')!.text}(…)`;
        ctx.report({
          node: call,
          message: `\`${shown}\` in \`${functionLabel(fn)}\` waits forever: the tasks loop, and nothing before this asks them to finish. Cancel or signal them first, or pass \`timeout=\` and handle what is still running.`,
        });
        continue;
      }
      const m = model.methodCall(call);
      if (!m) continue;
      // `self.join()` in a Thread subclass.
      const kind = model.kindOf(m.receiver) ?? (m.method === 'join' && selfThread(model, m.receiver) ? 'Thread' : null);
      const spec = kind ? METHODS[kind]?.[m.method] : undefined;
      if (!kind || !spec || waitMode(model, call, spec.block, spec.timeoutIndex) !== 'blocking') continue;
      const recv = m.receiver.text;
      const shown = `${recv}.${m.method}()`;

      // (b) a wait nothing can satisfy.
      if ((kind === 'Event' || kind === 'Condition' || kind === 'Queue') && unsatisfiable(model, m.receiver, kind)) {
        ctx.report({
          node: call,
          severity: 'error',
          message: `\`${shown}\` can never return: ${NEVER_SATISFIED[kind]}. Add the missing \`${kind === 'Queue' ? 'put' : kind === 'Event' ? 'set' : 'notify'}()\` where the work is done, or pass a timeout.`,
        });
        continue;
      }

      // (a) a shutdown path that waits for something it never asked to finish.
      if (kind === 'Condition') continue;
      const fn = shutdownFunction(model, call);
      if (!fn || signalledBefore(model, call, fn)) continue;
      if (kind === 'Future' && (isFinishedFuture(model, m.receiver) || doneInBranch(model, m.receiver, call, (x) => isFinishedFuture(model, x)))) continue;
      const worker = kind === 'Thread' ? threadTargets(model, m.receiver) : kind === 'Future' ? submittedTasks(model, m.receiver) : [];
      if (!worker || !worker.every((w) => loops(model, w))) continue;
      ctx.report({
        node: call,
        message: `\`${shown}\` in \`${functionLabel(fn)}\` waits forever if ${spec.until}, and nothing before it asks for that: ${advice(kind, recv, m.method)}.`,
        fix: shutdownFix(model, call, kind, m.method, recv, fn, timeout),
      });
    }
  },
);

function advice(kind: Kind, recv: string, method: string): string {
  switch (kind) {
    case 'Thread':
      return `tell the thread to stop first (an Event its loop checks, a sentinel on its queue), or pass a timeout (\`${recv}.join(timeout=…)\`) and check \`${recv}.is_alive()\` after`;
    case 'Queue':
      return `pass a timeout (\`${recv}.get(timeout=…)\`) and handle \`queue.Empty\``;
    case 'Future':
      return `cancel or signal the task first, or pass a timeout (\`${recv}.${method}(timeout=…)\`)`;
    default:
      return `pass a timeout (\`${recv}.wait(timeout=…)\`) and act on a False result`;
  }
}

/**
 * A timeout only where the code already copes with one: `result()` inside a `try` that
 * catches `TimeoutError`, `join()` followed by an `is_alive()` check. Anything else would
 * turn a wait that may legitimately run long into a failure, so it gets no fix.
 */
function shutdownFix(model: SemanticModel, call: Node, kind: Kind, method: string, recv: string, fn: Node, timeout: string): ProposedFix | undefined {
  const args = call.childForFieldName('arguments');
  if (!args || model.args(call).positional.length > 0 || model.args(call).keywords.size > 0) return undefined;
  const handled =
    (kind === 'Future' && method === 'result' && handlesTimeout(call, fn)) ||
    (kind === 'Thread' && method === 'join' && checksAliveAfter(model, model.statementOf(call), model.methodCall(call)!.receiver));
  if (!handled) return undefined;
  return { description: `Wait at most ${timeout}s for \`${recv}\``, edits: [replaceNode(args, `(timeout=${timeout})`)] };
}
