import type { Node, SyntaxTree } from '../tree/index.js';
import { ANNOTATION_KINDS, CONSTRUCTORS, STAR_EXPORTS, TRANSPARENT_ANNOTATIONS, type Kind } from './kinds.js';
import { GuardFacts } from './guards.js';
import { LockFacts } from './locks.js';
import { ThreadFacts } from './threads.js';
import { NodeTable } from './node-table.js';
import { buildIndex, scopeAt, selfClass, type BindingSite, type ClassInfo, type FileIndex, type Scope } from './scopes.js';

/**
 * What the analysis can show about a value. `collection` marks a list, set or dict
 * (keys) whose items are of `kind`; `finished` marks futures known to be done;
 * `ctors` names the constructors seen (`threading.Timer`, `…ProcessPoolExecutor`).
 */
export interface ValueType {
  kind: Kind;
  collection?: boolean;
  /** A dict whose keys are of `kind` (subscripting it gives a value, not a key). */
  mapping?: boolean;
  finished?: boolean;
  ctors: ReadonlySet<string>;
}

/** A call's arguments: positional in order, keywords by name, and whether `*a`/`**k` appear. */
export interface CallArgs {
  positional: Node[];
  keywords: Map<string, Node>;
  hasSplat: boolean;
}

/** The definition a name or `self.x` resolves to, for identity across statements. */
export interface Binding {
  /** Stable within a file: `g:name` (module), `c:Class.attr`, `l:<scope id>:name`. */
  key: string;
  scope: Scope | null;
  cls: ClassInfo | null;
  name: string;
  sites: BindingSite[];
}

const STATEMENT_PARENTS = new Set(['block', 'module']);

/** The keywords of the many calls that have none: one shared (never modified) map. */
const NO_KEYWORDS: ReadonlyMap<string, Node> = new Map();

/** Marks a `typeOf` question being answered, to break cycles. */
const IN_PROGRESS = Symbol('in progress');

/** Nested questions `typeOf` follows at once before it answers "unknown". */
const MAX_TYPE_DEPTH = 200;

export class SemanticModel {
  readonly index: FileIndex;
  private readonly types: NodeTable<ValueType | null | typeof IN_PROGRESS>;
  private typeDepth = 0;
  /** How often a question met itself (a cycle): answers reached through one are not kept. */
  private cycles = 0;
  /** Binding types by the binding's site list (one list per name and scope) and key. */
  private readonly bindingTypes = new WeakMap<readonly BindingSite[], Map<string, ValueType | null>>();
  private readonly threadClasses: NodeTable<boolean>;

  private threadFacts: ThreadFacts | undefined;
  private lockFacts: LockFacts | undefined;
  private guardFacts: GuardFacts | undefined;

  constructor(
    readonly tree: SyntaxTree,
    readonly path = 'module.py',
  ) {
    this.index = buildIndex(tree);
    this.types = new NodeTable(tree.count);
    this.threadClasses = new NodeTable(tree.count);
    this.localFunctions = new NodeTable(tree.count);
    this.qualifiedNames = new NodeTable(tree.count);
    this.calleeNames = new NodeTable(tree.count);
    this.methodCalls = new NodeTable(tree.count);
    this.argLists = new NodeTable(tree.count);
  }

  private splitLines: string[] | undefined;

  /** The source split into lines, once per file (fixes re-indent by line). */
  get lines(): readonly string[] {
    this.splitLines ??= this.tree.source.split('\n');
    return this.splitLines;
  }

  /** Thread entry points and the same-file call graph, computed on first use. */
  get threads(): ThreadFacts {
    this.threadFacts ??= new ThreadFacts(this);
    return this.threadFacts;
  }

  /** Lock identities and lock sets, computed on first use. */
  get locks(): LockFacts {
    this.lockFacts ??= new LockFacts(this, this.path);
    return this.lockFacts;
  }

  /** What each write, mutation and iteration of shared state holds, computed on first use. */
  get guards(): GuardFacts {
    this.guardFacts ??= new GuardFacts(this);
    return this.guardFacts;
  }

  get root(): Node {
    return this.tree.rootNode;
  }

