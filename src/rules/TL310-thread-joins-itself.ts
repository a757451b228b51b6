import type { Node } from '../engine/tree/index.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import { threadTargets } from '../engine/model/awaited.js';
import { statementCall } from '../engine/model/statements.js';
import { createRule, type ProposedFix } from '../engine/rule.js';
import { indentDeeper, indentUnit, leadOf } from './support/indent.js';
import { functionName } from './support/locking.js';
import { isWithin } from './support/loops.js';

/**
 * `stop()` joins the worker thread, and the worker's own code calls `stop()` (from its
 * loop, a callback, an error handler): on that thread the join raises
 * `RuntimeError: cannot join current thread`, and the rest of `stop()` never runs.
 */
export default createRule(
  {
    id: 'TL310',
    name: 'thread-joins-itself',
    severity: 'error',
    summary: '`T.join()` in code that T\'s own target reaches: on that thread it raises `RuntimeError: cannot join current thread`.',
    why: 'A thread cannot join itself: when the stop path runs on the thread it stops, join() raises and the rest of the shutdown is skipped.',
    fix: 'sometimes',
    inTests: true,
  },
  (ctx) => {
    const { model } = ctx;
    for (const call of model.calls) {
      const m = model.methodCall(call);
      if (m?.method !== 'join') continue;
      const receiver = unwrap(m.receiver);
      if (receiver.type !== 'identifier' && receiver.type !== 'attribute') continue;
      if (model.kindOf(receiver) !== 'Thread' && receiver.type !== 'identifier') continue;
      const fn = model.enclosingFunction(call);
      if (!fn || checksCurrentThread(fn, call.startIndex) || catchesRuntimeError(call, fn)) continue;
      if (madeHere(model, receiver, fn)) continue;
      const targets = threadTargets(model, receiver);
      if (!targets) continue;
      const path = pathTo(model, targets, fn);
      if (!path) continue;
      const t = receiver.text;
      const via = path.length > 1 ? ` (${path.map(functionName).join(' → ')})` : '';
      ctx.report({
        node: call,
        message: `\`${t}.join()\` runs on \`${t}\` itself when its target \`${functionName(path[0])}\` reaches \`${functionName(fn)}\`${via}: a thread cannot join itself, so it raises \`RuntimeError: cannot join current thread\` and whatever follows it in \`${functionName(fn)}\` is skipped. Skip the join on that thread: \`if threading.current_thread() is not ${t}:\`.`,
        fix: guardFix(model, call, t),
      });
    }
  },
);

/**
 * A local thread this call of the function creates (`t = Thread(…)`): even when the
 * function runs again on that thread's own code, that run joins a newer thread.
 */
function madeHere(model: SemanticModel, receiver: Node, fn: Node): boolean {
  if (receiver.type !== 'identifier') return false;
  const binding = model.bindingOf(receiver);
  if (!binding?.key.startsWith('l:') || binding.scope?.node.id !== fn.id) return false;
  return binding.sites.some((s) => s.type === 'assign' && !!s.value && unwrap(s.value).type === 'call');
}

/** The calls that tell which thread runs the code: a guard against joining oneself. */
const CURRENT_THREAD = /\b(?:current_thread|currentThread|get_ident|get_native_id|main_thread)\b|\.ident\b|\.native_id\b/;

const firstMentions = new WeakMap<Node, number>();

/** Whether the function looks at the current thread before `until` (a guard, an early return). */
function checksCurrentThread(fn: Node, until: number): boolean {
  let at = firstMentions.get(fn);
  if (at === undefined) {
    const m = CURRENT_THREAD.exec(fn.text);
    at = m ? fn.startIndex + m.index : Infinity;
    firstMentions.set(fn, at);
  }
  return at < until;
}

