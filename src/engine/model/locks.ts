import { NodeTable } from './node-table.js';
import type { Node } from '../tree/index.js';
import { LOCK_LIKE, type Kind } from './kinds.js';
import { unwrap, type SemanticModel } from './model.js';
import { withItems, type BindingSite } from './scopes.js';
import { moduleNameOf, relativeImports } from './imports.js';

export { moduleNameOf };

/**
 * Lock identity and lock sets. A lock is known by the binding it lives in: within a
 * file by the model's binding key, across files by a dotted name (`pkg.mod.LOCK`,
 * `pkg.mod.Class._lock`, or the qualified name it was imported under). "Held at a
 * node" is lexical: inside `with L:`, or after an `L.acquire()` statement of an
 * enclosing block with no `L.release()` in between.
 */
export interface LockRef {
  /** Within-file identity. */
  key: string;
  /** Cross-file identity, or null for locals and parameters. */
  globalKey: string | null;
  kind: Kind;
  /** The expression naming the lock. */
  expr: Node;
  /** The lock is a parameter: the caller chooses which lock it is. */
  param: boolean;
}

export interface Acquisition extends LockRef {
  /** The `with` item or the `acquire()` call. */
  at: Node;
  how: 'with' | 'acquire';
  /** False for `acquire(False)`, `acquire(blocking=False)` and `acquire(timeout=…)`: they cannot wait forever. */
  blocking: boolean;
}

/** A lock named by an import from another module, whose kind only that module can tell. */
export interface ImportedLock {
  /** Absolute dotted name (`pkg.locks.REGISTRY_LOCK`), relative imports resolved. */
  globalKey: string;
  expr: Node;
  at: Node;
  how: 'with' | 'acquire';
}

const BOUNDARIES = new Set(['function_definition', 'lambda', 'class_definition', 'module']);

const EMPTY_KEYS: ReadonlySet<string> = new Set();

/**
 * Whether two dotted names can denote the same module-level object: equal, or one is the
 * other with a package prefix (`app.locks.A` imported as `locks.A` from inside `app/`).
 */
export function sameDottedName(a: string, b: string): boolean {
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}

export class LockFacts {
  private readonly byFunction = new Map<number, Acquisition[]>();
  /** Statement-level acquires, by the id of the block that holds them. */
  private readonly acquireStatements = new Map<number, { stmt: Node; acquisition: Acquisition }[]>();
  private indexed = false;
  private handOffKeys: Set<string> | undefined;
  private importedByFunction: Map<number, ImportedLock[]> | undefined;

  constructor(
    private readonly model: SemanticModel,
    private readonly path: string,
  ) {
    this.heldCache = new NodeTable(model.tree.count);
    this.withAcquisitions = new NodeTable(model.tree.count);
    this.releasedBeforeCache = new NodeTable(model.tree.count);
  }

  /** The lock an expression names, when it is a Lock, RLock, Semaphore or Condition. */
  lockOf(expr: Node): LockRef | null {
    const e = unwrap(expr);
    const binding = this.model.classAttributeBinding(e);
    if (!binding) return null;
    const type = this.model.bindingType(binding);
    const kind = type && !type.collection ? type.kind : null;
    if (!kind || !LOCK_LIKE.has(kind)) return null;
    const mod = moduleNameOf(this.path);
    let globalKey: string | null = null;
    if (binding.cls) globalKey = `${mod}.${binding.cls.name}.${binding.name}`;
    else if (binding.key.startsWith('g:')) {
      const site = binding.sites[0];
      globalKey = site?.type === 'import' ? site.qname : `${mod}.${binding.name}`;
    }
    const param = binding.sites.some((s) => s.type === 'param');
    return { key: binding.key, globalKey, kind, expr: e, param };
  }

  /** For `X.acquire(...)` / `X.release()` calls: the lock and which. */
  lockCall(call: Node): { lock: LockRef; method: string } | null {
    const mc = this.model.methodCall(call);
    if (!mc || !['acquire', 'release', '__enter__', '__exit__'].includes(mc.method)) return null;
    const lock = this.lockOf(mc.receiver);
    return lock ? { lock, method: mc.method } : null;
  }

