import type { Node } from '../tree/index.js';
import { importedName } from './imports.js';
import { unwrap, type SemanticModel } from './model.js';
import type { ClassInfo } from './scopes.js';

/**
 * Which functions of a file run on other threads, and what they call. An entry is a
 * callable handed to a thread: `Thread(target=…)`, `Timer(t, …)`, `Executor.submit/map`,
 * or the `run` method of a Thread subclass. `functools.partial(f, …)` and a lambda
 * whose body calls `f` both make `f` reachable; so do a bound method of an instance
 * whose class is defined in the file (`w = Poller(); Thread(target=w.poll)`) and a
 * callable passed on through one parameter (`def spawn(fn): Thread(target=fn)` called
 * as `spawn(work)`).
 *
 * Besides threads proper, code runs on another thread, or out of turn, as a callback:
 * a `Future.add_done_callback` callback (on the worker that finishes the future), the
 * request-handler methods of a threading socketserver (one thread per request), the
 * `emit` of a `logging.Handler` subclass (on whatever thread logs, under the handler's
 * own lock), a `signal.signal` handler (on the main thread, between two bytecodes of
 * whatever it was running: re-entry, not parallelism), and `__del__` / `weakref.finalize`
 * callbacks (on whatever thread the collector runs). Those are `callbackEntries()`;
 * `entries()` keeps to threads proper, which is what most rules mean by "a thread".
 */
export type EntryHow = 'thread' | 'executor' | 'thread-subclass' | CallbackHow;

export type CallbackHow = 'done-callback' | 'request-handler' | 'log-handler' | 'signal' | 'finalizer';

export interface ThreadEntry {
  /** The def or lambda that runs on the thread. */
  fn: Node;
  /**
   * The call that hands it over (`Thread(...)`, `pool.submit(...)`, `fut.add_done_callback(...)`,
   * `signal.signal(...)`, the server constructor), or the class for `run`, `emit` and `__del__`.
   */
  via: Node;
  /** For a callable passed on through a parameter: the call that passes it (`spawn(work)`); it starts the thread. */
  forwardedBy?: Node;
  how: EntryHow;
  /** For executors: the executor's binding key and constructor names. */
  executorKey?: string;
  processPool?: boolean;
  /** Started from a loop, by a pool, or twice by the same function: runs on several threads at once. */
  many: boolean;
  /**
   * Each run has its own `self`: a request handler (one instance per request), a bound
   * method of an instance made in the loop that starts it. `self.` state is then not
   * shared between the runs.
   */
  freshSelf?: boolean;
}

/** A callable handed to a thread that another file of the run defines (`Thread(target=workers.drain)`). */
export interface ExternalEntry {
  /** Absolute dotted name: `pkg.workers.drain`, `pkg.poller.Poller.poll` for a bound method. */
  name: string;
  via: Node;
  how: 'thread' | 'executor' | 'done-callback';
  many: boolean;
}

/** Entry kinds that run in parallel with the code that started them. */
const PARALLEL = new Set<EntryHow>(['thread', 'executor', 'thread-subclass', 'done-callback', 'request-handler']);

/** Whether an entry runs in parallel with other code (a signal handler, an `emit` or a finalizer does not by itself). */
export function isParallel(entry: ThreadEntry): boolean {
  return PARALLEL.has(entry.how);
}

/** Servers that run each request on a thread of its own. */
const THREADING_SERVERS = new Set([
  'socketserver.ThreadingMixIn',
  'socketserver.ThreadingTCPServer',
  'socketserver.ThreadingUDPServer',
  'socketserver.ThreadingUnixStreamServer',
  'socketserver.ThreadingUnixDatagramServer',
  'http.server.ThreadingHTTPServer',
]);

/** Methods of a request handler that the server calls for each request. */
const HANDLER_METHOD = /^(?:handle|setup|finish|do_[A-Z]+)$/;

export class ThreadFacts {
  private allCache: ThreadEntry[] | undefined;
  private entriesCache: ThreadEntry[] | undefined;
  private callbacksCache: ThreadEntry[] | undefined;
  private externalCache: ExternalEntry[] = [];
  private callGraphCache: Map<number, Node[]> | undefined;
  private callersCache: Map<number, Node[]> | undefined;
  private reachCache = new Map<string, ThreadEntry[]>();
  private callsInCache: Map<number, Node[]> | undefined;
  private serverClasses = new Map<number, boolean>();
  private logHandlerClasses = new Map<number, boolean>();
  /** For bound methods of instances: the binding key of the instance (`l:12:p`, `c:Service.poller`). */
  private receivers = new WeakMap<ThreadEntry, string>();

  constructor(private readonly model: SemanticModel) {}

