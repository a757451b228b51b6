import type { Node } from '../engine/tree/index.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import { createRule } from '../engine/rule.js';
import { functionName, oneLine } from './support/locking.js';

const WAITS = new Set(['concurrent.futures.wait', 'concurrent.futures.as_completed']);

/**
 * A task that submits to its own executor and waits for the child: once every worker
 * runs such a task, every worker waits on a child that no worker is free to run.
 */
export default createRule(
  {
    id: 'TL309',
    name: 'pool-starvation-deadlock',
    severity: 'error',
    summary: 'A task running on an executor submits work to the same executor and blocks on its result.',
    why: 'When every worker is blocked waiting for a queued child task, no worker is left to run the children.',
    fix: 'never',
  },
  (ctx) => {
    const { model } = ctx;
    const threads = model.threads;
    // One finding per task function and pool: the first wait is the deadlock, later ones repeat it.
    const reported = new Set<string>();
    for (const entry of threads.entries()) {
      // A process pool cannot be reached from its own workers (executors do not pickle).
      if (entry.how !== 'executor' || !entry.executorKey || entry.processPool) continue;
      const pool = entry.executorKey;
      const taskName = functionName(entry.fn);
      for (const fn of threads.reachableFrom(entry.fn)) {
        const key = `${fn.id}:${pool}`;
        if (reported.has(key)) continue;
        const call = threads.callsIn(fn).find((c) => blockingOnPool(model, c, pool));
        if (!call) continue;
        reported.add(key);
        const poolText = entry.via.childForFieldName('function')?.childForFieldName('object')?.text ?? 'the executor';
        const inner = fn.id === entry.fn.id ? '' : ` (through \`${functionName(fn)}\`)`;
        ctx.report({
          node: call,
          message:
            `\`${oneLine(call.text)}\` waits for a task submitted to \`${poolText}\` from \`${taskName}\`${inner}, which itself runs on \`${poolText}\` ` +
            `(submitted at line ${entry.via.startPosition.row + 1}). When every worker runs \`${taskName}\`, the children wait in the queue forever. ` +
            `Run the inner step inline, or give it a separate executor.`,
        });
      }
    }
  },
);

/** Whether the call blocks on futures that were submitted to the executor `pool`. */
function blockingOnPool(model: SemanticModel, call: Node, pool: string): boolean {
  const mc = model.methodCall(call);
  if (mc && (mc.method === 'result' || mc.method === 'exception')) {
    // Items of `as_completed(...)` and the `done` set of `wait(...)` are finished: no wait.
    if (model.typeOf(mc.receiver)?.finished) return false;
    return submittedTo(model, mc.receiver, pool);
  }
  if (mc && mc.method === 'map' && model.kindOf(mc.receiver) === 'Executor') {
    return model.bindingOf(mc.receiver)?.key === pool && consumed(call);
  }
  const qname = model.calleeName(call);
  if (qname && WAITS.has(qname)) {
    const arg = model.args(call).positional[0];
    return !!arg && submittedTo(model, arg, pool);
  }
  return false;
}

/** The expression is a future (or futures) from `pool.submit(...)`, directly or through a name. */
function submittedTo(model: SemanticModel, expr: Node, pool: string, depth = 0): boolean {
  const e = unwrap(expr);
  if (depth > 3) return false;
  if (e.type === 'call') {
    const mc = model.methodCall(e);
    return !!mc && mc.method === 'submit' && model.bindingOf(mc.receiver)?.key === pool;
  }
  if (e.type === 'identifier' || e.type === 'attribute') {
    const sites = model.bindingOf(e)?.sites ?? [];
    return sites.length > 0 && sites.every((s) => {
      if (s.type === 'assign' && s.value) return submittedTo(model, s.value, pool, depth + 1);
      if (s.type === 'for') return submittedTo(model, s.iterable, pool, depth + 1);
      return false;
    });
  }
  if (['list_comprehension', 'generator_expression', 'set_comprehension'].includes(e.type)) {
    const body = e.childForFieldName('body');
    return !!body && submittedTo(model, body, pool, depth + 1);
  }
  if (e.type === 'dictionary_comprehension') {
    const key = e.childForFieldName('body')?.childForFieldName('key');
    return !!key && submittedTo(model, key, pool, depth + 1);
  }
  if (e.type === 'list' || e.type === 'tuple' || e.type === 'set') {
    const items = e.namedChildren.filter((n): n is Node => !!n);
    return items.length > 0 && items.every((n) => submittedTo(model, n, pool, depth + 1));
  }
  return false;
}

/** `pool.map(...)` whose results are iterated right away (`list(...)`, `for … in`). */
function consumed(call: Node): boolean {
  const parent = call.parent;
  if (parent?.type === 'for_statement' || parent?.type === 'for_in_clause') return true;
  const outer = parent?.type === 'argument_list' ? parent.parent : null;
  const fn = outer?.childForFieldName('function');
  return fn?.type === 'identifier' && ['list', 'tuple', 'set', 'sorted', 'sum', 'dict', 'any', 'all'].includes(fn.text);
}
