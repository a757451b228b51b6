import type { Node } from '../engine/tree/index.js';
import { createRule } from '../engine/rule.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import { integerLiteral } from './support/lifecycle.js';
import { enclosingLoops, isWithin } from './support/loops.js';

/** A loop over this many items or fewer starts a fixed, small number of threads. */
const SMALL_FIXED_COUNT = 32;

/** One thread per item: the thread count grows with the input. */
export default createRule(
  {
    id: 'TL305',
    name: 'unbounded-thread-creation',
    severity: 'warning',
    summary: 'A thread is constructed and started per item of a loop over data, so the thread count grows with the input.',
    why: 'Every thread costs a stack and a scheduler slot; with enough input the process runs out of memory or threads, or thrashes.',
    fix: 'never',
  },
  (ctx) => {
    const { model } = ctx;
    for (const ctor of model.calls) {
      if (model.kindOf(ctor) !== 'Thread') continue;
      const loops = enclosingLoops(ctor, { comprehensions: true });
      if (loops.length === 0) continue;
      const { starts, joins } = lifecycleCalls(model, ctor);
      // Joined in the same round: one thread at a time, however long the input.
      const loop = loops.find(
        (l) => starts.some((s) => isWithin(s, l) && !joins.some((j) => isWithin(j, l) && j.startIndex > s.endIndex)) && overData(model, l),
      );
      if (!loop) continue;
      ctx.report({
        node: ctor,
        message: `A thread is started for every round of this ${loopWord(loop)}, so the thread count grows with the input; submit the work to a \`ThreadPoolExecutor(max_workers=N)\` instead.`,
      });
    }
  },
);

function loopWord(loop: Node): string {
  if (loop.type === 'while_statement') return '`while` loop';
  if (loop.type === 'for_statement') return '`for` loop';
  return 'comprehension';
}

/**
 * The `start()` calls of a constructed thread — `Thread(…).start()`, or `t.start()` /
 * `self.t.start()` on the name it is assigned to — and the `join()` calls on that name.
 */
function lifecycleCalls(model: SemanticModel, ctor: Node): { starts: Node[]; joins: Node[] } {
  let e = ctor;
  while (e.parent?.type === 'parenthesized_expression') e = e.parent;
  const p = e.parent;
  if (p?.type === 'attribute' && p.childForFieldName('attribute')?.text === 'start' && p.parent?.type === 'call') return { starts: [p.parent], joins: [] };
  const starts: Node[] = [];
  const joins: Node[] = [];
  if (p?.type !== 'assignment' || p.childForFieldName('right')?.id !== e.id) return { starts, joins };
  const target = p.childForFieldName('left');
  const key = target && model.bindingOf(target)?.key;
  if (!key) return { starts, joins };
  for (const call of model.calls) {
    const m = call.startIndex > ctor.endIndex ? model.methodCall(call) : null;
    if ((m?.method !== 'start' && m?.method !== 'join') || model.bindingOf(m.receiver)?.key !== key) continue;
    (m.method === 'start' ? starts : joins).push(call);
  }
  return { starts, joins };
}

/** Loops over data: anything but a short literal `range(…)` or a fixed tuple/list/set. */
function overData(model: SemanticModel, loop: Node): boolean {
  if (loop.type === 'while_statement') return true;
  const clause = loop.type === 'for_statement' ? loop : loop.namedChildren.find((c) => c?.type === 'for_in_clause');
  const iterable = clause?.childForFieldName('right');
  if (!iterable) return true;
  const it = unwrap(iterable);
  if (FIXED_COLLECTIONS.has(it.type) || FIXED_COLLECTIONS.has(constantValue(model, it)?.type ?? '')) return false;
  const count = rangeLength(model, it);
  return count === null || count > SMALL_FIXED_COUNT;
}

const FIXED_COLLECTIONS = new Set(['tuple', 'list', 'set']);

/** The length of `range(a[, b[, s]])` over int literals or constants, else null. */
function rangeLength(model: SemanticModel, call: Node): number | null {
  if (call.type !== 'call') return null;
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'identifier' || fn.text !== 'range' || model.resolveName('range', fn)) return null;
  const { positional, keywords, hasSplat } = model.args(call);
  if (keywords.size > 0 || hasSplat || positional.length < 1 || positional.length > 3) return null;
  const values = positional.map((a) => integerLiteral(a) ?? integerLiteral(constantValue(model, unwrap(a)) ?? undefined));
  if (values.some((v) => v === null)) return null;
  const [a, b, s] = values.length === 1 ? [0, values[0]!, 1] : [values[0]!, values[1]!, values[2] ?? 1];
  if (s <= 0) return null;
  return Math.max(0, Math.ceil((b - a) / s));
}

/**
 * The literal a name is bound to once and never changed (`N_THREADS = 4`,
 * `cases = ((1, 2), (3, 4))`): no other assignment, no `+=`, no `append`-like call.
 */
function constantValue(model: SemanticModel, name: Node): Node | null {
  if (name.type !== 'identifier') return null;
  const binding = model.resolveName(name.text, name);
  const site = binding?.sites.length === 1 ? binding.sites[0] : null;
  const value = site?.type === 'assign' && site.value ? unwrap(site.value) : null;
  if (!binding || !value || !['integer', ...FIXED_COLLECTIONS].includes(value.type)) return null;
  const sameName = (n: Node | null) => n?.type === 'identifier' && n.text === name.text && model.resolveName(n.text, n)?.key === binding.key;
  if (model.nodes('augmented_assignment').some((a) => sameName(a.childForFieldName('left')))) return null;
  if (value.type !== 'integer' && value.type !== 'tuple') {
    if (model.calls.some((c) => sameName(model.methodCall(c)?.receiver ?? null))) return null;
  }
  return value;
}