  /** Locks held at a node, outermost first, within its own function. */
  heldAt(node: Node): readonly Acquisition[] {
    let held = this.heldCache.get(node.id);
    if (!held) {
      held = this.computeHeldAt(node);
      this.heldCache.set(node.id, held);
    }
    return held;
  }

  /** Several rules ask about the same statements and calls: walk each one's parents once. */
  private readonly heldCache: NodeTable<Acquisition[]>;

  private computeHeldAt(node: Node): Acquisition[] {
    const held: Acquisition[] = [];
    // Locks released by an earlier statement of a block on the way up (`with L: … L.release() …`).
    const released = new Set<string>();
    let child = node;
    for (let parent = node.parent; parent && !BOUNDARIES.has(parent.type); child = parent, parent = parent.parent) {
      if (parent.type === 'with_statement' && child.type === 'block') {
        const items = withItems(parent);
        for (let i = items.length - 1; i >= 0; i--) {
          const acquisition = this.withAcquisition(items[i]);
          if (acquisition && !released.has(acquisition.key)) held.unshift(acquisition);
        }
      } else if (parent.type === 'with_clause') {
        // A later item of `with a, b:` is taken while the earlier ones are held.
        const before: Acquisition[] = [];
        for (const item of parent.namedChildren) {
          if (item.id === child.id) break;
          const acquisition = item.type === 'with_item' ? this.withAcquisition(item) : null;
          if (acquisition) before.push(acquisition);
        }
        held.unshift(...before);
      } else if (parent.type === 'block' || parent.type === 'module') {
        held.unshift(...this.acquiredBefore(parent, child));
        for (const key of this.releasedBefore(child)) released.add(key);
      }
    }
    return held;
  }

  private readonly withAcquisitions: NodeTable<Acquisition | null>;

  /** The acquisition a `with` item makes, if it names a lock (one object per item). */
  private withAcquisition(item: Node): Acquisition | null {
    let acquisition = this.withAcquisitions.get(item.id);
    if (acquisition === undefined) {
      const lock = this.withItemLock(item);
      acquisition = lock ? { ...lock, at: item, how: 'with', blocking: true } : null;
      this.withAcquisitions.set(item.id, acquisition);
    }
    return acquisition;
  }

  private readonly releasedBeforeCache: NodeTable<ReadonlySet<string>>;

  /** Keys of the locks that the statements before `stmt` in its block release (memoized along the block). */
  private releasedBefore(stmt: Node): ReadonlySet<string> {
    const known = this.releasedBeforeCache.get(stmt.id);
    if (known) return known;
    // Walk back to the first statement, or to one already known, then fill forward.
    const chain: Node[] = [];
    let s: Node | null = stmt;
    let base: ReadonlySet<string> = EMPTY_KEYS;
    while (s) {
      const cached = this.releasedBeforeCache.get(s.id);
      if (cached) {
        base = cached;
        break;
      }
      chain.push(s);
      s = s.previousNamedSibling;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const prev = chain[i].previousNamedSibling;
      const keys = prev ? this.releaseKeysIn(prev) : EMPTY_KEYS;
      const set: ReadonlySet<string> = keys.size === 0 ? base : new Set([...base, ...keys]);
      this.releasedBeforeCache.set(chain[i].id, set);
      base = set;
    }
    return base;
  }

  /** Keys of the locks a statement releases anywhere inside it. */
  private releaseKeysIn(stmt: Node): ReadonlySet<string> {
    if (!stmt.text.includes('release')) return EMPTY_KEYS;
    const keys = new Set<string>();
    for (const c of stmt.descendantsOfType('call')) {
      const lc = this.lockCall(c);
      if (lc?.method === 'release') keys.add(lc.lock.key);
    }
    return keys;
  }

