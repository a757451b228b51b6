import type { Node } from '../engine/tree/index.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import type { ThreadEntry } from '../engine/model/threads.js';
import { createRule } from '../engine/rule.js';
import { possiblyConcurrent } from './support/concurrent-code.js';
import { bindingIterator, consumption } from './support/iterators.js';
import { functionName, oneLine } from './support/locking.js';
import { enclosingLoop } from './support/loops.js';

/**
 * One iterator consumed by several threads at once: a module-level generator read by
 * library functions, a closure's iterator read by a target started many times, one
 * iterator passed to every thread or task.
 */
export default createRule(
  {
    id: 'TL602',
    name: 'shared-iterator',
    severity: 'error',
    summary: 'One iterator or generator is consumed by several threads at once (`next(it)` / `for x in it`).',
    why: 'Iterators are not thread-safe: a generator resumed by two threads raises `ValueError: generator already executing`; others give one item twice or skip one.',
    fix: 'never',
    inTests: true,
    profile: 'free-threading',
  },
  (ctx) => {
    const { model, config } = ctx;
    const reported = new Set<number>();
    const report = (at: Node, message: string) => {
      if (reported.has(at.id)) return;
      reported.add(at.id);
      // A loop is reported on its header: `for x in it`, not the whole body.
      const end = at.type === 'for_statement' ? at.childForFieldName('right') : null;
      ctx.report({ node: at, endNode: end ?? undefined, message });
    };
    const identifiers = model.root.descendantsOfType('identifier');
    for (const id of identifiers) {
      const at = consumption(id);
      if (!at) continue;
      const fn = model.enclosingFunction(id);
      if (!fn) continue;
      const binding = model.resolveName(id.text, id);
      if (!binding?.scope) continue;
      const origin = bindingIterator(model, binding);
      if (!origin) continue;
      if (binding.scope.kind === 'module') {
        if (!possiblyConcurrent(model, fn, config)) continue;
        report(at, message(at, `the module-level ${describe(origin)} \`${id.text}\``, `\`${functionName(fn)}\` may run on several threads at once`, origin));
      } else if (binding.scope.kind === 'function' && binding.scope.node.id !== fn.id) {
        const entry = sharedEntry(model, fn);
        if (entry) report(at, message(at, `\`${id.text}\`, ${origin === 'generator' ? 'a generator' : 'an iterator'} of the enclosing \`${functionName(binding.scope.node)}\``, startedHow(entry), origin));
      }
    }
    for (const entry of model.threads.entries()) reportHandedIterators(model, entry, report);
    for (const call of model.calls) reportRepeatedIterator(model, call, report);
  },
);

/** `for x in it` for a loop, the call itself otherwise. */
function consumerText(at: Node): string {
  if (at.type !== 'for_statement') return at.text;
  return `for ${at.childForFieldName('left')?.text ?? '…'} in ${at.childForFieldName('right')?.text ?? '…'}`;
}

function describe(origin: 'generator' | 'iterator'): string {
  return origin === 'generator' ? 'generator' : 'iterator';
}

function message(at: Node, what: string, why: string, origin: 'generator' | 'iterator'): string {
  const effect = origin === 'generator' ? '`ValueError: generator already executing`, or items lost' : 'an item handed to two threads or skipped';
  return `\`${oneLine(consumerText(at), 50)}\` consumes ${what}, and ${why}: threads that resume one iterator together get ${effect}. Give each thread its own iterator, or hand the items out through a \`queue.Queue\`.`;
}

/** An entry that runs `fn` on several threads at once, if any. */
function sharedEntry(model: SemanticModel, fn: Node): ThreadEntry | null {
  const entries = model.threads.entries().filter((e) => e.fn.id === fn.id && !e.processPool);
  return entries.find((e) => e.many) ?? (entries.length > 1 ? entries[0] : null);
}

function startedHow(entry: ThreadEntry): string {
  const line = entry.via.startPosition.row + 1;
  return entry.how === 'executor' ? `it runs as a task of an executor (line ${line}), on several workers at once` : `it runs on several threads at once (started at line ${line})`;
}

