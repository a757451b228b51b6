import type { Node } from '../tree/index.js';
import { unwrap, type SemanticModel } from './model.js';

/**
 * Which functions of a file run on other threads, and what they call. An entry is a
 * callable handed to a thread: `Thread(target=…)`, `Timer(t, …)`, `Executor.submit/map`,
 * or the `run` method of a Thread subclass. `functools.partial(f, …)` and a lambda
 * whose body calls `f` both make `f` reachable.
 */
export interface ThreadEntry {
  /** The def or lambda that runs on the thread. */
  fn: Node;
  /** The call that hands it over (`Thread(...)`, `pool.submit(...)`), or the class for `run`. */
  via: Node;
  how: 'thread' | 'executor' | 'thread-subclass';
  /** For executors: the executor's binding key and constructor names. */
  executorKey?: string;
  processPool?: boolean;
  /** Started from a loop, by a pool, or twice by the same function: runs on several threads at once. */
  many: boolean;
}

export class ThreadFacts {
  private entriesCache: ThreadEntry[] | undefined;
  private callGraphCache: Map<number, Node[]> | undefined;
  private callersCache: Map<number, Node[]> | undefined;
  private reachCache = new Map<number, ThreadEntry[]>();
  private callsInCache: Map<number, Node[]> | undefined;

  constructor(private readonly model: SemanticModel) {}

  /** Every callable the file hands to a thread or pool. */
  entries(): ThreadEntry[] {
    if (this.entriesCache) return this.entriesCache;
    const m = this.model;
    const out: ThreadEntry[] = [];
    for (const call of m.calls) {
      const qname = m.calleeName(call);
      const mc = m.methodCall(call);
      const fnExpr = qname || mc ? null : call.childForFieldName('function');
      if (qname === 'threading.Thread' || qname === 'threading.Timer' || (fnExpr && m.isThreadClass(fnExpr))) {
        const { positional, keywords } = m.args(call);
        const target = qname === 'threading.Timer' ? (keywords.get('function') ?? positional[1]) : keywords.get('target');
        for (const fn of this.callablesOf(target)) out.push({ fn, via: call, how: 'thread', many: inLoop(call) });
        continue;
      }
      if (mc && (mc.method === 'submit' || mc.method === 'map') && m.kindOf(mc.receiver) === 'Executor') {
        const { positional } = m.args(call);
        const type = m.typeOf(mc.receiver);
        const key = m.bindingOf(mc.receiver)?.key;
        const processPool = !!type && [...type.ctors].some((c) => c.endsWith('ProcessPoolExecutor'));
        for (const fn of this.callablesOf(positional[0])) {
          out.push({ fn, via: call, how: 'executor', executorKey: key, processPool, many: true });
        }
      }
    }
    for (const cls of m.classes()) {
      if (!m.isThreadSubclass(cls)) continue;
      const run = cls.methods.get('run');
      if (run) out.push({ fn: run, via: cls.node, how: 'thread-subclass', many: false });
    }
    // The same function handed over twice by one function runs on two threads at once.
    // (Two different functions, like `start()` and `restart()`, may well run one after the other.)
    const count = new Map<string, number>();
    const site = (e: ThreadEntry) => `${(this.forwardedTo(e.fn) ?? e.fn).id}:${m.enclosingFunction(e.via)?.id ?? 'module'}`;
    for (const e of out) if (e.how === 'thread') count.set(site(e), (count.get(site(e)) ?? 0) + 1);
    for (const e of out) if ((count.get(site(e)) ?? 0) > 1) e.many = true;
    this.entriesCache = out;
    return out;
  }

  /** The defs/lambdas a callable argument stands for (`f`, `self.m`, `lambda: f()`, `partial(f, x)`). */
  callablesOf(expr: Node | undefined | null): Node[] {
    if (!expr) return [];
    const e = unwrap(expr);
    const m = this.model;
    if (e.type === 'call' && m.calleeName(e) === 'functools.partial') return this.callablesOf(m.args(e).positional[0]);
    const fn = m.localFunction(e);
    return fn ? [fn] : [];
  }

  /** For `lambda: f(x)`: the same-file function the lambda only forwards to, else null. */
  forwardedTo(fn: Node): Node | null {
    if (fn.type !== 'lambda') return null;
    const body = fn.childForFieldName('body');
    const call = body && unwrap(body);
    const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
    const target = callee ? this.model.localFunction(callee) : null;
    return target?.type === 'function_definition' ? target : null;
  }

  /** Same-file functions each function calls directly (lambdas count as their own body). */
  callGraph(): Map<number, Node[]> {
    if (this.callGraphCache) return this.callGraphCache;
    const graph = new Map<number, Node[]>();
    const callers = new Map<number, Node[]>();
    const m = this.model;
    for (const call of m.calls) {
      const caller = m.enclosingFunction(call);
      const fnExpr = call.childForFieldName('function');
      if (!caller || !fnExpr) continue;
      const callee = m.localFunction(fnExpr);
      if (!callee || callee.id === caller.id) continue;
      push(graph, caller.id, callee);
      push(callers, callee.id, call);
    }
    this.callGraphCache = graph;
    this.callersCache = callers;
    return graph;
  }

  /** Calls made in a function's own body (not in functions nested in it). */
  callsIn(fn: Node): Node[] {
    if (!this.callsInCache) {
      this.callsInCache = new Map();
      for (const call of this.model.calls) {
        const owner = this.model.enclosingFunction(call);
        if (owner) push(this.callsInCache, owner.id, call);
      }
    }
    return this.callsInCache.get(fn.id) ?? [];
  }

  /** The call sites, in this file, of a function. */
  callSites(fn: Node): Node[] {
    this.callGraph();
    return this.callersCache!.get(fn.id) ?? [];
  }

  /** The entries from which `fn` is reachable through same-file calls. */
  entriesReaching(fn: Node): ThreadEntry[] {
    const cached = this.reachCache.get(fn.id);
    if (cached) return cached;
    const graph = this.callGraph();
    const result: ThreadEntry[] = [];
    for (const entry of this.entries()) {
      const seen = new Set<number>([entry.fn.id]);
      const queue = [entry.fn];
      while (queue.length) {
        const f = queue.pop()!;
        if (f.id === fn.id) {
          result.push(entry);
          break;
        }
        for (const next of graph.get(f.id) ?? []) {
          if (!seen.has(next.id)) {
            seen.add(next.id);
            queue.push(next);
          }
        }
      }
    }
    this.reachCache.set(fn.id, result);
    return result;
  }

  /** Functions reachable from `fn` (itself included), through same-file calls. */
  reachableFrom(fn: Node): Node[] {
    const graph = this.callGraph();
    const seen = new Map<number, Node>([[fn.id, fn]]);
    const queue = [fn];
    while (queue.length) {
      for (const next of graph.get(queue.pop()!.id) ?? []) {
        if (!seen.has(next.id)) {
          seen.set(next.id, next);
          queue.push(next);
        }
      }
    }
    return [...seen.values()];
  }
}

const LOOPS = new Set(['for_statement', 'while_statement', 'list_comprehension', 'generator_expression', 'set_comprehension', 'dictionary_comprehension']);
const BOUNDARIES = new Set(['function_definition', 'lambda', 'class_definition', 'module']);

/** Whether a node sits in a loop of its own function. */
export function inLoop(node: Node): boolean {
  for (let n = node.parent; n && !BOUNDARIES.has(n.type); n = n.parent) if (LOOPS.has(n.type)) return true;
  return false;
}

function push<V>(map: Map<number, V[]>, key: number, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
