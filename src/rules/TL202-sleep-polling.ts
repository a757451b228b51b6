import type { Node } from '../engine/tree/index.js';
import { createRule, replaceNode } from '../engine/rule.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import { previousStatement, statementCall } from '../engine/model/statements.js';
import {
  decimalLiteral,
  formatSeconds,
  integerLiteral,
  isSleepCall,
  localBinding,
  statementsOf,
  usesOf,
  type Decimal,
} from './support/lifecycle.js';

/** `while not ready: time.sleep(0.1)` — waiting by sleeping instead of being woken. */
export default createRule(
  {
    id: 'TL202',
    name: 'sleep-polling',
    severity: 'warning',
    summary: 'A `while` loop whose body only sleeps, polling a condition another thread changes.',
    why: 'Polling wakes up for nothing, reacts up to one sleep late, and hides the hand-off between threads; an Event wakes the waiter at once.',
    fix: 'sometimes',
  },
  (ctx) => {
    const { model } = ctx;
    for (const loop of model.nodes('while_statement')) {
      const condition = loop.childForFieldName('condition');
      const body = loop.childForFieldName('body');
      if (!condition || !body) continue;
      const parts = bodyParts(model, statementsOf(body));
      if (!parts || parts.sleeps.length === 0 || isConstantTrue(condition)) continue;
      if (isPureDelay(model, unwrap(condition), new Set(parts.counters.map((c) => c.childForFieldName('left')!.text)))) continue;
      const head = `while ${condition.text}:`;
      const event = polledEvent(model, unwrap(condition));
      if (event) {
        const fix = eventFix(model, loop, event, parts);
        ctx.report({
          node: loop,
          endNode: condition,
          message: `\`${head}\` polls \`${event.text}\` with \`time.sleep\`; call \`${event.text}.wait()\` (with a timeout) to wake as soon as it is set.`,
          fix: fix ? { description: `Replace the loop with \`${fix}\``, edits: [replaceNode(loop, fix)] } : undefined,
        });
        continue;
      }
      const thread = aliveThread(model, unwrap(condition));
      ctx.report({
        node: loop,
        endNode: condition,
        message: thread
          ? `\`${head}\` polls the thread with \`time.sleep\`; call \`${thread.text}.join()\` (with a timeout) to wake as soon as it ends.`
          : `\`${head}\` waits by sleeping; have the thread that makes the condition true set a \`threading.Event\` and \`wait()\` on it.`,
      });
    }
  },
);

interface BodyParts {
  sleeps: Node[];
  counters: Node[];
  continues: number;
}

/** The statements of a polling body, or null when it does anything else. */
function bodyParts(model: SemanticModel, statements: Node[]): BodyParts | null {
  const parts: BodyParts = { sleeps: [], counters: [], continues: 0 };
  for (const stmt of statements) {
    if (stmt.type === 'pass_statement') continue;
    if (stmt.type === 'continue_statement') {
      parts.continues++;
      continue;
    }
    const call = statementCall(stmt);
    if (call && isSleepCall(model, call)) {
      parts.sleeps.push(call);
      continue;
    }
    const counter = stmt.type === 'expression_statement' && stmt.namedChildCount === 1 ? stmt.namedChildren[0]! : null;
    if (counter && isCounterUpdate(counter)) {
      parts.counters.push(counter);
      continue;
    }
    return null;
  }
  return parts;
}

/** `n += 1`, `tries -= 1`. */
function isCounterUpdate(node: Node): boolean {
  if (node.type !== 'augmented_assignment') return false;
  const op = node.childForFieldName('operator')?.text;
  return (op === '+=' || op === '-=') && node.childForFieldName('left')?.type === 'identifier' && integerLiteral(node.childForFieldName('right') ?? undefined) !== null;
}

/** `while True:` / `while 1:` keeps a thread alive; it polls nothing. */
function isConstantTrue(condition: Node): boolean {
  const c = unwrap(condition);
  return c.type === 'true' || (c.type === 'integer' && c.text !== '0');
}

const CLOCKS = new Set(['time.time', 'time.monotonic', 'time.perf_counter', 'time.time_ns', 'time.monotonic_ns', 'time.perf_counter_ns']);
const ARITHMETIC = new Set(['comparison_operator', 'binary_operator', 'unary_operator', 'parenthesized_expression', 'integer', 'float']);

/**
 * `while time.monotonic() < deadline:` or `while n < 10:` with `n += 1` in the body: a
 * delay that waits for the clock or its own counter, not for another thread.
 */
function isPureDelay(model: SemanticModel, condition: Node, counters: Set<string>): boolean {
  if (condition.type === 'boolean_operator') {
    const left = condition.childForFieldName('left');
    const right = condition.childForFieldName('right');
    return !!left && !!right && isPureDelay(model, unwrap(left), counters) && isPureDelay(model, unwrap(right), counters);
  }
  if (condition.type !== 'comparison_operator') return false;
  let clock = false;
  const names: string[] = [];
  const leaves = (n: Node): boolean => {
    if (n.type === 'call') {
      const isClock = CLOCKS.has(model.calleeName(n) ?? '') && model.args(n).positional.length === 0;
      clock ||= isClock;
      return isClock;
    }
    if (n.type === 'identifier') {
      names.push(n.text);
      return true;
    }
    if (!ARITHMETIC.has(n.type)) return false;
    return n.namedChildren.every((c) => !c || leaves(c));
  };
  if (!leaves(condition)) return false;
  return clock || (names.length > 0 && names.some((n) => counters.has(n)) && names.every((n) => counters.has(n)));
}