  /** Every callable the file hands to a thread or pool (threads proper: `thread`, `executor`, `thread-subclass`). */
  entries(): ThreadEntry[] {
    this.entriesCache ??= this.allEntries().filter((e) => e.how === 'thread' || e.how === 'executor' || e.how === 'thread-subclass');
    return this.entriesCache;
  }

  /** Callbacks: done-callbacks, request handlers, `Handler.emit`, signal handlers, finalizers. */
  callbackEntries(): ThreadEntry[] {
    this.callbacksCache ??= this.allEntries().filter((e) => !(e.how === 'thread' || e.how === 'executor' || e.how === 'thread-subclass'));
    return this.callbacksCache;
  }

  /** Callables handed to a thread, pool or future that another file defines. */
  externalEntries(): ExternalEntry[] {
    this.allEntries();
    return this.externalCache;
  }

  /** Threads proper and callbacks. */
  allEntries(): ThreadEntry[] {
    if (this.allCache) return this.allCache;
    const m = this.model;
    const out: ThreadEntry[] = [];
    for (const call of m.calls) {
      const qname = m.calleeName(call);
      const mc = m.methodCall(call);
      const fnExpr = qname || mc ? null : call.childForFieldName('function');
      if (qname === 'threading.Thread' || qname === 'threading.Timer' || (fnExpr && m.isThreadClass(fnExpr))) {
        const { positional, keywords } = m.args(call);
        const target = qname === 'threading.Timer' ? (keywords.get('function') ?? positional[1]) : keywords.get('target');
        this.handOver(target, call, { how: 'thread', many: inLoop(call) }, out);
        continue;
      }
      if (mc && (mc.method === 'submit' || mc.method === 'map') && m.kindOf(mc.receiver) === 'Executor') {
        const { positional } = m.args(call);
        const type = m.typeOf(mc.receiver);
        const key = m.bindingOf(mc.receiver)?.key;
        const processPool = !!type && [...type.ctors].some((c) => c.endsWith('ProcessPoolExecutor'));
        this.handOver(positional[0], call, { how: 'executor', executorKey: key, processPool, many: true }, out);
        continue;
      }
      if (mc?.method === 'add_done_callback' && m.kindOf(mc.receiver) === 'Future') {
        this.handOver(m.args(call).positional[0], call, { how: 'done-callback', many: inLoop(call) }, out);
        continue;
      }
      if (qname === 'signal.signal') {
        this.handOver(m.args(call).positional[1], call, { how: 'signal', many: false }, out);
        continue;
      }
      if (qname === 'weakref.finalize') {
        this.handOver(m.args(call).positional[1], call, { how: 'finalizer', many: false }, out);
        continue;
      }
      const server = call.childForFieldName('function');
      if (server && this.isThreadingServer(server)) {
        const { positional, keywords } = m.args(call);
        const handler = keywords.get('RequestHandlerClass') ?? positional[1];
        const cls = handler ? m.localClass(unwrap(handler)) : null;
        if (cls) for (const fn of handlerMethods(m, cls)) out.push({ fn, via: call, how: 'request-handler', many: true, freshSelf: true });
      }
    }
    for (const cls of m.classes()) {
      if (m.isThreadSubclass(cls)) {
        const run = cls.methods.get('run');
        if (run) out.push({ fn: run, via: cls.node, how: 'thread-subclass', many: false });
      }
      const emit = cls.methods.get('emit');
      if (emit && this.isLogHandler(cls)) out.push({ fn: emit, via: cls.node, how: 'log-handler', many: false });
      const del = cls.methods.get('__del__');
      if (del) out.push({ fn: del, via: cls.node, how: 'finalizer', many: false });
    }
    // The same function handed over twice by one function runs on two threads at once.
    // (Two different functions, like `start()` and `restart()`, may well run one after the other.)
    const count = new Map<string, number>();
    const site = (e: ThreadEntry) => `${e.how}:${(this.forwardedTo(e.fn) ?? e.fn).id}:${m.enclosingFunction(e.forwardedBy ?? e.via)?.id ?? 'module'}`;
    for (const e of out) if (e.how === 'thread' || e.how === 'done-callback') count.set(site(e), (count.get(site(e)) ?? 0) + 1);
    for (const e of out) if ((count.get(site(e)) ?? 0) > 1) e.many = true;
    // Two instances each started once (not in a loop): the method runs twice at once, on two `self`s.
    const receivers = new Map<string, Set<string>>();
    for (const e of out) {
      const r = this.receivers.get(e);
      if (!r || inLoop(e.forwardedBy ?? e.via)) continue;
      const set = receivers.get(site(e)) ?? new Set();
      set.add(r);
      receivers.set(site(e), set);
    }
    for (const e of out) if ((receivers.get(site(e))?.size ?? 0) > 1 && this.receivers.has(e) && !inLoop(e.forwardedBy ?? e.via)) e.freshSelf = true;
    this.allCache = out;
    return out;
  }