/** `Thread(target=f, args=(it,))` in a loop, `pool.submit(f, it)` in a loop: one iterator, many threads. */
function reportHandedIterators(model: SemanticModel, entry: ThreadEntry, report: (at: Node, message: string) => void): void {
  if (!entry.many || entry.processPool || entry.fn.type !== 'function_definition' || entry.how === 'thread-subclass') return;
  const via = entry.via;
  const { positional, keywords } = model.args(via);
  const handed: { arg: Node; index: number }[] = [];
  if (entry.how === 'executor') positional.slice(1).forEach((arg, i) => handed.push({ arg, index: i }));
  else {
    const args = keywords.get('args');
    const tuple = args && unwrap(args);
    if (tuple && (tuple.type === 'tuple' || tuple.type === 'list')) tuple.namedChildren.forEach((arg, i) => handed.push({ arg, index: i }));
  }
  const loop = enclosingLoop(via);
  for (const { arg, index } of handed) {
    const a = unwrap(arg);
    if (a.type !== 'identifier') continue;
    const binding = model.resolveName(a.text, a);
    const origin = binding && bindingIterator(model, binding);
    if (!binding || !origin) continue;
    // Built inside the loop: a new iterator per thread.
    if (loop && binding.sites.some((s) => s.type === 'assign' && loop.contains(s.target))) continue;
    const param = parameterAt(entry.fn, index);
    if (!param) continue;
    const at = paramConsumption(model, entry.fn, param);
    if (!at) continue;
    report(at, message(at, `the ${describe(origin)} \`${a.text}\` passed to every thread at line ${via.startPosition.row + 1}`, `\`${functionName(entry.fn)}\` runs on all of them at once`, origin));
  }
}

/** `executor.map(f, [it] * n)` / `executor.map(f, itertools.repeat(it, n))`. */
function reportRepeatedIterator(model: SemanticModel, call: Node, report: (at: Node, message: string) => void): void {
  const mc = model.methodCall(call);
  if (mc?.method !== 'map' || model.kindOf(mc.receiver) !== 'Executor') return;
  const [fnArg, items] = model.args(call).positional;
  if (!items) return;
  const it = repeatedItem(model, unwrap(items));
  if (!it) return;
  const binding = model.resolveName(it.text, it);
  const origin = binding && bindingIterator(model, binding);
  if (!origin) return;
  const target = fnArg ? model.localFunction(fnArg) : null;
  const param = target?.type === 'function_definition' ? parameterAt(target, 0) : null;
  const at = (target && param ? paramConsumption(model, target, param) : null) ?? call;
  report(at, message(at, `the ${describe(origin)} \`${it.text}\`, repeated for every task at line ${call.startPosition.row + 1}`, 'the tasks run on several workers at once', origin));
}

function repeatedItem(model: SemanticModel, e: Node): Node | null {
  if (e.type === 'binary_operator' && e.children.some((c) => c.text === '*')) {
    const list = [e.childForFieldName('left'), e.childForFieldName('right')].map((x) => x && unwrap(x)).find((x) => x?.type === 'list' || x?.type === 'tuple');
    const only = list?.namedChildren.length === 1 ? unwrap(list.namedChildren[0]) : null;
    return only?.type === 'identifier' ? only : null;
  }
  if (e.type === 'call' && model.calleeName(e) === 'itertools.repeat') {
    const first = model.args(e).positional[0];
    return first && unwrap(first).type === 'identifier' ? unwrap(first) : null;
  }
  return null;
}

function parameterAt(fn: Node, index: number): string | null {
  const params = (fn.childForFieldName('parameters')?.namedChildren ?? []).filter((p) => p.type !== 'comment');
  const names = params.map((p) => (p.type === 'identifier' ? p.text : (p.childForFieldName('name')?.text ?? p.namedChildren.find((c) => c.type === 'identifier')?.text ?? '')));
  const offset = names[0] === 'self' || names[0] === 'cls' ? 1 : 0;
  return names[index + offset] || null;
}

function paramConsumption(model: SemanticModel, fn: Node, param: string): Node | null {
  for (const id of fn.descendantsOfType('identifier')) {
    if (id.text !== param) continue;
    const at = consumption(id);
    if (!at || model.enclosingFunction(id)?.id !== fn.id) continue;
    const binding = model.resolveName(id.text, id);
    if (binding?.sites.every((s) => s.type === 'param')) return at;
  }
  return null;
}

