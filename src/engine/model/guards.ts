import type { Node } from '../tree/index.js';
import type { Site } from '../rule.js';
import { LOCK_LIKE } from './kinds.js';
import { moduleNameOf, type Acquisition } from './locks.js';
import { unwrap, type SemanticModel } from './model.js';
import { withItems, type BindingSite, type ClassInfo } from './scopes.js';

/**
 * The guard summary of one file: every write, in-place mutation and iteration of state
 * other threads can see (`self.` attributes, class attributes, module globals and
 * module-level containers, names imported from other modules), with the locks held at
 * each, plus what each class says about itself (bases, locks, whether it is meant to
 * be thread-safe, `# guarded by` declarations). Plain data: it is cached, crosses
 * worker threads, and is joined with the other files' summaries by the project step
 * (../project/guards.ts), which decides what guards what.
 *
 * State keys are dotted names: `pkg.mod.Class.attr` (the class whose method touches
 * it; the join moves it to the base class that owns the attribute), `pkg.mod.NAME`, or
 * the qualified name an import gives (`pkg.registry.REGISTRY`). Lock keys are the same
 * kind of names (`pkg.mod.Class._lock`, `pkg.locks.REGISTRY_LOCK`).
 */

export type AccessKind = 'store' | 'item-store' | 'del' | 'mutate' | 'iterate';

/**
 * Where the access runs: `construction` (`__init__` before `self` escapes, or a helper
 * only it calls), `module` (import time), `helper` (a private function; `callersHold`
 * says what every same-file caller holds), `public` (a public function or method, or a
 * nested function handed to a thread), `joined` (after the function joined a thread: the
 * code it raced with has ended), `unknown` (a nested callback, or a private helper
 * no one in the file calls: the analysis cannot tell when it runs).
 */
export type Phase = 'construction' | 'module' | 'helper' | 'public' | 'joined' | 'unknown';

export interface StateAccess {
  state: string;
  kind: AccessKind;
  /** The mutating method (`append`), or how it iterates (`for`, `comprehension`, `sorted`, `items`…). */
  how: string;
  /** How the state reads at the access (`self._pools`). */
  text: string;
  site: Site;
  /** Lock keys held here: known locks (a Condition brings the lock it is built on). */
  held: string[];
  /** Names held here that may be locks another file or a base class declares (`with self._lock:` of unknown kind, imported names). */
  maybeHeld: string[];
  /** Some lock the analysis cannot name (a parameter, a local, an unresolved receiver) may be held. */
  opaque: boolean;
  phase: Phase;
  /** For a helper: locks every same-file caller holds (known keys and maybe-keys). */
  callersHold?: string[];
  /** `Class.method` or `function`, for messages. */
  fn: string | null;
  /** Module-qualified class of the method, if any. */
  cls: string | null;
  /** The function runs on a thread entry of this file. */
  onThread: boolean;
  /** `x += …` / `x = x + …`: a read-modify-write (TL104 reports those). */
  readModifyWrite: boolean;
  /** A comment on the line or the one above says the operation is atomic: the author has reasoned about it. */
  saidAtomic?: boolean;
  /**
   * Under a lock, the same hold uses the state more than once (`if k in d: … d[k] = …`,
   * a pop then an insert): the lock makes several steps one, which an unlocked change
   * elsewhere can break. A lone locked `d[k] = v` guards nothing a lone unlocked one breaks.
   */
  compound?: boolean;
}

/** What an assignment makes a piece of state: a thread-safe object, or a container. */
export type StateType = 'queue' | 'event' | 'lock' | 'local' | 'deque' | 'dict' | 'list' | 'set';

export interface ClassGuards {
  key: string;
  line: number;
  /** Base classes by qualified name (`pkg.base.Pool`), resolved through imports. */
  bases: string[];
  /** Attributes assigned in the class (`self.x = …` anywhere, class body). */
  attributes: string[];
  /** Attributes that are locks (typed in this file). */
  locks: string[];
  /** Why the class is meant for concurrent use, or null. */
  concurrent: string | null;
}

export interface GuardSummary {
  module: string;
  classes: ClassGuards[];
  /** Module-level names this file binds (other than imports, defs and classes), qualified. */
  globals: string[];
  /** Module-level locks this file defines, qualified. */
  locks: string[];
  /** Locks this file takes with a blocking acquire (`with L:`, `L.acquire()`); a lock only ever tried (`acquire(False)`) is a flag, not a guard. */
  blocking: string[];
  /** Locks this file only ever tries. */
  tried: string[];
  /** Types of the state this file defines, by state key. */
  types: Record<string, StateType>;
  /** `# guarded by L` declarations: state key → lock key (or maybe-key) and the declaring line. */
  declared: Record<string, { lock: string; line: number }>;
  accesses: StateAccess[];
}