  /**
   * Record the entries a callable argument stands for: same-file callables, the
   * callables passed to a parameter one level up, or (for threads, pools and futures) a
   * function or bound method another file defines.
   */
  private handOver(expr: Node | undefined, via: Node, base: Omit<ThreadEntry, 'fn' | 'via'>, out: ThreadEntry[]): void {
    if (!expr) return;
    const fns = this.callablesOf(expr);
    for (const fn of fns) {
      const entry: ThreadEntry = { ...base, fn, via };
      if (this.freshInstance(expr, via)) entry.freshSelf = true;
      const receiver = this.receiverKey(expr);
      if (receiver) this.receivers.set(entry, receiver);
      out.push(entry);
    }
    if (fns.length) return;
    const param = this.parameterOf(expr);
    if (param) {
      for (const site of this.callSites(param.fn)) {
        const arg = argumentFor(this.model, site, param);
        for (const fn of this.callablesOf(arg)) out.push({ ...base, fn, via, forwardedBy: site, many: base.many || inLoop(site) });
      }
      return;
    }
    if (base.how !== 'thread' && base.how !== 'executor' && base.how !== 'done-callback') return;
    if (base.processPool) return;
    const name = this.externalName(expr);
    if (name) this.externalCache.push({ name, via, how: base.how, many: base.many });
  }

  /** The defs/lambdas a callable argument stands for (`f`, `self.m`, `w.m`, `lambda: f()`, `partial(f, x)`). */
  callablesOf(expr: Node | undefined | null): Node[] {
    if (!expr) return [];
    const e = unwrap(expr);
    const m = this.model;
    if (e.type === 'call' && m.calleeName(e) === 'functools.partial') return this.callablesOf(m.args(e).positional[0]);
    const fn = m.localFunction(e) ?? this.boundMethod(e);
    return fn ? [fn] : [];
  }

  /**
   * `w.poll` where every assignment of `w` (a name, or `self.w` anywhere in the class)
   * constructs the same class of this file: that class's `poll`.
   */
  boundMethod(expr: Node): Node | null {
    const e = unwrap(expr);
    if (e.type !== 'attribute') return null;
    const object = e.childForFieldName('object');
    const attr = e.childForFieldName('attribute');
    if (!object || !attr) return null;
    const cls = this.instanceClass(object);
    return cls ? this.model.methodOf(cls, attr.text) : null;
  }

  /** The same-file class every assignment of the expression's binding constructs (`None` aside), else null. */
  private instanceClass(object: Node): ClassInfo | null {
    const ctors = this.constructorsOf(object);
    if (!ctors?.length) return null;
    const classes = ctors.map((c) => this.model.localClass(c));
    const first = classes[0];
    return first && classes.every((c) => c?.node.id === first.node.id) ? first : null;
  }

  /** The callee expressions of every `x = C(...)` assignment of a name or `self.x` (`None` skipped), or null. */
  private constructorsOf(object: Node): Node[] | null {
    const o = unwrap(object);
    if (o.type !== 'identifier' && o.type !== 'attribute') return null;
    const binding = this.model.bindingOf(o);
    if (!binding || binding.sites.length === 0) return null;
    const out: Node[] = [];
    for (const s of binding.sites) {
      if (s.type !== 'assign' || !s.value) return null;
      const v = unwrap(s.value);
      if (v.type === 'none') continue;
      const callee = v.type === 'call' ? v.childForFieldName('function') : null;
      if (!callee) return null;
      out.push(callee);
    }
    return out;
  }

  /**
   * Whether `x.m` is a method of an instance made anew for each start: `x` is a local
   * variable assigned only inside the loop that hands `x.m` over.
   */
  private freshInstance(expr: Node, via: Node): boolean {
    const e = unwrap(expr);
    const object = e.type === 'attribute' ? e.childForFieldName('object') : null;
    if (object?.type !== 'identifier') return false;
    const binding = this.model.resolveName(object.text, object);
    if (!binding || binding.scope?.kind !== 'function' || !this.instanceClass(object)) return false;
    const loop = enclosingLoop(via);
    return !!loop && binding.sites.every((s) => s.type === 'assign' && loop.contains(s.target));
  }

  /** The binding key of the instance in `x.m` when `x.m` is a bound method of a same-file class's instance. */
  private receiverKey(expr: Node): string | null {
    const e = unwrap(expr);
    const object = e.type === 'attribute' ? e.childForFieldName('object') : null;
    if (!object || !this.instanceClass(object)) return null;
    return this.model.bindingOf(object)?.key ?? null;
  }