/** The join sits in a `try` whose handler catches `RuntimeError` (or everything): the author expects it. */
function catchesRuntimeError(call: Node, fn: Node): boolean {
  for (let n = call.parent; n && n.id !== fn.id; n = n.parent) {
    if (n.type !== 'try_statement' || !n.childForFieldName('body') || !isWithin(call, n.childForFieldName('body')!)) continue;
    for (const clause of n.namedChildren) {
      if (clause?.type !== 'except_clause') continue;
      const value = clause.namedChildren.find((c) => c && c.type !== 'block' && c.type !== 'comment') ?? null;
      if (!value) return true;
      const caught = value.type === 'as_pattern' ? value.namedChildren[0] : value;
      const names = caught ? (caught.type === 'tuple' ? caught.namedChildren : [caught]) : [];
      if (names.some((t) => !!t && ['RuntimeError', 'Exception', 'BaseException'].includes(t.text))) return true;
    }
  }
  return false;
}

/**
 * A same-file call path from one of the thread's targets to `fn` (both included), along
 * which no caller checks the current thread before the call. Breadth first: the shortest.
 */
function pathTo(model: SemanticModel, targets: readonly Node[], fn: Node): Node[] | null {
  const threads = model.threads;
  const parent = new Map<number, Node | null>();
  const queue: Node[] = [];
  for (const t of targets) {
    if (!parent.has(t.id)) {
      parent.set(t.id, null);
      queue.push(t);
    }
  }
  for (let i = 0; i < queue.length; i++) {
    const f = queue[i];
    if (f.id === fn.id) {
      const path: Node[] = [];
      for (let n: Node | null = f; n; n = parent.get(n.id) ?? null) path.unshift(n);
      return path;
    }
    for (const call of threads.callsIn(f)) {
      const callee = call.childForFieldName('function');
      const next = callee && model.localFunction(callee);
      if (!next || next.type !== 'function_definition' || parent.has(next.id)) continue;
      if (checksCurrentThread(f, call.startIndex)) continue;
      parent.set(next.id, f);
      queue.push(next);
    }
  }
  return null;
}

/**
 * The join statement wrapped in `if <threading>.current_thread() is not T:`, with the name
 * the file imports `threading` (or `current_thread`) under at module level.
 */
function guardFix(model: SemanticModel, call: Node, t: string): ProposedFix | undefined {
  const stmt = call.parent;
  if (!stmt || statementCall(stmt)?.id !== call.id || stmt.parent?.type !== 'block') return undefined;
  const current = currentThreadName(model, call);
  if (!current) return undefined;
  const lines = model.lines;
  const row = stmt.startPosition.row;
  if (lines[row].slice(0, stmt.startPosition.column).trim() !== '') return undefined;
  // `a(); b()` on one line: wrapping one would move the other.
  const next = stmt.nextSibling;
  if (next && next.type !== 'comment' && next.startPosition.row === stmt.endPosition.row) return undefined;
  const unit = indentUnit(model, lines, stmt);
  const body = indentDeeper(model.tree.source, stmt, unit);
  if (body === null) return undefined;
  const lead = leadOf(lines, row);
  return {
    description: `Join only from another thread: \`if ${current}() is not ${t}:\``,
    edits: [
      {
        startLine: row + 1,
        startColumn: stmt.startPosition.column + 1,
        endLine: stmt.endPosition.row + 1,
        endColumn: stmt.endPosition.column + 1,
        text: `if ${current}() is not ${t}:\n${lead}${unit}${body}`,
      },
    ],
  };
}

/** `threading.current_thread` as the file can spell it at `at`: `threading.…`, `th.…`, or an imported `current_thread`. */
function currentThreadName(model: SemanticModel, at: Node): string | null {
  for (const [name, sites] of model.index.module.bindings) {
    if (!sites.length || model.resolveName(name, at)?.key !== `g:${name}`) continue;
    if (sites.every((s) => s.type === 'import' && s.qname === 'threading')) return `${name}.current_thread`;
  }
  for (const [name, sites] of model.index.module.bindings) {
    if (!sites.length || model.resolveName(name, at)?.key !== `g:${name}`) continue;
    if (sites.every((s) => s.type === 'import' && s.qname === 'threading.current_thread')) return name;
  }
  return null;
}