  /**
   * Whether some lock may be held at a node, counting what the analysis cannot type:
   * `with self._mutex:` or `self._mutex.acquire()` on a receiver of unknown kind (an
   * `_thread.allocate_lock()`, a parameter). Rules use it to stay silent, never to report.
   */
  mayBeLockedAt(node: Node): boolean {
    if (this.heldAt(node).length > 0) return true;
    let child = node;
    for (let parent = node.parent; parent && !BOUNDARIES.has(parent.type); child = parent, parent = parent.parent) {
      if (parent.type === 'with_statement' && child.type === 'block') {
        if (withItems(parent).some((item) => this.mayBeLockItem(item))) return true;
      } else if (parent.type === 'block' || parent.type === 'module') {
        if (this.unknownAcquireBefore(parent, child)) return true;
      }
    }
    return false;
  }

  /** A `with` item that could be a lock: a bare name or attribute of unknown kind, or a known lock. */
  private mayBeLockItem(item: Node): boolean {
    const value = item.childForFieldName('value');
    if (!value || value.type === 'as_pattern') return false;
    const v = unwrap(value);
    if (this.lockOf(v)) return true;
    if (v.type !== 'identifier' && v.type !== 'attribute') return false;
    return this.model.kindOf(v) === null;
  }

  /** An `X.acquire()` statement of unknown X earlier in the block, not released since. */
  private unknownAcquireBefore(block: Node, stmt: Node): boolean {
    const released = new Set<string>();
    for (let s = stmt.previousNamedSibling; s; s = s.previousNamedSibling) {
      const text = s.text;
      if (!text.includes('acquire') && !text.includes('release')) continue;
      for (const call of s.descendantsOfType('call')) {
        const mc = call && this.model.methodCall(call);
        if (!mc) continue;
        const receiver = unwrap(mc.receiver).text;
        if (mc.method === 'release') released.add(receiver);
        else if (mc.method === 'acquire' && !released.has(receiver) && call!.parent?.id === s.id) return true;
      }
    }
    void block;
    return false;
  }

  private withItemLock(item: Node): LockRef | null {
    const value = item.childForFieldName('value');
    return value && value.type !== 'as_pattern' ? this.lockOf(value) : null;
  }

  /**
   * `L.acquire()` statements (or `if not L.acquire(…): …`) before `stmt` in `block` that
   * no later statement before `stmt` releases (a statement counts as releasing when a
   * `L.release()` call appears anywhere in it, e.g. in a `finally:`).
   */
  private acquiredBefore(block: Node, stmt: Node): Acquisition[] {
    if (!this.indexed) this.indexAcquisitions();
    const candidates = this.acquireStatements.get(block.id);
    if (!candidates) return [];
    const out: Acquisition[] = [];
    for (const { stmt: acq, acquisition } of candidates) {
      if (acq.startIndex >= stmt.startIndex) break;
      let released = false;
      for (let s = acq.nextNamedSibling; s && s.startIndex < stmt.startIndex; s = s.nextNamedSibling) {
        if (this.releases(s, acquisition.key)) {
          released = true;
          break;
        }
      }
      if (!released && !out.some((a) => a.key === acquisition.key)) out.push(acquisition);
    }
    return out;
  }

  /** Whether a statement calls `release()` on the lock anywhere inside it. */
  private releases(stmt: Node, key: string): boolean {
    if (!stmt.text.includes('release')) return false;
    return stmt.descendantsOfType('call').some((c) => {
      const lc = c && this.lockCall(c);
      return !!lc && lc.method === 'release' && lc.lock.key === key;
    });
  }

  /** Every acquisition (with items and acquire calls) in a function's own body. */
  /** Whether any function of the file takes a known lock (rules skip their work otherwise). */
  hasAcquisitions(): boolean {
    if (!this.indexed) this.indexAcquisitions();
    return this.byFunction.size > 0;
  }

  acquisitionsIn(fn: Node): Acquisition[] {
    if (!this.indexed) this.indexAcquisitions();
    return this.byFunction.get(fn.id) ?? [];
  }