  /** Indexed nodes of one type, in source order. */
  nodes(type: string): readonly Node[] {
    return this.index.byType.get(type) ?? [];
  }

  /** All calls in the file, in source order. */
  get calls(): readonly Node[] {
    return this.nodes('call');
  }

  /** Innermost scope that contains the node (for a def or lambda: the one it sits in). */
  scopeOf(node: Node): Scope {
    return this.index.scopeOfNode.get(node.id) ?? scopeAt(this.index, node.startIndex, node.endIndex, node.id);
  }

  /** The function (def or lambda) whose body holds the node, or null at module/class level. */
  enclosingFunction(node: Node): Node | null {
    for (let s: Scope | null = this.scopeOf(node); s; s = s.parent) {
      if (s.kind === 'function' || s.kind === 'lambda') return s.node;
      if (s.kind === 'class' || s.kind === 'module') return null;
    }
    return null;
  }

  classOf(node: Node): ClassInfo | null {
    for (let s: Scope | null = this.scopeOf(node); s; s = s.parent) {
      if (s.kind === 'class') return this.index.classes.get(s.node.id) ?? null;
      if (s.methodOf) return s.methodOf;
    }
    return null;
  }

  classes(): Iterable<ClassInfo> {
    return this.index.classes.values();
  }

  /** The statement (a child of a block or of the module) that holds the node. */
  statementOf(node: Node): Node {
    let n: Node = node;
    while (n.parent && !STATEMENT_PARENTS.has(n.parent.type)) n = n.parent;
    return n;
  }

  /** Resolve a name in the scope the node sits in, following Python's LEGB lookup. */
  resolveName(name: string, at: Node): Binding | null {
    const start = this.scopeOf(at);
    const module = this.index.module;
    if (start.globals.has(name)) return this.bindingIn(module, name);
    for (let s: Scope | null = start; s; s = s.parent) {
      // Class bodies are invisible to functions nested in them.
      if (s.kind === 'class' && s !== start) continue;
      if (s.bindings.has(name)) return this.bindingIn(s, name);
    }
    return null;
  }

  private bindingIn(scope: Scope, name: string): Binding {
    const key = scope.kind === 'module' ? `g:${name}` : `l:${scope.node.id}:${name}`;
    return { key, scope, cls: null, name, sites: scope.bindings.get(name) ?? [] };
  }

  /**
   * The binding an expression refers to: a name, or `self.attr` inside a method
   * (looked up along same-file base classes). Null for anything else.
   */
  bindingOf(expr: Node): Binding | null {
    const e = unwrap(expr);
    if (e.type === 'identifier') return this.resolveName(e.text, e);
    if (e.type === 'attribute') {
      const object = e.childForFieldName('object');
      const attr = e.childForFieldName('attribute');
      if (!attr) return null;
      const cls = selfClass(this.index, this.scopeOf(e), object);
      if (cls) {
        const owner = this.attributeOwner(cls, attr.text) ?? cls;
        return { key: `c:${owner.name}.${attr.text}`, scope: null, cls: owner, name: attr.text, sites: owner.attributes.get(attr.text) ?? [] };
      }
    }
    return null;
  }

  /**
   * `bindingOf`, with class attributes unified: a name assigned in a class body
   * (`_lock = RLock()`, seen from `Condition(lock=_lock)` in that body), `self._lock` and
   * `ClassName._lock` are one binding, `c:ClassName._lock`.
   */
  classAttributeBinding(e: Node): Binding | null {
    const binding = this.bindingOf(e);
    if (binding?.scope?.kind === 'class') {
      const cls = this.index.classes.get(binding.scope.node.id);
      if (cls) return classBinding(cls, binding.name);
    }
    if (binding || e.type !== 'attribute') return binding;
    const object = e.childForFieldName('object');
    const attr = e.childForFieldName('attribute');
    const cls = object && this.localClass(object);
    return cls && attr ? classBinding(cls, attr.text) : null;
  }

  /** The class (this one or a same-file base) that assigns the attribute. */
  private attributeOwner(cls: ClassInfo, attr: string, depth = 0): ClassInfo | null {
    if (cls.attributes.has(attr) || cls.scope.bindings.has(attr)) return cls;
    if (depth > 10) return null;
    for (const base of cls.bases) {
      const baseCls = this.localClass(base);
      const found = baseCls && this.attributeOwner(baseCls, attr, depth + 1);
      if (found) return found;
    }
    return null;
  }

