import type { Node } from 'web-tree-sitter';
import { LOCK_LIKE, type Kind } from './kinds.js';
import { unwrap, type SemanticModel } from './model.js';
import { withItems } from './scopes.js';

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
}

export interface Acquisition extends LockRef {
  /** The `with` item or the `acquire()` call. */
  at: Node;
  how: 'with' | 'acquire';
}

const BOUNDARIES = new Set(['function_definition', 'lambda', 'class_definition', 'module']);

export function moduleNameOf(path: string): string {
  return path
    .replace(/\\/g, '/')
    .replace(/\.pyi?$/, '')
    .replace(/\/__init__$/, '')
    .replace(/^(?:src|lib)\//, '')
    .split('/')
    .filter(Boolean)
    .join('.');
}

export class LockFacts {
  private readonly byFunction = new Map<number, Acquisition[]>();
  /** Statement-level acquires, by the id of the block that holds them. */
  private readonly acquireStatements = new Map<number, { stmt: Node; acquisition: Acquisition }[]>();
  private indexed = false;

  constructor(
    private readonly model: SemanticModel,
    private readonly path: string,
  ) {}

  /** The lock an expression names, when it is a Lock, RLock, Semaphore or Condition. */
  lockOf(expr: Node): LockRef | null {
    const e = unwrap(expr);
    const kind = this.model.kindOf(e);
    if (!kind || !LOCK_LIKE.has(kind)) return null;
    const binding = this.model.bindingOf(e);
    if (!binding) return null;
    const mod = moduleNameOf(this.path);
    let globalKey: string | null = null;
    if (binding.cls) globalKey = `${mod}.${binding.cls.name}.${binding.name}`;
    else if (binding.key.startsWith('g:')) {
      const site = binding.sites[0];
      globalKey = site?.type === 'import' ? site.qname : `${mod}.${binding.name}`;
    }
    return { key: binding.key, globalKey, kind, expr: e };
  }

  /** For `X.acquire(...)` / `X.release()` calls: the lock and which. */
  lockCall(call: Node): { lock: LockRef; method: string } | null {
    const mc = this.model.methodCall(call);
    if (!mc || !['acquire', 'release', '__enter__', '__exit__'].includes(mc.method)) return null;
    const lock = this.lockOf(mc.receiver);
    return lock ? { lock, method: mc.method } : null;
  }

  /** Locks held at a node, outermost first, within its own function. */
  heldAt(node: Node): Acquisition[] {
    const held: Acquisition[] = [];
    let child = node;
    for (let parent = node.parent; parent && !BOUNDARIES.has(parent.type); child = parent, parent = parent.parent) {
      if (parent.type === 'with_statement' && child.type === 'block') {
        const items = withItems(parent);
        for (let i = items.length - 1; i >= 0; i--) {
          const value = items[i].childForFieldName('value');
          const lock = value && value.type !== 'as_pattern' ? this.lockOf(value) : null;
          if (lock) held.unshift({ ...lock, at: items[i], how: 'with' });
        }
      } else if (parent.type === 'with_clause') {
        // A later item of `with a, b:` is taken while the earlier ones are held.
        const items = parent.namedChildren.filter((n): n is Node => n?.type === 'with_item');
        for (const item of items) {
          if (item.id === child.id) break;
          const value = item.childForFieldName('value');
          const lock = value && value.type !== 'as_pattern' ? this.lockOf(value) : null;
          if (lock) held.unshift({ ...lock, at: item, how: 'with' });
        }
      } else if (parent.type === 'block' || parent.type === 'module') {
        held.unshift(...this.acquiredBefore(parent, child));
      }
    }
    return held;
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
        const value = item.childForFieldName('value');
        const lock = value && value.type !== 'as_pattern' ? this.lockOf(value) : null;
        if (lock) add(this.model.enclosingFunction(stmt), { ...lock, at: item, how: 'with' });
      }
    }
    for (const call of this.model.calls) {
      const lc = this.lockCall(call);
      if (lc?.method !== 'acquire') continue;
      const acquisition: Acquisition = { ...lc.lock, at: call, how: 'acquire' };
      add(this.model.enclosingFunction(call), acquisition);
      const stmt = acquireStatement(call);
      if (stmt?.parent) {
        const list = this.acquireStatements.get(stmt.parent.id);
        if (list) list.push({ stmt, acquisition });
        else this.acquireStatements.set(stmt.parent.id, [{ stmt, acquisition }]);
      }
    }
  }

  /** For a Condition: the lock it was built on (`Condition(L)`), if the analysis can tell. */
  conditionLock(expr: Node): LockRef | null {
    const binding = this.model.bindingOf(expr);
    if (!binding) return null;
    let found: LockRef | null = null;
    for (const site of binding.sites) {
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
}

/** The call an expression statement consists of (`L.acquire()`), if that is all it is. */
export function statementCall(stmt: Node): Node | null {
  if (stmt.type !== 'expression_statement' || stmt.namedChildCount !== 1) return null;
  const e = stmt.namedChildren[0];
  return e && e.type === 'call' ? e : null;
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