  private indexAcquisitions(): void {
    this.indexed = true;
    const add = (fn: Node | null, a: Acquisition) => {
      if (!fn) return;
      const list = this.byFunction.get(fn.id);
      if (list) list.push(a);
      else this.byFunction.set(fn.id, [a]);
    };
    for (const stmt of this.model.nodes('with_statement')) {
      for (const item of withItems(stmt)) {
        const lock = this.withItemLock(item);
        if (lock) add(this.model.enclosingFunction(stmt), { ...lock, at: item, how: 'with', blocking: true });
      }
    }
    for (const call of this.model.calls) {
      const lc = this.lockCall(call);
      if (lc?.method !== 'acquire') continue;
      const acquisition: Acquisition = { ...lc.lock, at: call, how: 'acquire', blocking: this.blocks(call) };
      add(this.model.enclosingFunction(call), acquisition);
      const stmt = acquireStatement(call);
      if (stmt?.parent) {
        const list = this.acquireStatements.get(stmt.parent.id);
        if (list) list.push({ stmt, acquisition });
        else this.acquireStatements.set(stmt.parent.id, [{ stmt, acquisition }]);
      }
    }
  }

  /** Whether an `acquire(...)` call can wait forever: no `False` flag, no timeout, no `**kw`. */
  private blocks(call: Node): boolean {
    const { positional, keywords, hasSplat } = this.model.args(call);
    if (hasSplat) return false;
    const flag = keywords.get('blocking') ?? positional[0];
    if (flag && !['true', 'integer'].includes(unwrap(flag).type)) return false;
    if (flag && unwrap(flag).text === '0') return false;
    const timeout = keywords.get('timeout') ?? positional[1];
    if (!timeout) return true;
    const t = unwrap(timeout);
    return t.type === 'none' || t.text.replace(/\s+/g, '') === '-1';
  }

  /**
   * Locks used as signals rather than for mutual exclusion: released by a function that
   * never acquires them (another thread lets the waiter go on), or handed to code the
   * analysis does not follow (`Thread(args=(lock,))`, `start_new_thread(f, (lock,))`).
   * Taking such a lock again is how the waiter waits, not a deadlock.
   */
  isHandOff(lock: LockRef): boolean {
    this.handOffKeys ??= this.findHandOffs();
    return this.handOffKeys.has(lock.key);
  }

  private findHandOffs(): Set<string> {
    const out = new Set<string>();
    const m = this.model;
    for (const call of m.calls) {
      const lc = this.lockCall(call);
      if (lc?.method === 'release') {
        const fn = m.enclosingFunction(call);
        const acquiresHere = fn
          ? this.acquisitionsIn(fn).some((a) => a.key === lc.lock.key)
          : m.root.text.includes(`${lc.lock.expr.text}.acquire`);
        if (!acquiresHere) out.add(lc.lock.key);
        continue;
      }
      if (m.calleeName(call) === 'threading.Condition') continue;
      const args = call.childForFieldName('arguments');
      if (!args || args.type !== 'argument_list') continue;
      for (const arg of args.namedChildren) {
        if (!arg) continue;
        const value = arg.type === 'keyword_argument' ? arg.childForFieldName('value') : arg;
        if (!value) continue;
        const v = unwrap(value);
        const parts = v.type === 'tuple' || v.type === 'list' ? v.namedChildren : [v];
        for (const part of parts) {
          const lock = part && (part.type === 'identifier' || part.type === 'attribute') ? this.lockOf(part) : null;
          if (lock) out.add(lock.key);
        }
      }
    }
    return out;
  }

  /** For a Condition: the lock it was built on (`Condition(L)`), if the analysis can tell. */
  conditionLock(expr: Node): LockRef | null {
    let found: LockRef | null = null;
    for (const site of this.constructionSites(expr)) {
      if (site.type !== 'assign' || !site.value) continue;
      const v = unwrap(site.value);
      if (v.type !== 'call' || this.model.calleeName(v) !== 'threading.Condition') continue;
      const { positional, keywords } = this.model.args(v);
      const arg = keywords.get('lock') ?? positional[0];
      const lock = arg ? this.lockOf(arg) : null;
      if (!lock || (found && found.key !== lock.key)) return null;
      found = lock;
    }
    return found;
  }

  /** Every site that assigns the lock an expression names, class-body assignments included. */
  private constructionSites(expr: Node): BindingSite[] {
    const binding = this.model.classAttributeBinding(unwrap(expr));
    if (!binding) return [];
    return [...binding.sites, ...(binding.cls?.scope.bindings.get(binding.name) ?? [])];
  }