  /** A class defined in this file that the expression names. */
  localClass(expr: Node): ClassInfo | null {
    if (expr.type !== 'identifier') return null;
    const binding = this.resolveName(expr.text, expr);
    const site = binding?.sites.length === 1 ? binding.sites[0] : null;
    return site?.type === 'class' ? (this.index.classes.get(site.node.id) ?? null) : null;
  }

  /** The function definition a callable expression names in this file, if any. */
  localFunction(expr: Node): Node | null {
    return memo(this.localFunctions, expr, this.computeLocalFunction, this);
  }

  private readonly localFunctions: NodeTable<Node | null>;

  private computeLocalFunction(expr: Node): Node | null {
    const e = unwrap(expr);
    if (e.type === 'lambda') return e;
    if (e.type === 'identifier') {
      const sites = this.resolveName(e.text, e)?.sites ?? [];
      return sites.length === 1 && sites[0].type === 'def' ? sites[0].node : null;
    }
    if (e.type === 'attribute') {
      const object = e.childForFieldName('object');
      const attr = e.childForFieldName('attribute');
      const cls = selfClass(this.index, this.scopeOf(e), object);
      if (cls && attr) return this.methodOf(cls, attr.text);
    }
    return null;
  }

  /** A method by name on a class or its same-file bases. */
  methodOf(cls: ClassInfo, name: string, depth = 0): Node | null {
    const own = cls.methods.get(name);
    if (own) return own;
    if (depth > 10) return null;
    for (const base of cls.bases) {
      const baseCls = this.localClass(base);
      const found = baseCls && this.methodOf(baseCls, name, depth + 1);
      if (found) return found;
    }
    return null;
  }

  /**
   * The dotted name an expression stands for through imports: `th.Lock` with
   * `import threading as th` is `threading.Lock`; `sleep` after `from time import sleep`
   * is `time.sleep`. Null when any part is not an import.
   */
  qualifiedName(expr: Node): string | null {
    return memo(this.qualifiedNames, expr, this.computeQualifiedName, this);
  }

  private readonly qualifiedNames: NodeTable<string | null>;

  private computeQualifiedName(expr: Node): string | null {
    const e = unwrap(expr);
    if (e.type === 'identifier') {
      const binding = this.resolveName(e.text, e);
      if (!binding) return this.starImported(e.text);
      const sites = binding.sites;
      if (sites.length === 0) return null;
      const first = sites[0];
      if (first.type !== 'import' || sites.some((s) => s.type !== 'import' || s.qname !== first.qname)) return null;
      return first.qname;
    }
    if (e.type === 'attribute') {
      const object = e.childForFieldName('object');
      const attr = e.childForFieldName('attribute');
      const base = object && this.qualifiedName(object);
      return base && attr ? `${base}.${attr.text}` : null;
    }
    return null;
  }

  private readonly calleeNames: NodeTable<string | null>;

  /** A name that `from threading import *` (or queue, time, concurrent.futures) brings in. */
  private starImported(name: string): string | null {
    for (const module of this.index.starImports) {
      const qname = `${module}.${name}`;
      if (STAR_EXPORTS.has(qname)) return qname;
    }
    return null;
  }

  /** Qualified name of the function a call calls (`threading.Thread`), or null (memoized). */
  calleeName(call: Node): string | null {
    return memo(this.calleeNames, call, this.computeCalleeName, this);
  }

  private computeCalleeName(call: Node): string | null {
    const fn = call.childForFieldName('function');
    return fn ? this.qualifiedName(fn) : null;
  }

  private readonly methodCalls: NodeTable<{ receiver: Node; method: string } | null>;

  /** For `X.m(...)`: the receiver node X and the method name m (memoized: every rule asks). */
  methodCall(call: Node): { receiver: Node; method: string } | null {
    return memo(this.methodCalls, call, this.computeMethodCall, this);
  }

