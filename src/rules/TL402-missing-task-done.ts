import type { Node } from '../engine/tree/index.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import { createRule, type Site } from '../engine/rule.js';

/**
 * `Queue.join()` returns once every item put has been marked done with `task_done()`.
 * With no `task_done()` for that queue anywhere, it never returns. The consumer may sit
 * in another file, so files leave facts and the verdict is taken over the whole run.
 */
export default createRule(
  {
    id: 'TL402',
    name: 'missing-task-done',
    severity: 'error',
    summary: '`Queue.join()` on a queue for which no `task_done()` call exists: the join never returns.',
    why: '`join()` waits until every item put on the queue is marked done with `task_done()`; with no such call it blocks forever.',
    fix: 'never',
  },
  (ctx) => {
    const { model } = ctx;
    const joins: JoinFact[] = [];
    const taskDones: TaskDoneFact[] = [];
    let escaping: Set<string> | undefined;
    for (const call of model.calls) {
      const m = model.methodCall(call);
      if (m?.method === 'task_done') {
        taskDones.push({ key: model.bindingOf(m.receiver)?.key ?? null, name: lastName(m.receiver) });
        continue;
      }
      if (m?.method !== 'join' || model.args(call).positional.length > 0) continue;
      const type = model.typeOf(m.receiver);
      if (type?.kind !== 'Queue' || type.collection || !hasJoin(type.ctors)) continue;
      const binding = model.bindingOf(m.receiver);
      escaping ??= escapingKeys(model);
      joins.push({
        ...ctx.locate(call),
        receiver: m.receiver.text,
        key: binding?.key ?? null,
        name: lastName(m.receiver),
        escapes: !binding || escaping.has(binding.key) || comesFromOutside(model, binding.sites),
      });
    }
    if (joins.length || taskDones.length) ctx.setFacts({ joins, taskDones } satisfies QueueFacts);
  },
  (ctx) => {
    const files = ctx.files.map((f) => ({ path: f.path, facts: f.facts as QueueFacts }));
    const anyTaskDone = files.some((f) => f.facts.taskDones.length > 0);
    for (const { path, facts } of files) {
      for (const join of facts.joins) {
        const sameFile = facts.taskDones.some((t) => (join.key !== null && t.key === join.key) || (t.key === null && t.name !== null && t.name === join.name));
        const elsewhere = files.some((f) => f.path !== path && f.facts.taskDones.some((t) => t.name !== null && t.name === join.name));
        if (sameFile || elsewhere || (join.escapes && anyTaskDone)) continue;
        // Reviewing a diff, only the changed files are analysed: a queue that leaves its
        // file may well get its task_done() in a file the run never saw.
        if (join.escapes && ctx.changed) continue;
        const { key: _key, name: _name, escapes: _escapes, receiver, ...position } = join;
        ctx.report({
          path,
          ...position,
          message: `\`${receiver}.join()\` waits until every item put on \`${receiver}\` is marked done, but no \`${receiver}.task_done()\` exists in the analysed code: it never returns. Call \`${receiver}.task_done()\` once for each item the consumer takes with \`get()\` (in a \`finally:\` so failures count too).`,
        });
      }
    }
  },
);

interface JoinFact extends Site {
  receiver: string;
  /** Binding key of the queue within its file, when known. */
  key: string | null;
  /** Last name of the receiver (`q`, `self.jobs` → `jobs`), for matching across files. */
  name: string | null;
  /** The queue comes from, or is handed to, code the file does not show. */
  escapes: boolean;
}

interface TaskDoneFact {
  key: string | null;
  name: string | null;
}

interface QueueFacts {
  joins: JoinFact[];
  taskDones: TaskDoneFact[];
}

/** `queue.SimpleQueue` and `multiprocessing.Queue` have no `join()`: another bug, not this one. */
const WITHOUT_JOIN = new Set(['queue.SimpleQueue', 'multiprocessing.Queue']);

function hasJoin(ctors: ReadonlySet<string>): boolean {
  return ctors.size === 0 || [...ctors].some((c) => !WITHOUT_JOIN.has(c));
}

function lastName(expr: Node): string | null {
  const e = unwrap(expr);
  if (e.type === 'identifier') return e.text;
  if (e.type === 'attribute') return e.childForFieldName('attribute')?.text ?? null;
  return null;
}

/** A queue bound by a parameter, a loop, a `with` or copied from another name was made elsewhere. */
function comesFromOutside(model: SemanticModel, sites: readonly { type: string; value?: Node | null }[]): boolean {
  return sites.some((site) => {
    if (site.type !== 'assign') return true;
    const value = site.value ? unwrap(site.value) : null;
    return value?.type !== 'call' || model.typeOf(value)?.kind !== 'Queue';
  });
}

/**
 * Binding keys of values the file hands to other code: passed as a call argument (also
 * inside a tuple, list or dict, as in `args=(q,)`), assigned to another name or
 * attribute, or returned.
 */
function escapingKeys(model: SemanticModel): Set<string> {
  const keys = new Set<string>();
  const mark = (expr: Node | null) => {
    const stack = expr ? [expr] : [];
    while (stack.length) {
      const e = stack.pop()!;
      if (e.type === 'keyword_argument') {
        const value = e.childForFieldName('value');
        if (value) stack.push(value);
      } else if (e.type === 'identifier' || e.type === 'attribute') {
        const key = model.bindingOf(e)?.key;
        if (key) keys.add(key);
      } else if (['tuple', 'list', 'set', 'dictionary', 'pair', 'parenthesized_expression', 'list_splat', 'dictionary_splat', 'expression_list'].includes(e.type)) {
        for (const c of e.namedChildren) if (c) stack.push(c);
      }
    }
  };
  for (const call of model.calls) {
    for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) mark(arg);
  }
  for (const assign of model.nodes('assignment')) mark(assign.childForFieldName('right'));
  for (const ret of model.nodes('return_statement')) for (const c of ret.namedChildren) mark(c);
  return keys;
}