  /** The function and parameter an argument names, when it is a plain parameter of the function handing it over. */
  private parameterOf(expr: Node): { fn: Node; name: string; index: number; method: boolean } | null {
    const e = unwrap(expr);
    if (e.type !== 'identifier') return null;
    const binding = this.model.resolveName(e.text, e);
    const site = binding?.sites.length === 1 ? binding.sites[0] : null;
    if (site?.type !== 'param' || binding!.scope?.kind !== 'function') return null;
    const scope = binding!.scope;
    return { fn: scope.node, name: e.text, index: site.index, method: !!scope.methodOf && !!scope.selfName };
  }

  /** The dotted name of a callable another file defines: an imported function, or a method of an imported class's instance. */
  private externalName(expr: Node): string | null {
    const e = unwrap(expr);
    const m = this.model;
    if (e.type === 'call' && m.calleeName(e) === 'functools.partial') {
      const inner = m.args(e).positional[0];
      return inner ? this.externalName(inner) : null;
    }
    if (m.localFunction(e)) return null;
    const direct = importedName(m, e);
    if (direct) return direct.includes('.') ? direct : null;
    if (e.type !== 'attribute') return null;
    const object = e.childForFieldName('object');
    const attr = e.childForFieldName('attribute');
    const ctors = object ? this.constructorsOf(object) : null;
    if (!ctors?.length || !attr) return null;
    const names = new Set(ctors.map((c) => importedName(m, c)));
    const [cls] = names;
    return names.size === 1 && cls && cls.includes('.') ? `${cls}.${attr.text}` : null;
  }

  /** Whether a class expression is a threading socketserver (`ThreadingTCPServer`, a `ThreadingMixIn` subclass). */
  private isThreadingServer(expr: Node): boolean {
    const q = this.model.qualifiedName(expr);
    if (q) return THREADING_SERVERS.has(q);
    const cls = this.model.localClass(unwrap(expr));
    if (!cls) return false;
    const known = this.serverClasses.get(cls.node.id);
    if (known !== undefined) return known;
    this.serverClasses.set(cls.node.id, false);
    const result = cls.bases.some((b) => this.isThreadingServer(b));
    this.serverClasses.set(cls.node.id, result);
    return result;
  }

  /** Whether a class derives from `logging.Handler` (or a handler of `logging` / `logging.handlers`), here or through same-file bases. */
  private isLogHandler(cls: ClassInfo): boolean {
    const known = this.logHandlerClasses.get(cls.node.id);
    if (known !== undefined) return known;
    this.logHandlerClasses.set(cls.node.id, false);
    const result = cls.bases.some((b) => {
      const q = this.model.qualifiedName(b);
      if (q) return /^logging\.(?:handlers\.)?\w*Handler$/.test(q);
      const base = this.model.localClass(unwrap(b));
      return !!base && this.isLogHandler(base);
    });
    this.logHandlerClasses.set(cls.node.id, result);
    return result;
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

  /**
   * The entries from which `fn` is reachable through same-file calls: threads proper, or
   * with `'all'` callbacks too.
   */
  entriesReaching(fn: Node, which: 'threads' | 'all' = 'threads'): ThreadEntry[] {
    const cacheKey = `${which}:${fn.id}`;
    const cached = this.reachCache.get(cacheKey);
    if (cached) return cached;
    const graph = this.callGraph();
    const result: ThreadEntry[] = [];
    for (const entry of which === 'all' ? this.allEntries() : this.entries()) {
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
    this.reachCache.set(cacheKey, result);
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
  return enclosingLoop(node) !== null;
}

/** The innermost loop of its own function around a node. */
function enclosingLoop(node: Node): Node | null {
  for (let n = node.parent; n && !BOUNDARIES.has(n.type); n = n.parent) if (LOOPS.has(n.type)) return n;
  return null;
}

/** Own and same-file inherited methods a request handler runs per request (`handle`, `do_GET`, …). */
function handlerMethods(model: SemanticModel, cls: ClassInfo, depth = 0): Node[] {
  const out: Node[] = [];
  for (const [name, fn] of cls.methods) if (HANDLER_METHOD.test(name)) out.push(fn);
  if (depth > 10) return out;
  for (const base of cls.bases) {
    const b = model.localClass(unwrap(base));
    if (b) for (const fn of handlerMethods(model, b, depth + 1)) if (!cls.methods.has(fn.childForFieldName('name')?.text ?? '')) out.push(fn);
  }
  return out;
}

/** The argument a call site passes for a parameter (by keyword, or by position; `self` not counted at `obj.m(...)`). */
function argumentFor(model: SemanticModel, site: Node, param: { name: string; index: number; method: boolean }): Node | undefined {
  const { positional, keywords } = model.args(site);
  const keyword = keywords.get(param.name);
  if (keyword) return keyword;
  const bound = param.method && site.childForFieldName('function')?.type === 'attribute';
  return positional[bound ? param.index - 1 : param.index];
}

function push<V>(map: Map<number, V[]>, key: number, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