  private computeMethodCall(call: Node): { receiver: Node; method: string } | null {
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'attribute') return null;
    const receiver = fn.childForFieldName('object');
    const attr = fn.childForFieldName('attribute');
    return receiver && attr ? { receiver, method: attr.text } : null;
  }

  /** Whether a class expression is `threading.Thread` or derives from it (same file). */
  isThreadClass(expr: Node): boolean {
    if (this.qualifiedName(expr) === 'threading.Thread') return true;
    const cls = this.localClass(expr);
    return !!cls && this.isThreadSubclass(cls);
  }

  isThreadSubclass(cls: ClassInfo): boolean {
    const known = this.threadClasses.get(cls.node.id);
    if (known !== undefined) return known;
    this.threadClasses.set(cls.node.id, false);
    const result = cls.bases.some((b) => this.isThreadClass(b));
    this.threadClasses.set(cls.node.id, result);
    return result;
  }

  /** The kind of value an expression evaluates to, when the analysis can show it. */
  typeOf(expr: Node): ValueType | null {
    const e = unwrap(expr);
    const known = this.types.get(e.id);
    // A question still being answered (a cycle) gives up; so do literals nested past any
    // real data structure (the stack).
    if (known === IN_PROGRESS || (known === undefined && this.typeDepth > MAX_TYPE_DEPTH)) {
      this.cycles++;
      return null;
    }
    if (known !== undefined) return known;
    this.types.set(e.id, IN_PROGRESS);
    this.typeDepth++;
    let result: ValueType | null = null;
    try {
      result = this.computeType(e);
    } finally {
      this.typeDepth--;
      this.types.set(e.id, result);
    }
    return result;
  }

  /** Shorthand: the kind, or null. */
  kindOf(expr: Node): Kind | null {
    const t = this.typeOf(expr);
    return t && !t.collection ? t.kind : null;
  }

  private computeType(e: Node): ValueType | null {
    switch (e.type) {
      case 'call':
        return this.callType(e);
      case 'identifier':
      case 'attribute': {
        const binding = this.bindingOf(e);
        return binding ? this.bindingType(binding) : null;
      }
      case 'list':
      case 'set':
      case 'tuple':
        return collectionOf(e.namedChildren.map((c) => (c ? this.typeOf(c) : null)));
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression': {
        const body = e.childForFieldName('body');
        return collectionOf([body ? this.typeOf(body) : null]);
      }
      case 'dictionary_comprehension': {
        const key = e.childForFieldName('body')?.childForFieldName('key');
        return collectionOf([key ? this.typeOf(key) : null], true);
      }
      case 'dictionary': {
        const keys = e.namedChildren.map((p) => (p?.type === 'pair' ? p.childForFieldName('key') : null));
        return collectionOf(keys.map((k) => (k ? this.typeOf(k) : null)), true);
      }
      case 'subscript': {
        // `futures[0]`: an item of a list of futures (a dict's subscript is a value).
        const value = e.childForFieldName('value');
        const t = value ? this.typeOf(value) : null;
        return t?.collection && !t.mapping ? { ...t, collection: false } : null;
      }
      default:
        return null;
    }
  }

  private callType(call: Node): ValueType | null {
    const fn = call.childForFieldName('function');
    if (!fn) return null;
    const qname = this.qualifiedName(fn);
    if (qname) {
      const kind = CONSTRUCTORS.get(qname);
      if (kind) return { kind, ctors: new Set([qname]) };
      if (qname === 'concurrent.futures.as_completed') {
        const arg = positionalArgs(call)[0];
        const t = arg && this.typeOf(arg);
        return t?.kind === 'Future' ? { kind: 'Future', collection: true, finished: true, ctors: new Set() } : null;
      }
      return null;
    }
    if (this.isThreadClass(fn)) return { kind: 'Thread', ctors: new Set(['threading.Thread']) };
    const m = this.methodCall(call);
    if (m && (m.method === 'submit') && this.kindOf(m.receiver) === 'Executor') {
      return { kind: 'Future', ctors: new Set() };
    }
    return null;
  }

  /**
   * Unify the types of every site that binds a name; one unknown site makes it unknown.
   * Asked once per binding (a name bound many times and read many times stays linear).
   */
  bindingType(binding: Binding): ValueType | null {
    let byKey = this.bindingTypes.get(binding.sites);
    const known = byKey?.get(binding.key);
    if (known !== undefined) return known;
    const cycles = this.cycles;
    const result = this.computeBindingType(binding);
    if (this.cycles === cycles) {
      if (!byKey) this.bindingTypes.set(binding.sites, (byKey = new Map()));
      byKey.set(binding.key, result);
    }
    return result;
  }

  private computeBindingType(binding: Binding): ValueType | null {
    const sites = binding.sites;
    const [only] = sites;
    if (sites.length === 1 && only.type === 'param' && !only.annotation && binding.scope?.kind === 'function') {
      return this.parameterTypeFromCalls(binding.scope, binding.name, only.index);
    }
    if (sites.length === 0) {
      const cls = binding.cls;
      if (cls) return this.classBodyType(cls, binding.name);
      return null;
    }
    const types: ValueType[] = [];
    let emptyCollection = false;
    for (const site of sites) {
      const t = this.siteType(site);
      if (t === 'none') continue;
      if (t === 'empty') {
        emptyCollection = true;
        continue;
      }
      if (!t) return null;
      types.push(t);
    }
    if (binding.cls) {
      const body = this.classBodyType(binding.cls, binding.name);
      if (body) types.push(body);
    }
    if (emptyCollection) {
      const items = this.appendedTypes(binding);
      if (!items) return null;
      const item = unify(items);
      if (!item) return null;
      types.push({ ...item, collection: true, mapping: false });
    }
    return types.length ? unify(types) : null;
  }

  /**
   * An unannotated parameter of a private function (`def _drain(q):`) or private method
   * (`self._drain(q)`) has the kind every call in the file passes it, when the function is
   * used only by direct calls there (never handed on, so no other caller can exist): one
   * call that passes something unknown, leaves it to a default or uses `*args` makes it
   * unknown.
   */
  private parameterTypeFromCalls(scope: Scope, param: string, index: number): ValueType | null {
    const fn = scope.node;
    const name = fn.type === 'function_definition' ? fn.childForFieldName('name')?.text : undefined;
    if (!name || !/^_[^_]|^_$/.test(name) || name.endsWith('__')) return null;
    const method = !!scope.methodOf;
    if (method && !scope.selfName) return null;
    const position = method ? index - 1 : index;
    if (position < 0) return null;
    const calls = this.callsOf(fn, name, method);
    if (!calls) return null;
    const types: ValueType[] = [];
    for (const call of calls) {
      const args = this.args(call);
      if (args.hasSplat) return null;
      const arg = args.positional[position] ?? args.keywords.get(param);
      const t = arg ? this.typeOf(arg) : null;
      if (!t) return null;
      types.push(t);
    }
    return unify(types);
  }

  /** The direct calls of a private function or method in this file, or null when it is also used another way (or never called). */
  private callsOf(fn: Node, name: string, method: boolean): Node[] | null {
    const known = this.directCalls.get(fn.id);
    if (known !== undefined) return known;
    const found = this.findDirectCalls(fn, name, method);
    this.directCalls.set(fn.id, found);
    return found;
  }

  private readonly directCalls = new Map<number, Node[] | null>();

  private findDirectCalls(fn: Node, name: string, method: boolean): Node[] | null {
    const calls: Node[] = [];
    for (const call of this.calls) {
      const callee = call.childForFieldName('function');
      if (!callee) continue;
      if (method) {
        const object = callee.type === 'attribute' ? callee.childForFieldName('object') : null;
        if (callee.childForFieldName('attribute')?.text !== name || object?.type !== 'identifier') continue;
        const cls = selfClass(this.index, this.scopeOf(call), object);
        if (!cls || cls.node.id !== this.index.scopes.get(fn.id)?.methodOf?.node.id) return null;
        calls.push(call);
      } else if (callee.type === 'identifier' && callee.text === name) {
        if (this.localFunction(callee)?.id !== fn.id) return null;
        calls.push(call);
      }
    }
    if (calls.length === 0) return null;
    // Every mention of the name other than its definition must be one of these calls.
    const mentions = this.tree.source.match(new RegExp(`\\b${name}\\b`, 'g'))?.length ?? 0;
    return mentions === calls.length + 1 ? calls : null;
  }

  private classBodyType(cls: ClassInfo, name: string): ValueType | null {
    const sites = cls.scope.bindings.get(name);
    if (!sites?.length) return null;
    const types: ValueType[] = [];
    for (const site of sites) {
      const t = this.siteType(site);
      if (t === 'none') continue;
      if (!t || t === 'empty') return null;
      types.push(t);
    }
    return types.length ? unify(types) : null;
  }

  /** Types of everything `.append()`-ed / `.add()`-ed to a collection binding. */
  private appendedTypes(binding: Binding): ValueType[] | null {
    const out: ValueType[] = [];
    for (const { call, method: m } of this.collectionCalls()) {
      const b = this.bindingOf(m.receiver);
      if (!b || b.key !== binding.key) continue;
      const args = positionalArgs(call);
      const item = m.method === 'insert' ? args[1] : args[0];
      const t = item ? this.typeOf(item) : null;
      if (!t) return null;
      if (m.method === 'extend') {
        if (!t.collection) return null;
        out.push({ ...t, collection: false });
      } else {
        if (t.collection) return null;
        out.push(t);
      }
    }
    return out.length ? out : null;
  }

  private collectionCallCache: { call: Node; method: { receiver: Node; method: string } }[] | undefined;

  /** Every `x.append(…)`-like call of the file, found once. */
  private collectionCalls(): { call: Node; method: { receiver: Node; method: string } }[] {
    this.collectionCallCache ??= this.calls.flatMap((call) => {
      const method = this.methodCall(call);
      return method && ['append', 'add', 'extend', 'insert'].includes(method.method) ? [{ call, method }] : [];
    });
    return this.collectionCallCache;
  }

  private siteType(site: BindingSite): ValueType | null | 'none' | 'empty' {
    switch (site.type) {
      case 'assign': {
        if (site.value) {
          const v = unwrap(site.value);
          if (v.type === 'none') return 'none';
          if (isEmptyCollection(v)) return 'empty';
          const t = this.typeOf(v);
          if (t) return t;
        }
        return site.annotation ? this.annotationType(site.annotation) : null;
      }
      case 'param':
        return site.annotation ? this.annotationType(site.annotation) : null;
      case 'with':
        return this.withType(site.value);
      case 'for': {
        const t = this.typeOf(site.iterable);
        return t?.collection ? { ...t, collection: false, mapping: false } : null;
      }
      case 'tuple-assign': {
        // `done, not_done = wait(fs)`: two sets of futures, the first finished.
        const v = unwrap(site.value);
        if (v.type === 'call' && this.calleeName(v) === 'concurrent.futures.wait' && site.count === 2) {
          const arg = positionalArgs(v)[0];
          if (arg && this.typeOf(arg)?.kind === 'Future') {
            return { kind: 'Future', collection: true, finished: site.index === 0, ctors: new Set() };
          }
        }
        return null;
      }
      default:
        return null;
    }
  }

  /** `with X(...) as y`: executors, conditions and semaphores return themselves. */
  private withType(value: Node): ValueType | null {
    const t = this.typeOf(value);
    if (!t || t.collection) return null;
    return ['Executor', 'Condition', 'Thread', 'Queue', 'Event', 'Barrier', 'Future'].includes(t.kind) ? t : null;
  }

  /** `threading.Lock`, `Optional[Lock]`, `Lock | None`, `"Lock"` (one kind, nothing else). */
  annotationType(annotation: Node): ValueType | null {
    let e: Node | null = annotation.type === 'type' ? (annotation.namedChildren[0] ?? null) : annotation;
    for (let guard = 0; e && guard < 8; guard++) {
      if (e.type === 'type') e = e.namedChildren[0] ?? null;
      else if (e.type === 'binary_operator') {
        const left = e.childForFieldName('left');
        const right = e.childForFieldName('right');
        if (right?.type === 'none') e = left;
        else if (left?.type === 'none') e = right;
        else return null;
      } else if (e.type === 'generic_type' || e.type === 'subscript') {
        const head = e.type === 'generic_type' ? e.namedChildren[0] : e.childForFieldName('value');
        const name = head && (this.qualifiedName(head) ?? head.text);
        if (!name || !TRANSPARENT_ANNOTATIONS.has(name)) return null;
        const param: Node | null | undefined = e.type === 'generic_type' ? e.namedChildren[1]?.namedChildren[0] : e.childForFieldName('subscript');
        e = param ?? null;
      } else break;
    }
    if (!e) return null;
    const qname = this.qualifiedName(e);
    const kind = qname ? ANNOTATION_KINDS.get(qname) : undefined;
    if (kind) return { kind, ctors: new Set() };
    const cls = this.localClass(e);
    if (cls && this.isThreadSubclass(cls)) return { kind: 'Thread', ctors: new Set() };
    return null;
  }

  private readonly argLists: NodeTable<CallArgs>;

  /** The arguments of a call, positional and keyword (memoized; do not modify). */
  args(call: Node): CallArgs {
    return memo(this.argLists, call, this.computeArgs, this);
  }

  private computeArgs(call: Node): CallArgs {
    const list = call.childForFieldName('arguments');
    const positional: Node[] = [];
    let keywords = NO_KEYWORDS as Map<string, Node>;
    let hasSplat = false;
    for (const a of list?.namedChildren ?? []) {
      if (!a || a.type === 'comment') continue;
      if (a.type === 'keyword_argument') {
        const name = a.childForFieldName('name');
        const value = a.childForFieldName('value');
        if (keywords === NO_KEYWORDS) keywords = new Map<string, Node>();
        if (name && value) keywords.set(name.text, value);
      } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
        hasSplat = true;
      } else {
        positional.push(a);
      }
    }
    return { positional, keywords, hasSplat };
  }
}