const MUTATORS = new Set(['append', 'extend', 'insert', 'pop', 'popitem', 'remove', 'clear', 'update', 'setdefault', 'add', 'discard', 'sort', 'reverse']);
const VIEWS = new Set(['items', 'keys', 'values']);
const CONSTRUCTION = new Set(['__init__', '__new__', '__post_init__', 'setUp', 'setUpClass', '__init_subclass__', '__setstate__']);
/** Helpers whose names say the caller holds the lock (`_evict_locked`). */
const NAMED_LOCKED = /(^|_)(locked|lock_held|unlocked|nolock)(_|$)/i;
const GUARDED_BY = /guarded[- _]by:?\s*`?((?:self|cls)\.)?([A-Za-z_][\w.]*)/i;
const THREAD_SAFE = /thread[- ]?safe|guarded[- _]by|synchroni[sz]ed/i;
const NEGATED = /\b(?:not|n't|non|un|never)[\s-]*$/i;

const TYPE_CTORS = new Map<string, StateType>([
  ['queue.Queue', 'queue'],
  ['queue.LifoQueue', 'queue'],
  ['queue.PriorityQueue', 'queue'],
  ['queue.SimpleQueue', 'queue'],
  ['multiprocessing.Queue', 'queue'],
  ['multiprocessing.JoinableQueue', 'queue'],
  ['multiprocessing.SimpleQueue', 'queue'],
  ['threading.Event', 'event'],
  ['threading.local', 'local'],
  ['threading.Lock', 'lock'],
  ['threading.RLock', 'lock'],
  ['threading.Condition', 'lock'],
  ['threading.Semaphore', 'lock'],
  ['threading.BoundedSemaphore', 'lock'],
  ['threading.Barrier', 'lock'],
  ['collections.deque', 'deque'],
  ['collections.defaultdict', 'dict'],
  ['collections.OrderedDict', 'dict'],
  ['collections.Counter', 'dict'],
  ['weakref.WeakValueDictionary', 'dict'],
  ['weakref.WeakKeyDictionary', 'dict'],
  ['weakref.WeakSet', 'set'],
]);
const BUILTIN_CONTAINERS = new Map<string, StateType>([
  ['dict', 'dict'],
  ['list', 'list'],
  ['set', 'set'],
]);

interface StateRef {
  key: string;
  /** Defined in this file: its type can be read from its assignments. */
  sites?: BindingSite[];
}

interface FnInfo {
  phase: Phase;
  name: string | null;
  cls: ClassInfo | null;
  /** For `__init__`: where `self` first escapes (a start(), a call given `self`); Infinity if never. */
  escapesAt: number;
  onThread: boolean;
  /** The function itself is handed to a thread. */
  entry: boolean;
}

interface HeldLocks {
  held: string[];
  maybeHeld: string[];
  opaque: boolean;
}

export class GuardFacts {
  private summaryCache: GuardSummary | undefined;
  private readonly nodes: Node[] = [];
  private readonly fnInfo = new Map<number, FnInfo>();
  private readonly callerCache = new Map<number, HeldLocks | 'construction' | null>();
  private relative: Map<string, string> | undefined;
  readonly module: string;

  constructor(private readonly model: SemanticModel) {
    this.module = moduleNameOf(model.path);
  }

  /** The file's summary (computed once; `locate` turns nodes into plain sites). */
  summary(locate: (node: Node) => Site): GuardSummary {
    this.summaryCache ??= this.build(locate);
    return this.summaryCache;
  }

  /** The node of the i-th access of the summary (for fixes, while the tree is alive). */
  accessNode(i: number): Node {
    return this.nodes[i];
  }

  private build(locate: (node: Node) => Site): GuardSummary {
    const m = this.model;
    const accesses: StateAccess[] = [];
    const types: Record<string, StateType> = {};
    const add = (node: Node, target: Node, kind: AccessKind, how: string, rmw = false) => {
      const ref = this.stateOf(target);
      if (!ref) return;
      if (ref.sites && !(ref.key in types)) {
        const t = this.typeOf(ref.sites);
        if (t) types[ref.key] = t;
      }
      const fn = m.enclosingFunction(node);
      const info = this.infoOf(fn);
      let phase = info.phase;
      if (phase === 'construction' && fn && node.startIndex > info.escapesAt) phase = 'public';
      const locks = this.heldAt(node);
      const access: StateAccess = {
        state: ref.key,
        kind,
        how,
        text: unwrap(target).text,
        site: locate(node),
        ...locks,
        phase,
        fn: info.name,
        cls: info.cls ? this.classKey(info.cls) : null,
        onThread: info.onThread,
        readModifyWrite: rmw,
      };
      if (phase === 'public' && fn && this.joinedBefore(fn, node)) access.phase = 'joined';
      else if (phase === 'helper' && fn) {
        const callers = this.callersHold(fn, 0);
        if (callers === 'construction') access.phase = 'construction';
        else if (callers === null) access.phase = 'unknown';
        else if (callers.opaque) access.opaque = true;
        else access.callersHold = [...callers.held, ...callers.maybeHeld];
      } else if (phase === 'public' && fn && !info.entry) {
        // A public method that this file only ever calls with a lock held is meant to run under it.
        const callers = this.callersHold(fn, 0);
        if (callers && callers !== 'construction') {
          if (callers.opaque) access.opaque = true;
          else if (callers.held.length) access.callersHold = callers.held;
        }
      }
      if (saysAtomic(m.lines, node.startPosition.row)) access.saidAtomic = true;
      if (kind !== 'iterate' && (access.held.length || access.maybeHeld.length || access.callersHold?.length)) {
        if (this.usedTwice(node, access.text, fn, access.held.length + access.maybeHeld.length > 0)) access.compound = true;
      }
      accesses.push(access);
      this.nodes.push(node);
    };

    for (const assign of m.nodes('assignment')) {
      if (assign.parent?.type === 'assignment') continue;
      let value: Node | null = assign;
      const targets: Node[] = [];
      while (value?.type === 'assignment') {
        const left = value.childForFieldName('left');
        if (left) targets.push(left);
        value = value.childForFieldName('right');
      }
      const rmw = targets.length === 1 && value?.type === 'binary_operator' && sameText(value.childForFieldName('left'), targets[0]);
      for (const t of targets) for (const part of flatTargets(t)) this.addTarget(assign, part, add, !!rmw);
    }
    for (const aug of m.nodes('augmented_assignment')) {
      const left = aug.childForFieldName('left');
      if (left) this.addTarget(aug, left, add, true);
    }
    for (const del of m.nodes('delete_statement')) {
      for (const t of del.namedChildren) {
        if (!t) continue;
        for (const part of t.type === 'expression_list' ? t.namedChildren : [t]) {
          const p = part && unwrap(part);
          if (p?.type === 'subscript') {
            const value = p.childForFieldName('value');
            if (value) add(del, value, 'del', 'del');
          } else if (p?.type === 'attribute') add(del, p, 'store', 'del');
        }
      }
    }
    for (const call of m.calls) {
      const mc = m.methodCall(call);
      if (mc && MUTATORS.has(mc.method)) {
        add(call, mc.receiver, 'mutate', mc.method);
        continue;
      }
      const fnExpr = call.childForFieldName('function');
      if (fnExpr?.type === 'identifier' && fnExpr.text === 'sorted' && !m.resolveName('sorted', fnExpr)) {
        const arg = m.args(call).positional[0];
        const it = arg && this.iterated(arg);
        if (it) add(call, it.expr, 'iterate', `sorted${it.view ? `.${it.view}` : ''}`);
      }
    }
    for (const loop of m.nodes('for_statement')) {
      const right = loop.childForFieldName('right');
      const it = right && this.iterated(right);
      if (it) add(right, it.expr, 'iterate', it.view ? `for.${it.view}` : 'for');
    }
    for (const scope of m.index.scopes.values()) {
      if (scope.kind !== 'comprehension') continue;
      // Only the first `for` clause iterates state from outside; later ones run per item.
      const clause = scope.node.namedChildren.find((c) => c?.type === 'for_in_clause');
      const right = clause?.childForFieldName('right');
      const it = right && this.iterated(right);
      if (it) add(scope.node, it.expr, 'iterate', it.view ? `comprehension.${it.view}` : 'comprehension');
    }
    for (const [name, sites] of m.index.module.bindings) {
      const t = this.typeOf(sites);
      if (t) types[`${this.module}.${name}`] = t;
    }
    for (const cls of m.classes()) {
      for (const [attr, sites] of cls.attributes) {
        const t = this.typeOf([...sites, ...(cls.scope.bindings.get(attr) ?? [])]);
        if (t) types[`${this.classKey(cls)}.${attr}`] = t;
      }
      for (const [attr, sites] of cls.scope.bindings) {
        const key = `${this.classKey(cls)}.${attr}`;
        if (key in types) continue;
        const t = this.typeOf(sites);
        if (t) types[key] = t;
      }
    }
    return {
      module: this.module,
      classes: [...m.classes()].map((c) => this.classGuards(c)),
      globals: this.globals(),
      locks: m.locks.declaredLocks(),
      ...this.acquisitionModes(),
      types,
      declared: this.declarations(),
      accesses,
    };
  }

  /** Which locks the file takes blocking, and which it only tries. */
  private acquisitionModes(): { blocking: string[]; tried: string[] } {
    const blocking = new Set<string>();
    const tried = new Set<string>();
    const locks = this.model.locks;
    for (const fn of this.model.nodes('function_definition')) {
      for (const a of locks.acquisitionsIn(fn)) {
        if (!a.globalKey) continue;
        (a.blocking ? blocking : tried).add(a.globalKey);
        const under = a.kind === 'Condition' ? locks.conditionLock(a.expr) : null;
        if (under?.globalKey) (a.blocking ? blocking : tried).add(under.globalKey);
      }
    }
    return { blocking: [...blocking], tried: [...tried].filter((k) => !blocking.has(k)) };
  }

  /** `x = …` targets: `self.x` (store), `D[k]` (item store of D), `global x` names (store). */
  private addTarget(stmt: Node, target: Node, add: (node: Node, target: Node, kind: AccessKind, how: string, rmw?: boolean) => void, rmw: boolean): void {
    const t = unwrap(target);
    if (t.type === 'subscript') {
      const value = t.childForFieldName('value');
      if (value) add(stmt, value, 'item-store', '[]=', rmw);
    } else if (t.type === 'attribute') add(stmt, t, 'store', '=', rmw);
    else if (t.type === 'identifier' && this.model.scopeOf(stmt).globals.has(t.text)) add(stmt, t, 'store', '=', rmw);
  }

  /** What a loop or comprehension iterates, when it is state: `S`, `S.items()`, `S.keys()`, `S.values()`. */
  private iterated(expr: Node): { expr: Node; view?: string } | null {
    const e = unwrap(expr);
    if (e.type === 'call') {
      const mc = this.model.methodCall(e);
      if (mc && VIEWS.has(mc.method) && this.model.args(e).positional.length === 0) return { expr: mc.receiver, view: mc.method };
      return null;
    }
    return e.type === 'attribute' || e.type === 'identifier' ? { expr: e } : null;
  }

  /** The state an expression names, or null (a local, a parameter, anything unknown). */
  private stateOf(expr: Node): StateRef | null {
    const m = this.model;
    const e = unwrap(expr);
    if (e.type === 'attribute') {
      const binding = m.classAttributeBinding(e);
      if (binding?.cls) {
        const owner = binding.cls;
        const sites = [...(owner.attributes.get(binding.name) ?? []), ...(owner.scope.bindings.get(binding.name) ?? [])];
        // A method, property or nested class reached through `self.` is no state.
        if (sites.some((s) => s.type === 'def' || s.type === 'class')) return null;
        return { key: `${this.classKey(owner)}.${binding.name}`, sites };
      }
      if (binding) return null;
      const q = m.qualifiedName(e);
      // `pkg.mod.NAME` through `import pkg.mod`: the defining module decides what it is.
      if (q && q.includes('.') && !isStdlibName(q)) return { key: q };
      const object = e.childForFieldName('object');
      const attr = e.childForFieldName('attribute');
      if (object?.type === 'identifier' && attr) {
        const rel = this.relativeImport(object.text, object);
        if (rel) return { key: `${rel}.${attr.text}` };
      }
      return null;
    }
    if (e.type !== 'identifier') return null;
    const binding = m.resolveName(e.text, e);
    if (!binding) {
      const rel = this.relativeImport(e.text, e);
      return rel ? { key: rel } : null;
    }
    if (!binding.key.startsWith('g:') || binding.sites.length === 0) return null;
    if (binding.sites.every((s) => s.type === 'import')) {
      const q = m.qualifiedName(e);
      return q && q.includes('.') && !isStdlibName(q) ? { key: q } : null;
    }
    if (binding.sites.some((s) => s.type === 'def' || s.type === 'class' || s.type === 'import')) return null;
    return { key: `${this.module}.${e.text}`, sites: binding.sites };
  }

  /** A module-level `from .mod import name` (or `from . import mod`), resolved to a dotted name. */
  private relativeImport(name: string, at: Node): string | null {
    if (this.model.resolveName(name, at)) return null;
    if (!this.relative) {
      this.relative = new Map();
      const parts = this.module.split('.');
      const pkg = /(^|\/)__init__\.pyi?$/.test(this.model.path.replace(/\\/g, '/')) ? parts : parts.slice(0, -1);
      for (const stmt of this.model.nodes('import_from_statement')) {
        const from = stmt.childForFieldName('module_name');
        if (from?.type !== 'relative_import' || this.model.scopeOf(stmt).kind !== 'module') continue;
        const dots = /^\.+/.exec(from.text)?.[0].length ?? 0;
        if (dots - 1 > pkg.length) continue;
        const base = [...pkg.slice(0, pkg.length - (dots - 1)), ...(from.text.slice(dots) ? from.text.slice(dots).split('.') : [])];
        for (const n of stmt.childrenForFieldName('name')) {
          const orig = n?.type === 'aliased_import' ? n.childForFieldName('name') : n;
          const local = n?.type === 'aliased_import' ? n.childForFieldName('alias') : n;
          if (orig && local) this.relative.set(local.text, [...base, orig.text].join('.'));
        }
      }
    }
    return this.relative.get(name) ?? null;
  }

  /** What every assignment of a piece of state makes it (None aside), or null when they differ or are unknown. */
  private typeOf(sites: readonly BindingSite[]): StateType | null {
    let found: StateType | null = null;
    for (const site of sites) {
      let value: Node | null = null;
      if (site.type === 'assign') value = site.value;
      else if (site.type === 'tuple-assign') {
        // `idle, self._idle = self._idle, []`
        const rhs = unwrap(site.value);
        const parts = rhs.type === 'expression_list' || rhs.type === 'tuple' ? rhs.namedChildren : [];
        value = parts.length === site.count ? (parts[site.index] ?? null) : null;
      }
      if (!value) return null;
      const v = unwrap(value);
      if (v.type === 'none') continue;
      const t = this.valueType(v);
      if (!t || (found && found !== t)) return null;
      found = t;
    }
    return found;
  }

  private valueType(v: Node): StateType | null {
    switch (v.type) {
      case 'dictionary':
      case 'dictionary_comprehension':
        return 'dict';
      case 'list':
      case 'list_comprehension':
        return 'list';
      case 'set':
      case 'set_comprehension':
        return 'set';
      case 'boolean_operator': {
        // `items or []`, `mapping or {}`: a container either way when the fallback is one.
        const right = v.childForFieldName('right');
        return v.text.includes(' or ') && right ? this.valueType(unwrap(right)) : null;
      }
      case 'call': {
        const fn = v.childForFieldName('function');
        if (fn?.type === 'identifier' && BUILTIN_CONTAINERS.has(fn.text) && !this.model.resolveName(fn.text, fn)) return BUILTIN_CONTAINERS.get(fn.text)!;
        const q = this.model.calleeName(v);
        return q ? (TYPE_CTORS.get(q) ?? null) : null;
      }
      default:
        return null;
    }
  }

  /** Locks held at a node: known ones, names that may be locks elsewhere, and whether some unnamed lock may be. */
  private heldAt(node: Node): HeldLocks {
    const locks = this.model.locks;
    const held = new Set<string>();
    let opaque = false;
    for (const a of locks.heldAt(node)) {
      if (!a.globalKey || a.param) {
        opaque = true;
        continue;
      }
      held.add(a.globalKey);
      const under = a.kind === 'Condition' ? locks.conditionLock(a.expr) : null;
      if (under?.globalKey) held.add(under.globalKey);
    }
    const maybeHeld = new Set(locks.importedHeldAt(node).map((i) => i.globalKey));
    // `with self._lock:` whose kind a base class in another file declares.
    for (const item of this.untypedSelfItems(node)) maybeHeld.add(item);
    if (!opaque && held.size === 0 && maybeHeld.size === 0) opaque = locks.mayBeLockedAt(node) || this.releasedLater(node);
    return { held: [...held], maybeHeld: [...maybeHeld], opaque };
  }

  /** `with self.X:` items around a node where X is of unknown kind, as `pkg.mod.Class.X`. */
  private untypedSelfItems(node: Node): string[] {
    const out: string[] = [];
    let child = node;
    for (let parent = node.parent; parent && !BOUNDARIES.has(parent.type); child = parent, parent = parent.parent) {
      if (parent.type !== 'with_statement' || child.type !== 'block') continue;
      for (const item of withItems(parent)) {
        const value = item.childForFieldName('value');
        const v = value && value.type !== 'as_pattern' ? unwrap(value) : null;
        if (v?.type !== 'attribute' || this.model.kindOf(v) !== null) continue;
        const binding = this.model.bindingOf(v);
        if (binding?.cls) out.push(`${this.classKey(binding.cls)}.${binding.name}`);
      }
    }
    return out;
  }

  /**
   * What every same-file caller of a private helper holds when it calls (through up to
   * three levels of helpers): `construction` when only construction calls it, null when
   * nothing in the file calls it.
   */
  private callersHold(fn: Node, depth: number): HeldLocks | 'construction' | null {
    const known = this.callerCache.get(fn.id);
    if (known !== undefined) return known;
    this.callerCache.set(fn.id, null); // recursion: a cycle knows nothing
    let result: HeldLocks | 'construction' | null = null;
    let common = null as Set<string> | null;
    const union = new Set<string>();
    let opaque = false;
    let sites = 0;
    for (const site of this.model.threads.callSites(fn)) {
      const caller = this.model.enclosingFunction(site);
      const info = this.infoOf(caller);
      if (info.phase === 'construction' && site.startIndex < info.escapesAt) continue;
      if (info.phase === 'module') continue;
      sites++;
      const here = this.heldAt(site);
      let names = [...here.held, ...here.maybeHeld];
      // A caller whose own context is unknown (a nested callback) could hold anything.
      if (here.opaque || info.phase === 'unknown') opaque = true;
      if (info.phase === 'helper' && caller && depth < 3) {
        const up = this.callersHold(caller, depth + 1);
        if (up && up !== 'construction') {
          names = [...names, ...up.held, ...up.maybeHeld];
          if (up.opaque) opaque = true;
        } else if (up === null && names.length === 0) opaque = true; // its callers are unknown
      }
      const set = new Set(names);
      for (const k of set) union.add(k);
      common = common ? new Set([...common].filter((k) => set.has(k))) : set;
    }
    const all = this.model.threads.callSites(fn).length;
    // Some callers hold a lock and others do not: the helper is not where the lock is missing.
    if (common && common.size === 0 && union.size > 0) opaque = true;
    if (sites === 0) result = all > 0 ? 'construction' : null;
    else result = { held: [...(common ?? [])], maybeHeld: [], opaque };
    this.callerCache.set(fn.id, result);
    return result;
  }

  private infoOf(fn: Node | null): FnInfo {
    if (!fn) return { phase: 'module', name: null, cls: null, escapesAt: Infinity, onThread: false, entry: false };
    let info = this.fnInfo.get(fn.id);
    if (info) return info;
    const m = this.model;
    const name = fn.type === 'function_definition' ? (fn.childForFieldName('name')?.text ?? null) : null;
    const cls = m.classOf(fn);
    const method = m.scopeOf(fn).kind === 'class';
    const onThread = m.threads.entriesReaching(fn).length > 0;
    const nested = !method && m.enclosingFunction(fn) !== null;
    const entry = m.threads.entries().some((e) => e.fn.id === fn.id || m.threads.forwardedTo(e.fn)?.id === fn.id);
    let phase: Phase;
    let escapesAt = Infinity;
    if (entry || (nested && onThread)) phase = 'public';
    else if (nested || !name) phase = 'unknown';
    else if (method && CONSTRUCTION.has(name)) {
      phase = 'construction';
      escapesAt = this.escapeOf(fn);
    } else if (NAMED_LOCKED.test(name)) phase = 'unknown';
    else if (name.startsWith('_') && !name.startsWith('__')) phase = 'helper';
    else phase = 'public';
    const label = name ? (method && cls ? `${cls.name}.${name}` : name) : '<lambda>';
    info = { phase, name: label, cls: method ? cls : null, escapesAt, onThread, entry };
    this.fnInfo.set(fn.id, info);
    return info;
  }

  /**
   * Where other threads can first see `self` from a constructor: a `.start()` (a thread
   * made with a bound method of `self` starts running there) or a `submit` to an
   * executor. Handing `self` to a base `__init__` or to a helper object runs nothing
   * concurrently yet. Infinity when nothing in the constructor starts other code.
   */
  private escapeOf(fn: Node): number {
    const m = this.model;
    const selfName = m.index.scopes.get(fn.id)?.selfName;
    if (!selfName) return Infinity;
    const mentionsSelf = (n: Node | null | undefined) => !!n && new RegExp(`\\b${selfName}\\b`).test(n.text);
    let first = Infinity;
    for (const call of m.threads.callsIn(fn)) {
      const mc = m.methodCall(call);
      if (!mc || (mc.method !== 'start' && mc.method !== 'submit') || call.startIndex >= first) continue;
      const receiver = unwrap(mc.receiver);
      let escapes = mentionsSelf(receiver) || mentionsSelf(call.childForFieldName('arguments'));
      if (!escapes && receiver.type === 'identifier') {
        // `t = Thread(target=self._run)` … `t.start()`
        const sites = m.resolveName(receiver.text, receiver)?.sites ?? [];
        escapes = sites.some((site) => site.type === 'assign' && mentionsSelf(site.value));
      }
      if (escapes) first = call.startIndex;
    }
    return first;
  }

  /**
   * Whether the state's expression appears twice or more in the lock hold around a node:
   * the body of the innermost locking `with`, else the function (an `acquire()` region,
   * or a helper whose callers hold the lock).
   */
  private usedTwice(node: Node, text: string, fn: Node | null, lexical: boolean): boolean {
    let region: Node | null = fn;
    if (lexical) {
      // The `with` of the innermost known lock; for `acquire()` the function stays the region.
      const held = this.model.locks.heldAt(node);
      const last = held[held.length - 1];
      const stmt = last?.how === 'with' ? last.at.parent?.parent : null;
      if (stmt?.type === 'with_statement') region = stmt;
      else {
        for (let p = node.parent; p && !BOUNDARIES.has(p.type); p = p.parent) {
          if (p.type === 'with_statement' && !held.length) {
            region = p;
            break;
          }
        }
      }
    }
    if (!region) return false;
    const body = region.text;
    if (body.length > 50_000) return true;
    const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const uses = body.match(new RegExp(`(?<![\\w.])${escaped}(?!\\w)`, 'g'));
    return (uses?.length ?? 0) >= 2;
  }

  private readonly releases = new Map<number, { at: number; receiver: string }[]>();

  /**
   * A `X.release()` later in the function of an X it has not acquired before the node:
   * a caller (or an earlier call) took the lock, and it is held here.
   */
  private releasedLater(node: Node): boolean {
    const fn = this.model.enclosingFunction(node);
    if (!fn) return false;
    let list = this.releases.get(fn.id);
    if (!list) {
      list = [];
      for (const call of this.model.threads.callsIn(fn)) {
        const mc = this.model.methodCall(call);
        if (mc?.method === 'release' || mc?.method === 'acquire') list.push({ at: mc.method === 'release' ? call.startIndex : -call.startIndex, receiver: unwrap(mc.receiver).text });
      }
      this.releases.set(fn.id, list);
    }
    const acquiredBefore = (r: string, at: number) => list!.some((e) => e.at < 0 && -e.at < at && e.receiver === r);
    return list.some((e) => e.at > node.startIndex && !acquiredBefore(e.receiver, e.at));
  }

  private readonly joins = new Map<number, number>();

  /** Whether a `t.join()` of a known Thread comes before the node in its function (the thread has ended). */
  private joinedBefore(fn: Node, node: Node): boolean {
    let at = this.joins.get(fn.id);
    if (at === undefined) {
      at = Infinity;
      for (const call of this.model.threads.callsIn(fn)) {
        const mc = this.model.methodCall(call);
        if (mc?.method === 'join' && this.model.kindOf(mc.receiver) === 'Thread') at = Math.min(at, call.endIndex);
      }
      this.joins.set(fn.id, at);
    }
    return node.startIndex > at;
  }

  classKey(cls: ClassInfo): string {
    return `${this.module}.${cls.name}`;
  }

  private classGuards(cls: ClassInfo): ClassGuards {
    const m = this.model;
    const bases: string[] = [];
    for (const b of cls.bases) {
      const local = m.localClass(b);
      if (local) bases.push(this.classKey(local));
      else {
        const q = m.qualifiedName(b) ?? (b.type === 'identifier' ? this.relativeImport(b.text, b) : null);
        if (q) bases.push(q);
      }
    }
    const attributes = new Set<string>([...cls.attributes.keys()]);
    for (const [name, sites] of cls.scope.bindings) if (sites.some((s) => s.type === 'assign')) attributes.add(name);
    const locks: string[] = [];
    let concurrent: string | null = null;
    for (const attr of attributes) {
      const site = (cls.attributes.get(attr) ?? cls.scope.bindings.get(attr) ?? []).find((s) => s.type === 'assign');
      const lock = site && site.type === 'assign' ? m.locks.lockOf(site.target) : null;
      if (lock && LOCK_LIKE.has(lock.kind)) {
        locks.push(attr);
        concurrent ??= `creates a lock (\`${site!.type === 'assign' ? site!.target.text : attr}\`, line ${site!.target.startPosition.row + 1})`;
      }
    }
    if (!concurrent) {
      for (const method of cls.methods.values()) {
        const a: Acquisition | undefined = m.locks.acquisitionsIn(method)[0];
        const i = a ? undefined : m.locks.importedAcquisitionsIn(method)[0];
        const at = a?.at ?? i?.at;
        if (at) {
          concurrent = `takes a lock (line ${at.startPosition.row + 1})`;
          break;
        }
      }
    }
    if (!concurrent) concurrent = this.saysThreadSafe(cls);
    return { key: this.classKey(cls), line: cls.node.startPosition.row + 1, bases, attributes: [...attributes], locks, concurrent };
  }

  /** A class docstring or a comment in the class that calls it thread-safe or guarded. */
  private saysThreadSafe(cls: ClassInfo): string | null {
    const text = cls.node.text;
    if (!THREAD_SAFE.test(text)) return null;
    const body = cls.node.childForFieldName('body');
    const first = body?.namedChildren[0];
    const doc = first?.type === 'expression_statement' && first.namedChildren[0]?.type === 'string' ? first.text : '';
    const texts = [doc, ...this.commentsIn(cls.node)];
    for (const t of texts) {
      const match = THREAD_SAFE.exec(t);
      if (match && !NEGATED.test(t.slice(0, match.index))) return `says it is thread-safe (line ${cls.node.startPosition.row + 1})`;
    }
    return null;
  }

  private commentsIn(node: Node): string[] {
    return node.descendantsOfType('comment').map((c) => c.text);
  }

  /** Module-level names bound by assignment (not imports, defs, classes). */
  private globals(): string[] {
    const out: string[] = [];
    for (const [name, sites] of this.model.index.module.bindings) {
      if (sites.length && sites.every((s) => s.type === 'assign' || s.type === 'tuple-assign' || s.type === 'other')) out.push(`${this.module}.${name}`);
    }
    return out;
  }

  /**
   * `# guarded by self._lock` on an assignment's line (or the line above), and lines of
   * a class docstring naming attributes and the lock that guards them.
   */
  private declarations(): GuardSummary['declared'] {
    const out: GuardSummary['declared'] = {};
    const m = this.model;
    if (!/guarded[- _]by/i.test(m.tree.source)) return out;
    const lines = m.lines;
    const lockKey = (cls: ClassInfo | null, selfPrefix: boolean, name: string): string | null => {
      if (selfPrefix || (cls && !name.includes('.') && (cls.attributes.has(name) || cls.scope.bindings.has(name)))) {
        return cls ? `${this.classKey(cls)}.${name}` : null;
      }
      if (m.index.module.bindings.has(name)) {
        const sites = m.index.module.bindings.get(name)!;
        const imp = sites.find((s) => s.type === 'import');
        return imp?.type === 'import' ? imp.qname : `${this.module}.${name}`;
      }
      return this.relativeImport(name, m.root);
    };
    for (const assign of m.nodes('assignment')) {
      const row = assign.startPosition.row;
      const match = GUARDED_BY.exec(lines[assign.endPosition.row] ?? '') ?? GUARDED_BY.exec(/^\s*#/.test(lines[row - 1] ?? '') ? lines[row - 1] : '');
      if (!match) continue;
      const left = assign.childForFieldName('left');
      const ref = left ? this.stateOf(left) : null;
      const cls = m.classOf(assign);
      const lock = lockKey(cls, !!match[1], match[2]);
      if (ref && lock) out[ref.key] = { lock, line: row + 1 };
    }
    for (const cls of m.classes()) {
      const first = cls.node.childForFieldName('body')?.namedChildren[0];
      if (first?.type !== 'expression_statement' || first.namedChildren[0]?.type !== 'string') continue;
      for (const [i, line] of first.text.split('\n').entries()) {
        const match = GUARDED_BY.exec(line);
        if (!match) continue;
        const lock = lockKey(cls, !!match[1], match[2]);
        if (!lock) continue;
        for (const word of line.slice(0, match.index).match(/[A-Za-z_]\w*/g) ?? []) {
          if (cls.attributes.has(word) || cls.scope.bindings.has(word)) out[`${this.classKey(cls)}.${word}`] = { lock, line: first.startPosition.row + 1 + i };
        }
      }
    }
    return out;
  }
}