  /** Whether some constructor of this Condition is given a lock (`Condition(lock)`), known or not. */
  conditionHasLock(expr: Node): boolean {
    return this.constructionSites(expr).some((site) => {
      if (site.type !== 'assign' || !site.value) return false;
      const v = unwrap(site.value);
      if (v.type !== 'call' || this.model.calleeName(v) !== 'threading.Condition') return false;
      const { positional, keywords, hasSplat } = this.model.args(v);
      return hasSplat || !!(keywords.get('lock') ?? positional[0]);
    });
  }

  /**
   * `with X:` / `X.acquire()` in a function where X is imported from another module
   * (`from app.locks import A`, `from .locks import A`, `import app.locks` + `app.locks.A`)
   * and this file cannot tell X's kind. Project-wide rules match these against the
   * locks other files declare.
   */
  importedAcquisitionsIn(fn: Node): ImportedLock[] {
    if (!this.importedByFunction) {
      this.importedByFunction = new Map();
      for (const stmt of this.model.nodes('with_statement')) {
        const owner = this.model.enclosingFunction(stmt);
        if (!owner) continue;
        for (const item of withItems(stmt)) {
          const value = item.childForFieldName('value');
          const key = value && value.type !== 'as_pattern' ? this.importedName(value) : null;
          if (!key) continue;
          const found: ImportedLock = { globalKey: key, expr: unwrap(value!), at: item, how: 'with' };
          const list = this.importedByFunction.get(owner.id);
          if (list) list.push(found);
          else this.importedByFunction.set(owner.id, [found]);
        }
      }
    }
    return this.importedByFunction.get(fn.id) ?? [];
  }

  /** Imported locks held at a node (lexical `with` only), outermost first. */
  importedHeldAt(node: Node): ImportedLock[] {
    const held: ImportedLock[] = [];
    let child = node;
    for (let parent = node.parent; parent && !BOUNDARIES.has(parent.type); child = parent, parent = parent.parent) {
      const items =
        parent.type === 'with_statement' && child.type === 'block'
          ? withItems(parent)
          : parent.type === 'with_clause'
            ? parent.namedChildren.filter((n): n is Node => n?.type === 'with_item' && n.startIndex < child.startIndex)
            : [];
      const found: ImportedLock[] = [];
      for (const item of items) {
        const value = item.childForFieldName('value');
        const key = value && value.type !== 'as_pattern' ? this.importedName(value) : null;
        if (key) found.push({ globalKey: key, expr: unwrap(value!), at: item, how: 'with' });
      }
      held.unshift(...found);
    }
    return held;
  }

  /** The absolute dotted name of an imported, untyped expression, or null. */
  private importedName(expr: Node): string | null {
    const e = unwrap(expr);
    if (e.type !== 'identifier' && e.type !== 'attribute') return null;
    if (this.model.kindOf(e) !== null) return null;
    const q = this.model.qualifiedName(e);
    if (q) return q.includes('.') && !q.startsWith('threading.') ? q : null;
    if (e.type !== 'identifier' || this.model.resolveName(e.text, e)) return null;
    return relativeImports(this.model).get(e.text) ?? null;
  }

  /** Cross-file names of the module-level locks this file defines (what other files can import). */
  declaredLocks(): string[] {
    const out = new Set<string>();
    const mod = moduleNameOf(this.path);
    for (const [name, sites] of this.model.index.module.bindings) {
      if (sites.some((s) => s.type === 'import')) continue;
      const type = this.model.bindingType({ key: `g:${name}`, scope: this.model.index.module, cls: null, name, sites });
      if (type && !type.collection && LOCK_LIKE.has(type.kind)) out.add(`${mod}.${name}`);
    }
    return [...out];
  }
}

/**
 * The statement an acquire call makes the lock held after: `L.acquire()` alone, or the
 * checked form `if not L.acquire(…): raise/return …`.
 */
function acquireStatement(call: Node): Node | null {
  const parent = call.parent;
  if (parent?.type === 'expression_statement') return parent;
  if (parent?.type === 'not_operator' && parent.parent?.type === 'if_statement' && parent.parent.childForFieldName('condition')?.id === parent.id) {
    return parent.parent;
  }
  return null;
}
