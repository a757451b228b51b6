import type { Node } from '../engine/tree/index.js';
import type { Acquisition } from '../engine/model/locks.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import { callsOnObject, submittedTasks, threadTargets } from '../engine/model/awaited.js';
import { createRule, type RuleContext } from '../engine/rule.js';
import { isFinishedFuture, waitMode, type WaitMode } from './support/acquire.js';
import { decimalLiteral, isSleepCall } from './support/lifecycle.js';
import { functionName, oneLine } from './support/locking.js';
import { acquiresLock, functionsAcquiring, siteNeedsLock } from './support/deadlock.js';

/**
 * Waiting while holding a lock: when the code being waited for needs that lock, neither
 * side can go on (a deadlock, or with a timeout a wait that always runs out); sleeping
 * under a lock that other code takes stalls every thread that needs it.
 */
export default createRule(
  {
    id: 'TL207',
    name: 'blocking-under-lock',
    severity: 'error',
    summary: 'A blocking wait while holding a lock that the awaited code needs, or `time.sleep` under a lock other code takes.',
    why: 'The thread holding the lock waits for code that first has to take that same lock: neither can go on.',
    fix: 'never',
    inTests: true,
  },
  (ctx) => {
    const { model } = ctx;
    if (!model.locks.hasAcquisitions()) return;
    for (const call of model.calls) {
      if (isSleepCall(model, call)) {
        sleepUnderLock(ctx, call);
        continue;
      }
      const wait = blockingWait(model, call);
      if (!wait) continue;
      for (const held of heldWhileWaiting(model, call, wait)) {
        const evidence = wait.code ? codeEvidence(model, wait.code, held) : wait.signals ? signalEvidence(model, wait.signals, held) : null;
        if (!evidence) continue;
        const lock = held.expr.text;
        const outcome = wait.timed
          ? 'when it gets there, the wait runs out its whole timeout while the other side waits for the lock'
          : 'when it gets there, neither side can go on (a deadlock)';
        ctx.report({
          node: call,
          severity: wait.timed ? 'warning' : 'error',
          message: `\`${wait.shown}\` waits while holding \`${lock}\` (taken at line ${held.at.startPosition.row + 1}), and ${evidence}: ${outcome}. Release \`${lock}\` before waiting.`,
        });
        break;
      }
    }
  },
);

interface Wait {
  /** The call as shown in messages: `self._worker.join()`. */
  shown: string;
  timed: boolean;
  /** For a Condition wait: the Condition (waiting releases its own lock). */
  condition?: Node;
  /** The code being waited for: a thread's target, a submitted task. */
  code?: { fns: Node[]; what: string };
  /** The calls that end the wait: an Event's `set()`, a Condition's `notify()`, a Queue's `put()`. */
  signals?: { sites: Node[]; what: string };
}

const SET = new Set(['set']);
const NOTIFY = new Set(['notify', 'notify_all', 'notifyAll']);
const PUT = new Set(['put', 'put_nowait']);
const GET = new Set(['get', 'get_nowait']);
const WAITS = new Set(['concurrent.futures.wait', 'concurrent.futures.as_completed']);

/** The blocking waits of RULES.md TL207, with what each one waits for. */
function blockingWait(model: SemanticModel, call: Node): Wait | null {
  const qname = model.calleeName(call);
  if (qname && WAITS.has(qname)) {
    const fs = model.args(call).positional[0];
    const fns = fs ? submittedTasks(model, fs) : null;
    const timed = timedOrNull(waitMode(model, call, null, 1));
    if (!fns || timed === null) return null;
    return { shown: `${call.childForFieldName('function')!.text}(…)`, timed, code: { fns, what: 'the tasks it waits for run' } };
  }
  const m = model.methodCall(call);
  if (!m) return null;
  const shown = `${oneLine(m.receiver.text, 40)}.${m.method}()`;
  const kind = model.kindOf(m.receiver);
  if (m.method === 'join' && (kind === 'Thread' || unwrap(m.receiver).type === 'identifier')) {
    const fns = threadTargets(model, m.receiver);
    const timed = timedOrNull(waitMode(model, call, null, 0));
    if (!fns || timed === null) return null;
    return { shown, timed, code: { fns, what: 'the thread it joins runs' } };
  }
  if ((m.method === 'result' || m.method === 'exception') && kind === 'Future') {
    if (isFinishedFuture(model, m.receiver)) return null;
    const fns = submittedTasks(model, m.receiver);
    const timed = timedOrNull(waitMode(model, call, null, 0));
    if (!fns || timed === null) return null;
    return { shown, timed, code: { fns, what: 'the task it waits for runs' } };
  }
  if (m.method === 'wait' && kind === 'Event') {
    return signalWait(model, call, m.receiver, shown, waitMode(model, call, null, 0), SET, `\`${m.receiver.text}.set()\``);
  }
  if ((m.method === 'wait' || m.method === 'wait_for') && kind === 'Condition') {
    const mode = waitMode(model, call, null, m.method === 'wait' ? 0 : 1);
    const wait = signalWait(model, call, m.receiver, shown, mode, NOTIFY, `\`${m.receiver.text}.notify()\``);
    return wait && { ...wait, condition: m.receiver };
  }
  if (m.method === 'get' && kind === 'Queue') {
    return signalWait(model, call, m.receiver, shown, waitMode(model, call, 'block', 1), PUT, `\`${m.receiver.text}.put()\``);
  }
  if (m.method === 'put' && kind === 'Queue' && boundedQueue(model, m.receiver)) {
    return signalWait(model, call, m.receiver, shown, putMode(model, call), GET, `\`${m.receiver.text}.get()\``);
  }
  return null;
}

