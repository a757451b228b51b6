import type { Node } from '../engine/tree/index.js';
import { unwrap } from '../engine/model/model.js';
import { createRule, replaceNode, type ProposedFix } from '../engine/rule.js';
import type { Kind } from '../engine/model/kinds.js';
import { statementCall } from '../engine/model/statements.js';
import { acquireMode, delegatesRelease, followsConstruction, isBareAcquire, isFinishedFuture, waitMode, type WaitMode } from './support/acquire.js';

/** A blocking method of a kind: its argument layout and what it waits for. */
interface Blocking {
  /** Keyword of the blocking flag, when the method has one (`get(block, timeout)`). */
  block: string | null;
  timeoutIndex: number;
  /** "waits forever if …" */
  until: string;
}

const METHODS: Partial<Record<Kind, Record<string, Blocking>>> = {
  Thread: { join: { block: null, timeoutIndex: 0, until: 'the thread never ends' } },
  Event: { wait: { block: null, timeoutIndex: 0, until: 'the event is never set' } },
  Condition: { wait: { block: null, timeoutIndex: 0, until: 'it is never notified' } },
  Barrier: { wait: { block: null, timeoutIndex: 0, until: 'a party never arrives' } },
  Queue: { get: { block: 'block', timeoutIndex: 1, until: 'nothing is ever put' } },
  Future: {
    result: { block: null, timeoutIndex: 0, until: 'the task never finishes' },
    exception: { block: null, timeoutIndex: 0, until: 'the task never finishes' },
  },
  Lock: { acquire: { block: 'blocking', timeoutIndex: 1, until: 'the holder never releases it' } },
  RLock: { acquire: { block: 'blocking', timeoutIndex: 1, until: 'the holder never releases it' } },
  Semaphore: { acquire: { block: 'blocking', timeoutIndex: 1, until: 'no one releases it' } },
};

/** `concurrent.futures.wait(fs, timeout)` / `as_completed(fs, timeout)`. */
const FUNCTIONS: Record<string, string> = {
  'concurrent.futures.wait': 'wait',
  'concurrent.futures.as_completed': 'as_completed',
};

/** Calls that can wait forever on a threading object and were given no timeout. */
export default createRule(
  {
    id: 'TL201',
    name: 'blocking-call-without-timeout',
    severity: 'warning',
    summary: 'A call that can block forever (join, wait, get, result, acquire …) has no timeout.',
    why: 'If the other side never delivers, the caller hangs forever and shutdown hangs with it; a timeout turns the hang into an error you can see.',
    fix: 'sometimes',
  },
  (ctx) => {
    const { model } = ctx;
    const timeout = formatSeconds(ctx.config.default_timeout);
    for (const call of model.calls) {
      const fnName = FUNCTIONS[model.calleeName(call) ?? ''];
      if (fnName) {
        if (waitMode(model, call, null, 1) !== 'blocking') continue;
        const shown = `${call.childForFieldName('function')!.text}(…)`;
        ctx.report({
          node: call,
          message: `\`${shown}\` waits forever if a future never finishes; pass \`timeout=\`${fnName === 'wait' ? ' and handle the futures still not done' : ' (it raises TimeoutError)'}.`,
          fix: fnName === 'as_completed' ? addTimeoutArgument(call, timeout) : undefined,
        });
        continue;
      }
      const m = model.methodCall(call);
      if (!m) continue;
      const kind = model.kindOf(m.receiver);
      const spec = kind ? METHODS[kind]?.[m.method] : undefined;
      if (!kind || !spec) continue;
      const mode: WaitMode = m.method === 'acquire' ? acquireMode(model, call) : waitMode(model, call, spec.block, spec.timeoutIndex);
      if (mode !== 'blocking') continue;
      if (kind === 'Future' && isFinishedFuture(model, m.receiver)) continue;
      // An unguarded acquire is TL101's finding; a wrapper's acquire is its caller's.
      if (m.method === 'acquire' && (isBareAcquire(model, call) || delegatesRelease(model, call))) continue;
      // `threading.Lock().acquire()`: a brand-new lock is free, so this never blocks (TL103's finding).
      if (m.method === 'acquire' && unwrap(m.receiver).type === 'call') continue;
      // A lock built on the line before cannot be held by anyone yet.
      if (m.method === 'acquire' && statementCall(model.statementOf(call))?.id === call.id && followsConstruction(model, model.statementOf(call), m.receiver)) continue;
      const recv = m.receiver.text;
      const emptyArgs = model.args(call).positional.length === 0 && model.args(call).keywords.size === 0;
      ctx.report({
        node: call,
        message: `\`${recv}.${m.method}()\` waits forever if ${spec.until}; ${advice(kind, recv, m.method)}.`,
        fix: kind === 'Future' && m.method === 'result' && emptyArgs ? resultTimeoutFix(call, recv, timeout) : undefined,
      });
    }
  },
);

function advice(kind: Kind, recv: string, method: string): string {
  switch (kind) {
    case 'Thread':
      return `pass a timeout (\`${recv}.join(timeout=…)\`) and check \`${recv}.is_alive()\` after`;
    case 'Queue':
      return `pass a timeout (\`${recv}.get(timeout=…)\`) and handle \`queue.Empty\``;
    case 'Future':
      return `pass a timeout (\`${recv}.${method}(timeout=…)\`)`;
    case 'Barrier':
      return `pass a timeout (\`${recv}.wait(timeout=…)\`; it breaks the barrier instead of hanging)`;
    case 'Lock':
    case 'RLock':
    case 'Semaphore':
      return `pass a timeout and check the result (\`if not ${recv}.acquire(timeout=…): …\`)`;
    default:
      return `pass a timeout (\`${recv}.wait(timeout=…)\`) and act on a False result`;
  }
}

/** `30` stays `30`, `2.5` stays `2.5`. */
function formatSeconds(seconds: number): string {
  return String(seconds);
}

function resultTimeoutFix(call: Node, recv: string, timeout: string): ProposedFix {
  return {
    description: `Wait at most ${timeout}s for \`${recv}\``,
    edits: [replaceNode(call.childForFieldName('arguments')!, `(timeout=${timeout})`)],
  };
}

/** `as_completed(fs)` → `as_completed(fs, timeout=T)`, also for a bare generator argument. */
function addTimeoutArgument(call: Node, timeout: string): ProposedFix | undefined {
  const args = call.childForFieldName('arguments');
  if (!args) return undefined;
  const description = `Stop waiting after ${timeout}s`;
  if (args.type === 'generator_expression') {
    return { description, edits: [replaceNode(args, `(${args.text}, timeout=${timeout})`)] };
  }
  const last = [...args.namedChildren].reverse().find((c) => c && c.type !== 'comment');
  if (!last) return undefined;
  const end = { startLine: last.endPosition.row + 1, startColumn: last.endPosition.column + 1 };
  return { description, edits: [{ ...end, endLine: end.startLine, endColumn: end.startColumn, text: `, timeout=${timeout}` }] };
}
