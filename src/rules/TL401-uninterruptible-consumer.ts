import type { Node } from '../engine/tree/index.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import { createRule, type ProposedFix } from '../engine/rule.js';
import { enclosingLoop, isWithin, leavesLoop, loopBody, targetNames } from './support/loops.js';

/**
 * A consumer loop that checks a stop flag but then blocks in `queue.get()` with no
 * timeout only sees the flag when an item arrives: on an empty queue shutdown hangs.
 */
export default createRule(
  {
    id: 'TL401',
    name: 'uninterruptible-consumer',
    severity: 'warning',
    summary: 'A loop that tests a stop signal blocks in `Queue.get()` without a timeout.',
    why: 'While `get()` waits on an empty queue the loop never re-tests its stop signal, so shutdown hangs.',
    fix: 'sometimes',
  },
  (ctx) => {
    const { model } = ctx;
    for (const call of model.calls) {
      const m = model.methodCall(call);
      if (m?.method !== 'get' || model.kindOf(m.receiver) !== 'Queue' || !blocksForever(model, call)) continue;
      const loop = enclosingLoop(call);
      if (loop?.type !== 'while_statement') continue;
      const signal = stopSignal(model, loop.childForFieldName('condition'));
      if (!signal || wakesOnSentinel(model, call, m.receiver, loop)) continue;
      const receiver = m.receiver.text;
      const fix = emptyHandler(model, call, loop) ? timeoutFix(model, call, receiver) : undefined;
      ctx.report({
        node: call,
        message: `\`${receiver}.get()\` blocks with no timeout inside a loop that tests \`${signal}\`: on an empty queue the loop never sees the stop signal and shutdown hangs. Use \`${receiver}.get(timeout=…)\` and handle \`queue.Empty\`, or put a sentinel on the queue to stop the consumer.`,
        fix,
      });
    }
  },
);

/** `get()`, `get(True)`, `get(block=True, timeout=None)`: no timeout, blocking. */
function blocksForever(model: SemanticModel, call: Node): boolean {
  const { positional, keywords, hasSplat } = model.args(call);
  if (hasSplat || positional.length + keywords.size > 2) return false;
  const block = positional[0] ?? keywords.get('block');
  const timeout = positional[1] ?? keywords.get('timeout');
  if (block && !isLiteralTrue(block)) return false;
  return !timeout || unwrap(timeout).type === 'none';
}

function isLiteralTrue(expr: Node): boolean {
  const e = unwrap(expr);
  return e.type === 'true' || (e.type === 'integer' && e.text !== '0');
}

const RUNNING_FLAG = /^_*(?:is_)?running$/;

/**
 * The stop signal a `while` condition tests, as written: `not E.is_set()` on an Event,
 * a `running` flag (`running`, `self._running`), alone or as one operand of `and`.
 */
function stopSignal(model: SemanticModel, condition: Node | null): string | null {
  if (!condition) return null;
  const c = unwrap(condition);
  if (c.type === 'boolean_operator' && c.child(1)?.type === 'and') {
    return stopSignal(model, c.childForFieldName('left')) ?? stopSignal(model, c.childForFieldName('right'));
  }
  if (c.type === 'not_operator') {
    const arg = c.childForFieldName('argument');
    const call = arg && unwrap(arg);
    if (call?.type !== 'call') return null;
    const m = model.methodCall(call);
    if (m?.method === 'is_set' && model.kindOf(m.receiver) === 'Event') return c.text;
    return null;
  }
  if (c.type === 'identifier' || c.type === 'attribute') {
    const name = c.type === 'identifier' ? c : c.childForFieldName('attribute');
    // A threading object is always truthy: that is not a flag.
    if (name && RUNNING_FLAG.test(name.text) && !model.typeOf(c)) return c.text;
  }
  return null;
}

/**
 * The consumer takes part in a wake-up protocol, the correct way to stop it: the item
 * it gets is tested and a branch leaves the loop or goes back to the stop test
 * (`if item is None: break`, `… continue`, `if q.get() is STOP: return`), the test
 * is a `None` check (`if item is not None: handle(item)`, so a `None` put on stop
 * wakes it), or the file puts a sentinel on this queue (`q.put(None)`).
 */
