import type { Node } from '../engine/tree/index.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import { statementCall } from '../engine/model/statements.js';
import { createRule, replaceNode } from '../engine/rule.js';
import { enclosingLoop, exitTests } from './support/loops.js';
import { decimalLiteral, isSleepCall, statementsOf } from './support/lifecycle.js';

/**
 * A worker loop that stops on an Event but pauses with `time.sleep(N)`: `stop()` sets the
 * Event and then waits up to N seconds for the loop to notice. `E.wait(N)` pauses as
 * long and returns as soon as the Event is set.
 */
export default createRule(
  {
    id: 'TL208',
    name: 'sleep-in-stoppable-loop',
    severity: 'warning',
    summary: 'A loop that stops on a `threading.Event` pauses with `time.sleep(N)` instead of waiting on that Event.',
    why: 'While the loop sleeps it cannot see the stop Event: shutdown waits up to the whole sleep, and a join(timeout) shorter than it gives up.',
    fix: 'always',
    inTests: false,
  },
  (ctx) => {
    const { model } = ctx;
    for (const call of model.calls) {
      if (!isSleepCall(model, call) || statementCall(call.parent)?.id !== call.id) continue;
      const loop = enclosingLoop(call);
      if (loop?.type !== 'while_statement' || onlySleeps(model, loop)) continue;
      const event = stopEvent(model, loop);
      if (!event) continue;
      const { positional, keywords, hasSplat } = model.args(call);
      if (positional.length !== 1 || keywords.size > 0 || hasSplat) continue;
      // A pause under a second delays shutdown by less than anyone waits for it.
      if (underASecond(positional[0])) continue;
      const e = event.text;
      ctx.report({
        node: call,
        message: `\`${call.text}\` pauses a loop that stops on \`${e}\`: while it sleeps, setting \`${e}\` goes unseen, so shutdown waits up to the whole pause (and a \`join(timeout)\` shorter than it gives up). Use \`${e}.wait(${positional[0].text})\`: the same pause, over as soon as \`${e}\` is set.`,
        fix: { description: `Wait on \`${e}\` instead of sleeping`, edits: [replaceNode(call, `${e}.wait(${positional[0].text})`)] },
      });
    }
  },
);

/** A literal under 1 (`0.1`), or a fraction of one (`1.0 / self.fps`). */
function underASecond(arg: Node): boolean {
  const e = unwrap(arg);
  const seconds = decimalLiteral(e);
  if (seconds) return seconds.n < 10n ** BigInt(seconds.scale);
  if (e.type !== 'binary_operator' || e.childForFieldName('operator')?.type !== '/') return false;
  const left = e.childForFieldName('left');
  const numerator = left && decimalLiteral(left);
  return !!numerator && numerator.n <= 10n ** BigInt(numerator.scale);
}

/** TL202's loop: a body of nothing but sleeps (and `pass` / `continue`). */
function onlySleeps(model: SemanticModel, loop: Node): boolean {
  const body = loop.childForFieldName('body');
  return !!body && statementsOf(body).every((s) => {
    if (s.type === 'pass_statement' || s.type === 'continue_statement') return true;
    const call = statementCall(s);
    return !!call && isSleepCall(model, call);
  });
}

/**
 * The stop Event a `while` loop tests: `while not E.is_set():` (also as an operand of
 * `and`), or `if E.is_set(): break` (or `return`) in its body.
 */
function stopEvent(model: SemanticModel, loop: Node): Node | null {
  const condition = loop.childForFieldName('condition');
  const fromCondition = condition && notIsSet(model, unwrap(condition));
  if (fromCondition) return fromCondition;
  for (const test of exitTests(loop)) {
    const c = test.childForFieldName('condition');
    const event = c && isSet(model, unwrap(c));
    if (event) return event;
  }
  return null;
}

function notIsSet(model: SemanticModel, c: Node): Node | null {
  if (c.type === 'boolean_operator' && c.childForFieldName('operator')?.type === 'and') {
    const left = c.childForFieldName('left');
    const right = c.childForFieldName('right');
    return (left && notIsSet(model, unwrap(left))) ?? (right && notIsSet(model, unwrap(right))) ?? null;
  }
  if (c.type !== 'not_operator') return null;
  const arg = c.childForFieldName('argument');
  return arg ? isSet(model, unwrap(arg)) : null;
}

/** `E.is_set()` (or `E.isSet()`) on an Event: E. */
function isSet(model: SemanticModel, c: Node): Node | null {
  if (c.type !== 'call') return null;
  const m = model.methodCall(c);
  if ((m?.method !== 'is_set' && m?.method !== 'isSet') || model.args(c).positional.length > 0) return null;
  const receiver = unwrap(m.receiver);
  if (receiver.type !== 'identifier' && receiver.type !== 'attribute') return null;
  return model.kindOf(receiver) === 'Event' ? receiver : null;
}