function signalWait(model: SemanticModel, call: Node, receiver: Node, shown: string, mode: WaitMode, methods: ReadonlySet<string>, what: string): Wait | null {
  const timed = timedOrNull(mode);
  if (timed === null) return null;
  const sites = callsOnObject(model, receiver, methods)?.filter((s) => s.id !== call.id);
  if (!sites?.length) return null;
  return { shown, timed, signals: { sites, what } };
}

function timedOrNull(mode: WaitMode): boolean | null {
  return mode === 'blocking' ? false : mode === 'timeout' ? true : null;
}

/** `Q.put(item, block=True, timeout=None)`: the flag is the second argument. */
function putMode(model: SemanticModel, call: Node): WaitMode {
  const { positional, keywords, hasSplat } = model.args(call);
  if (hasSplat) return 'unknown';
  const block = keywords.get('block') ?? positional[1];
  if (block) {
    const b = unwrap(block);
    if (b.type === 'false' || (b.type === 'integer' && b.text === '0')) return 'non-blocking';
    if (b.type !== 'true' && b.type !== 'integer') return 'unknown';
  }
  const timeout = keywords.get('timeout') ?? positional[2];
  return !timeout || unwrap(timeout).type === 'none' ? 'blocking' : 'timeout';
}

/** A queue every construction of which gives a positive literal `maxsize`. */
function boundedQueue(model: SemanticModel, receiver: Node): boolean {
  const sites = model.classAttributeBinding(unwrap(receiver))?.sites ?? [];
  let bounded = false;
  for (const site of sites) {
    if (site.type !== 'assign' || !site.value) return false;
    const v = unwrap(site.value);
    if (v.type === 'none') continue;
    if (v.type !== 'call' || model.kindOf(v) !== 'Queue') return false;
    const { positional, keywords } = model.args(v);
    const size = decimalLiteral(keywords.get('maxsize') ?? positional[0]);
    if (!size || size.n === 0n) return false;
    bounded = true;
  }
  return bounded;
}

/**
 * The locks held at the wait that it does not release: Locks, RLocks and Conditions
 * (a Semaphore may have room), minus the Condition being waited on and its lock.
 */
function heldWhileWaiting(model: SemanticModel, call: Node, wait: Wait): Acquisition[] {
  const held = model.locks.heldAt(call).filter((h) => h.kind !== 'Semaphore');
  if (!wait.condition) return held;
  const c = wait.condition;
  const own = model.locks.lockOf(c)?.key;
  const underlying = model.locks.conditionLock(c)?.key;
  // Built on a lock the analysis cannot name: any held lock may be the one it releases.
  if (!underlying && model.locks.conditionHasLock(c)) return [];
  return held.filter((h) => h.key !== own && h.key !== underlying);
}

function codeEvidence(model: SemanticModel, code: { fns: Node[]; what: string }, held: Acquisition): string | null {
  const reached = acquiresLock(model, code.fns, held.key);
  if (!reached) return null;
  const where = reached.acquisition.at.startPosition.row + 1;
  return `${code.what} \`${functionName(reached.fn)}\`, which takes \`${reached.acquisition.expr.text}\` (line ${where})`;
}

function signalEvidence(model: SemanticModel, signals: { sites: Node[]; what: string }, held: Acquisition): string | null {
  if (!signals.sites.every((s) => siteNeedsLock(model, s, held.key))) return null;
  const first = signals.sites[0];
  const fn = model.enclosingFunction(first);
  const where = `${fn ? `in \`${functionName(fn)}\` ` : ''}(line ${first.startPosition.row + 1})`;
  const every = signals.sites.length > 1 ? `every ${signals.what} in this file` : `the one ${signals.what} in this file`;
  return `${every} runs only with \`${held.expr.text}\` taken, e.g. ${where}`;
}

/** `time.sleep(N)` under a Lock, RLock or Condition that another function also takes. */
function sleepUnderLock(ctx: RuleContext, call: Node): void {
  const { model } = ctx;
  const { positional } = model.args(call);
  const seconds = positional[0] && decimalLiteral(positional[0]);
  if (seconds && seconds.n === 0n) return;
  const own = model.enclosingFunction(call);
  for (const held of model.locks.heldAt(call)) {
    if (held.kind === 'Semaphore') continue;
    const other = functionsAcquiring(model, held.key).find((fn) => fn.id !== own?.id);
    if (!other) continue;
    const lock = held.expr.text;
    const there = model.locks.acquisitionsIn(other).find((a) => a.key === held.key)!;
    ctx.report({
      node: call,
      severity: 'warning',
      message: `\`${oneLine(call.text, 40)}\` sleeps while holding \`${lock}\` (taken at line ${held.at.startPosition.row + 1}), which \`${functionName(other)}\` also takes (line ${there.at.startPosition.row + 1}): every thread that needs \`${lock}\` stalls for the whole sleep. Sleep after releasing it, or wait on a Condition of that lock, which releases it while waiting.`,
    });
    return;
  }
}