/** `T.is_alive()` for a resolved Thread T. */
function aliveThread(model: SemanticModel, condition: Node): Node | null {
  const m = condition.type === 'call' ? model.methodCall(condition) : null;
  return m?.method === 'is_alive' && model.kindOf(m.receiver) === 'Thread' ? m.receiver : null;
}

/** `not E.is_set()` for a resolved Event E, also as one operand of `and`. */
function polledEvent(model: SemanticModel, condition: Node): Node | null {
  const direct = notIsSet(model, condition);
  if (direct) return direct;
  if (condition.type === 'boolean_operator' && condition.childForFieldName('operator')?.type === 'and') {
    const left = condition.childForFieldName('left');
    const right = condition.childForFieldName('right');
    return (left && notIsSet(model, unwrap(left))) ?? (right && notIsSet(model, unwrap(right))) ?? null;
  }
  return null;
}

function notIsSet(model: SemanticModel, node: Node): Node | null {
  if (node.type !== 'not_operator') return null;
  const arg = node.childForFieldName('argument');
  const call = arg && unwrap(arg);
  const m = call?.type === 'call' ? model.methodCall(call) : null;
  if (!call || m?.method !== 'is_set' || model.args(call).positional.length > 0) return null;
  return model.kindOf(m.receiver) === 'Event' ? m.receiver : null;
}

/**
 * The `E.wait(…)` that replaces the loop: `E.wait()` when the loop only waits for E,
 * `E.wait(timeout=T)` when a counter bounds it and T follows exactly from literals.
 */
function eventFix(model: SemanticModel, loop: Node, event: Node, parts: BodyParts): string | null {
  if (loop.namedChildren.some((c) => c?.type === 'else_clause')) return null;
  const condition = unwrap(loop.childForFieldName('condition')!);
  if (condition.type === 'not_operator') return parts.counters.length === 0 ? `${event.text}.wait()` : null;
  if (parts.counters.length !== 1 || parts.sleeps.length !== 1 || parts.continues > 0) return null;
  const seconds = sleepSeconds(model, parts.sleeps[0]);
  const left = unwrap(condition.childForFieldName('left')!);
  const bound = left.type === 'not_operator' ? condition.childForFieldName('right') : left;
  const rounds = bound && countedRounds(model, loop, unwrap(bound), parts.counters[0]);
  if (!seconds || !rounds) return null;
  return `${event.text}.wait(timeout=${formatSeconds(seconds, rounds)})`;
}

function sleepSeconds(model: SemanticModel, call: Node): Decimal | null {
  const { positional, keywords, hasSplat } = model.args(call);
  if (positional.length !== 1 || keywords.size > 0 || hasSplat) return null;
  return decimalLiteral(positional[0]);
}

const FLIP: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=' };

/**
 * How many times a counted loop runs: `n = a` before the loop, `n op N` in the
 * condition, `n ±= s` in the body, and `n` used nowhere else (so it can go away).
 */
function countedRounds(model: SemanticModel, loop: Node, bound: Node, update: Node): bigint | null {
  if (bound.type !== 'comparison_operator' || bound.namedChildCount !== 2) return null;
  const ops = bound.childrenForFieldName('operators');
  if (ops.length !== 1 || !ops[0]) return null;
  const [x, y] = bound.namedChildren as Node[];
  const counter = update.childForFieldName('left')!;
  let op = ops[0].type;
  let limitNode: Node;
  if (x.type === 'identifier' && x.text === counter.text) limitNode = y;
  else if (y.type === 'identifier' && y.text === counter.text) {
    limitNode = x;
    op = FLIP[op] ?? '';
  } else return null;
  const limit = integerLiteral(limitNode);
  const step = integerLiteral(update.childForFieldName('right') ?? undefined);
  const fn = model.enclosingFunction(loop);
  const binding = fn && localBinding(model, counter, fn);
  if (limit === null || !step || !fn || !binding) return null;
  // Only the initial assignment, the test and the update: nothing reads `n` after the loop.
  const uses = usesOf(model, binding, fn);
  if (uses.length !== 3 || binding.sites.length !== 1) return null;
  const site = binding.sites[0];
  if (site.type !== 'assign' || !site.value) return null;
  const start = integerLiteral(site.value);
  const init = model.statementOf(site.target);
  if (start === null || !precedes(init, loop)) return null;
  const increasing = update.childForFieldName('operator')!.text === '+=';
  let span: number;
  let inclusive: boolean;
  if (increasing && (op === '<' || op === '<=')) {
    span = limit - start;
    inclusive = op === '<=';
  } else if (!increasing && (op === '>' || op === '>=')) {
    span = start - limit;
    inclusive = op === '>=';
  } else return null;
  const rounds = span < 0 || (span === 0 && !inclusive) ? 0 : inclusive ? Math.floor(span / step) + 1 : Math.ceil(span / step);
  return rounds > 0 ? BigInt(rounds) : null;
}

/** Whether `stmt` is an earlier statement of the loop's own block. */
function precedes(stmt: Node, loop: Node): boolean {
  for (let s = previousStatement(loop); s; s = previousStatement(s)) if (s.id === stmt.id) return true;
  return false;
}