/**
 * Every question is asked by several rules about the same nodes: answer each once.
 * Answers are never `undefined` (null means "no"), so one lookup serves a hit, and the
 * compute function is a method passed with its receiver: no closure per question.
 */
function memo<T, S>(cache: NodeTable<T>, node: Node, compute: (this: S, node: Node) => T, self: S): T {
  const known = cache.get(node.id);
  if (known !== undefined) return known;
  const value = compute.call(self, node);
  cache.set(node.id, value);
  return value;
}

function classBinding(cls: ClassInfo, name: string): Binding {
  return { key: `c:${cls.name}.${name}`, scope: null, cls, name, sites: cls.attributes.get(name) ?? [] };
}

export function positionalArgs(call: Node): Node[] {
  const list = call.childForFieldName('arguments');
  return (list?.namedChildren ?? []).filter(
    (a): a is Node => !!a && !['keyword_argument', 'list_splat', 'dictionary_splat', 'comment'].includes(a.type),
  );
}

/** Strip parentheses around an expression. */
export function unwrap(node: Node): Node {
  let n = node;
  while (n.type === 'parenthesized_expression' && n.namedChildren.length === 1 && n.namedChildren[0]) n = n.namedChildren[0];
  return n;
}

function isEmptyCollection(v: Node): boolean {
  if ((v.type === 'list' || v.type === 'dictionary' || v.type === 'set') && v.namedChildCount === 0) return true;
  if (v.type === 'call') {
    const fn = v.childForFieldName('function');
    const args = v.childForFieldName('arguments');
    return fn?.type === 'identifier' && ['list', 'set', 'dict'].includes(fn.text) && (args?.namedChildCount ?? 0) === 0;
  }
  return false;
}

function collectionOf(items: (ValueType | null)[], mapping = false): ValueType | null {
  if (items.length === 0 || items.some((t) => !t || t.collection)) return null;
  const item = unify(items as ValueType[]);
  return item ? { ...item, collection: true, mapping } : null;
}

/** One kind for all, or nothing: precision over recall. */
function unify(types: ValueType[]): ValueType | null {
  const [first] = types;
  if (!first) return null;
  const ctors = new Set<string>();
  for (const t of types) {
    if (t.kind !== first.kind || !!t.collection !== !!first.collection || !!t.mapping !== !!first.mapping) return null;
    for (const c of t.ctors) ctors.add(c);
  }
  return { kind: first.kind, collection: first.collection, mapping: first.mapping, finished: types.every((t) => t.finished), ctors };
}