function wakesOnSentinel(model: SemanticModel, call: Node, receiver: Node, loop: Node): boolean {
  const body = loopBody(loop);
  if (!body) return false;
  const reacts = (test: Node) => {
    const condition = test.childForFieldName('condition');
    const branches = [test.childForFieldName('consequence'), ...test.childrenForFieldName('alternative')];
    return !!condition && (condition.descendantsOfType('none').length > 0 || branches.some((b) => b && leavesLoop(b, { orContinues: true })));
  };
  for (let n = call.parent; n && n.id !== body.id; n = n.parent) {
    const condition = n.type === 'if_statement' ? n.childForFieldName('condition') : null;
    if (condition && isWithin(call, condition) && reacts(n)) return true;
  }
  if (putsSentinel(model, receiver)) return true;
  const assign = unwrap(call).parent;
  if (assign?.type !== 'assignment' || assign.childForFieldName('right')?.id !== call.id) return false;
  const left = assign.childForFieldName('left');
  const keys = new Set((left ? targetNames(left) : []).map((id) => model.resolveName(id.text, id)?.key).filter((k): k is string => !!k));
  if (keys.size === 0) return false;
  const tests = body.descendantsOfType('if_statement').filter((n): n is Node => !!n && n.startIndex > assign.endIndex);
  return tests.some((test) => {
    const condition = test.childForFieldName('condition');
    if (!condition || enclosingLoop(test)?.id !== loop.id || !reacts(test)) return false;
    const ids = condition.type === 'identifier' ? [condition] : condition.descendantsOfType('identifier');
    return ids.some((id) => !!id && keys.has(model.resolveName(id.text, id)?.key ?? ''));
  });
}

const SENTINEL_NAME = /sentinel|stop|quit|shutdown|poison|exit|terminate/i;
const CONSTANT_NAME = /^_*[A-Z][A-Z0-9_]+$/;

/** `q.put(None)` / `q.put_nowait(_SENTINEL)` on the same queue somewhere in the file. */
function putsSentinel(model: SemanticModel, receiver: Node): boolean {
  const key = model.bindingOf(receiver)?.key;
  if (!key) return false;
  return model.calls.some((c) => {
    const m = model.methodCall(c);
    if ((m?.method !== 'put' && m?.method !== 'put_nowait') || model.bindingOf(m.receiver)?.key !== key) return false;
    const item = model.args(c).positional[0] ?? model.args(c).keywords.get('item');
    if (!item) return false;
    const e = unwrap(item);
    const name = e.type === 'identifier' ? e.text : e.type === 'attribute' ? e.childForFieldName('attribute')?.text : undefined;
    return e.type === 'none' || (!!name && (SENTINEL_NAME.test(name) || CONSTANT_NAME.test(name)));
  });
}

const EMPTY = new Set(['queue.Empty', 'multiprocessing.queues.Empty', '_queue.Empty']);

/** Whether a `try` between the call and the loop has an `except queue.Empty` covering the call. */
function emptyHandler(model: SemanticModel, call: Node, loop: Node): boolean {
  for (let n = call.parent; n && n.id !== loop.id; n = n.parent) {
    if (n.type !== 'try_statement') continue;
    const tryBody = n.childForFieldName('body');
    if (!tryBody || !isWithin(call, tryBody)) continue;
    for (const clause of n.namedChildren) {
      if (clause?.type !== 'except_clause') continue;
      const value = clause.childForFieldName('value') ?? clause.namedChildren.find((c) => c && c.type !== 'block' && c.type !== 'comment') ?? null;
      const caught = value?.type === 'as_pattern' ? value.namedChildren[0] : value;
      if (!caught) continue;
      const types = caught.type === 'tuple' || caught.type === 'parenthesized_expression' ? caught.namedChildren : [caught];
      if (types.some((t) => !!t && EMPTY.has(model.qualifiedName(t) ?? ''))) return true;
    }
  }
  return false;
}

/** `q.get()` → `q.get(timeout=1.0)`; `q.get(True)` → `q.get(True, timeout=1.0)`. */
function timeoutFix(model: SemanticModel, call: Node, receiver: string): ProposedFix | undefined {
  const { positional, keywords } = model.args(call);
  if (positional.length > 1 || keywords.has('timeout')) return undefined;
  const argList = call.childForFieldName('arguments');
  if (!argList) return undefined;
  const close = argList.child(argList.childCount - 1);
  if (close?.type !== ')') return undefined;
  const inner = argList.text.slice(1, -1).trim();
  const text = inner === '' ? 'timeout=1.0' : inner.endsWith(',') ? ' timeout=1.0' : ', timeout=1.0';
  const at = close.startPosition;
  return {
    description: `Wait at most 1 second per \`${receiver}.get()\` so the loop re-tests its stop signal`,
    edits: [{ startLine: at.row + 1, startColumn: at.column + 1, endLine: at.row + 1, endColumn: at.column + 1, text }],
  };
}