const BOUNDARIES = new Set(['function_definition', 'lambda', 'class_definition', 'module']);

const STDLIB_ROOTS = new Set(['os', 'sys', 'threading', 'queue', 'collections', 'logging', 'time', 'signal', 'socket', 'weakref', 'warnings', 'atexit', 'multiprocessing', 'concurrent', 'asyncio', 'functools', 'itertools', 'typing', 're', 'json', 'io']);

/** Standard-library names are not program state the run can see defined. */
function isStdlibName(q: string): boolean {
  return STDLIB_ROOTS.has(q.split('.')[0]);
}

/** `# append is atomic`, `# thread-safe` on the line or the line above. */
function saysAtomic(lines: readonly string[], row: number): boolean {
  const here = lines[row] ?? '';
  const above = lines[row - 1] ?? '';
  const said = /#.*\b(?:atomic|thread[- ]?safe)/i;
  return (here.includes('#') && said.test(here)) || (/^\s*#/.test(above) && said.test(above));
}

function flatTargets(t: Node): Node[] {
  const u = unwrap(t);
  if (['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list'].includes(u.type)) return u.namedChildren.flatMap((c) => (c ? flatTargets(c) : []));
  if (u.type === 'list_splat_pattern') return u.namedChildren.flatMap((c) => (c ? flatTargets(c) : []));
  return [u];
}

function sameText(a: Node | null, b: Node): boolean {
  return !!a && unwrap(a).text.replace(/\s+/g, '') === unwrap(b).text.replace(/\s+/g, '');
}
