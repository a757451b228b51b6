/**
 * The project join of guard summaries (../model/guards.ts): plain data in, plain data
 * out, no trees. It puts every file's accesses on one name per piece of state (a
 * subclass's `self._pools` is its base class's attribute, an imported `REGISTRY` is the
 * defining module's), decides which locks guard each piece (written under the lock
 * somewhere, or declared `# guarded by`), and lists the accesses in concurrent code that
 * hold none of them.
 */
import { DottedIndex } from './dotted-index.js';
import type { AccessKind, ClassGuards, GuardSummary, StateAccess, StateType } from '../model/guards.js';

export interface GuardFile {
  path: string;
  summary: GuardSummary;
}

/** A lock that guards a piece of state, with one place it is held (or declared). */
export interface GuardSite {
  lock: string;
  /** How the lock reads in code (`self._lock`, `REGISTRY_LOCK`). */
  name: string;
  path: string;
  line: number;
  declared: boolean;
  /** The class whose method holds the lock there: it guards the state for that class and its subclasses only. */
  cls: string | null;
  /** The hold uses the state in several steps (see `StateAccess.compound`), or the guard is declared. */
  compound: boolean;
}

export interface UnguardedAccess {
  path: string;
  /** The access's index in its file's summary. */
  index: number;
  access: StateAccess;
  state: string;
  guards: GuardSite[];
  /** Why the code counts as concurrent, for the message. */
  concurrency: string;
  type?: StateType;
}

const IN_PLACE: ReadonlySet<AccessKind> = new Set(['item-store', 'del', 'mutate']);
/** Kinds of state whose every single operation is safe from any thread. */
const ATOMIC: ReadonlySet<StateType> = new Set(['queue', 'event', 'lock', 'local']);

interface Located {
  path: string;
  index: number;
  access: StateAccess;
  state: string;
  held: Set<string>;
  opaque: boolean;
}

export class GuardJoin {
  private readonly classes = new Map<string, ClassGuards>();
  private readonly globals = new DottedIndex();
  private readonly moduleLocks = new DottedIndex();
  private readonly classNames = new DottedIndex();
  private readonly types = new Map<string, StateType>();
  private readonly located: Located[] = [];
  private readonly guardsByState = new Map<string, GuardSite[]>();
  private readonly classCache = new Map<string, string | null>();
  private readonly lockCache = new Map<string, string | null>();
  private readonly stateCache = new Map<string, string | null>();
  /** Locks only ever tried (`acquire(False)`) in every file: flags that say "someone is at it", not guards. */
  private readonly triedOnly = new Set<string>();

  constructor(files: readonly GuardFile[]) {
    const ordered = [...files].sort((a, b) => a.path.localeCompare(b.path));
    for (const { summary } of ordered) {
      for (const c of summary.classes) {
        if (this.classes.has(c.key)) continue;
        this.classes.set(c.key, c);
        this.classNames.add(c.key);
      }
      for (const g of summary.globals) this.globals.add(g);
      for (const l of summary.locks) this.moduleLocks.add(l);
    }
    const blocking = new Set<string>();
    for (const { summary } of ordered) for (const k of summary.blocking ?? []) blocking.add(this.lock(k) ?? k);
    for (const { summary } of ordered) {
      for (const k of summary.tried ?? []) {
        const lock = this.lock(k) ?? k;
        if (!blocking.has(lock)) this.triedOnly.add(lock);
      }
    }
    for (const { summary } of ordered) {
      for (const [key, type] of Object.entries(summary.types)) {
        const state = this.state(key);
        if (state && !this.types.has(state)) this.types.set(state, type);
      }
    }
    for (const { path, summary } of ordered) {
      summary.accesses.forEach((access, index) => {
        const state = this.state(access.state);
        if (!state) return;
        const { held, opaque } = this.heldBy(access);
        this.located.push({ path, index, access, state, held, opaque });
      });
    }
    for (const l of this.located) {
      // In-place changes that a hold of the lock makes in several steps say what it guards;
      // rebinding an attribute under a lock (`self._d = {}` in a locked `start()`), or one
      // lone atomic `d[k] = v`, says little.
      if (!IN_PLACE.has(l.access.kind) || l.opaque) continue;
      const cls = l.access.cls ? this.classKey(l.access.cls) : null;
      const compound = !!l.access.compound;
      for (const lock of l.held) if (!this.triedOnly.has(lock)) this.addGuard(l.state, { lock, name: lockName(lock, this.isClassLock(lock)), path: l.path, line: l.access.site.line, declared: false, cls, compound });
    }
    for (const { path, summary } of ordered) {
      for (const [key, { lock, line }] of Object.entries(summary.declared)) {
        const state = this.state(key);
        const canonical = this.lock(lock);
        if (state && canonical) this.addGuard(state, { lock: canonical, name: lockName(canonical, this.isClassLock(canonical)), path, line, declared: true, cls: null, compound: true });
      }
    }
  }

  /** The locks that guard a piece of state (canonical key), first site per lock. */
  guardsOf(state: string): GuardSite[] {
    return this.guardsByState.get(state) ?? [];
  }

  /**
   * The guards that bind an access: a lock a class's own methods hold binds that class
   * and its subclasses, not a base class that knows nothing of it.
   */
  private guardsFor(l: Located, compoundOnly: boolean): GuardSite[] {
    const from = l.access.cls ? this.classKey(l.access.cls) : null;
    return this.guardsOf(l.state).filter((g) => (!compoundOnly || g.compound) && (!g.cls || !from || this.inherits(from, g.cls)));
  }

  /** Whether class `cls` is `base` or derives from it (through analysed classes). */
  private inherits(cls: string, base: string): boolean {
    const seen = new Set<string>();
    const queue = [cls];
    while (queue.length) {
      const key = queue.shift()!;
      if (key === base) return true;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const b of this.classes.get(key)?.bases ?? []) {
        const k = this.classKey(b);
        if (k) queue.push(k);
      }
    }
    return false;
  }

  typeOf(state: string): StateType | undefined {
    return this.types.get(state);
  }

  /**
   * Accesses of these kinds, in concurrent code, that hold none of the locks guarding their
   * state. With `compoundOnly`, only locks held over several steps on the state count as
   * guards (what an unlocked single change can break); else any locked in-place change.
   */
  unguarded(kinds: ReadonlySet<AccessKind>, compoundOnly: boolean): UnguardedAccess[] {
    const out: UnguardedAccess[] = [];
    for (const l of this.located) {
      const a = l.access;
      if (!kinds.has(a.kind) || l.opaque || a.saidAtomic) continue;
      if (a.phase !== 'public' && a.phase !== 'helper') continue;
      const guards = this.guardsFor(l, compoundOnly);
      if (!guards.length || this.guardsFor(l, false).some((g) => l.held.has(g.lock))) continue;
      const type = this.types.get(l.state);
      if (type && ATOMIC.has(type)) continue;
      const concurrency = this.concurrency(l);
      if (!concurrency) continue;
      out.push({ path: l.path, index: l.index, access: a, state: l.state, guards, concurrency, type });
    }
    return out;
  }

  /** In-place changes of a piece of state after construction (item stores, `del`, mutating calls), and whether each holds a guard. */
  mutations(state: string): { path: string; access: StateAccess; guarded: boolean }[] {
    const guards = this.guardsOf(state);
    return this.located
      .filter((l) => l.state === state && (l.access.kind === 'item-store' || l.access.kind === 'del' || l.access.kind === 'mutate'))
      .filter((l) => l.access.phase !== 'construction' && l.access.phase !== 'module')
      .map((l) => ({ path: l.path, access: l.access, guarded: guards.some((g) => l.held.has(g.lock)) }));
  }

  /** Why code touching this state may run alongside other code, or null when the analysis cannot show it. */
  private concurrency(l: Located): string | null {
    const a = l.access;
    if (a.onThread) return `\`${a.fn}\` runs on a thread`;
    const owner = this.ownerClassOf(l.state);
    for (const key of [a.cls, owner]) {
      if (!key) continue;
      const why = this.concurrentClass(key);
      if (why) return why;
    }
    // Module state behind a module lock: its functions are meant to be called from threads.
    if (!owner && a.phase === 'public') return `\`${a.fn}\` is a public function over module state that a lock guards`;
    if (!owner && a.phase === 'helper') return `\`${a.fn}\` is called without the lock`;
    return null;
  }

  /** `class X` (or a base of it) creates or takes a lock, or says it is thread-safe. */
  private concurrentClass(key: string, depth = 0): string | null {
    const cls = this.classes.get(key);
    if (!cls || depth > 10) return null;
    if (cls.concurrent) return `\`${shortName(cls.key)}\` ${cls.concurrent}`;
    for (const b of cls.bases) {
      const base = this.classKey(b);
      const why = base && this.concurrentClass(base, depth + 1);
      if (why) return why;
    }
    return null;
  }

  /** One site per lock (and class), the strongest evidence first: declared, then a hold of several steps. */
  private addGuard(state: string, site: GuardSite): void {
    const list = this.guardsByState.get(state);
    if (!list) {
      this.guardsByState.set(state, [site]);
      return;
    }
    const i = list.findIndex((g) => g.lock === site.lock && g.cls === site.cls);
    const rank = (g: GuardSite) => (g.declared ? 2 : g.compound ? 1 : 0);
    if (i < 0) list.push(site);
    else if (rank(site) > rank(list[i])) list[i] = site;
  }

  /** Locks held at an access after the join: known, resolved maybe-locks, and what a helper's callers hold. */
  private heldBy(a: StateAccess): { held: Set<string>; opaque: boolean } {
    const held = new Set<string>();
    let opaque = a.opaque;
    for (const k of a.held) held.add(this.lock(k) ?? k);
    for (const k of [...a.maybeHeld, ...(a.callersHold ?? [])]) {
      const lock = this.lock(k);
      if (lock) held.add(lock);
      else if (!a.held.includes(k)) opaque = true; // something held that may be a lock no file declares
    }
    return { held, opaque };
  }

  /** The canonical key of a lock: a class's lock attribute (on the class that defines it) or a module lock some file declares. */
  private lock(key: string): string | null {
    return remembered(this.lockCache, key, () => this.computeLock(key));
  }

  private computeLock(key: string): string | null {
    const { cls, attr } = this.splitClassKey(key);
    if (cls && attr) {
      const owner = this.ownerOf(cls, attr);
      const c = this.classes.get(owner);
      return c?.locks.includes(attr) ? `${owner}.${attr}` : null;
    }
    const matches = this.moduleLocks.matches(key);
    return matches.length === 1 ? matches[0] : null;
  }

  private isClassLock(key: string): boolean {
    return this.splitClassKey(key).cls !== null;
  }

  /** The canonical key of a piece of state, or null when no analysed file defines it. */
  private state(key: string): string | null {
    return remembered(this.stateCache, key, () => this.computeState(key));
  }

  private computeState(key: string): string | null {
    const { cls, attr } = this.splitClassKey(key);
    if (cls && attr) return `${this.ownerOf(cls, attr)}.${attr}`;
    const matches = this.globals.matches(key);
    return matches.length === 1 ? matches[0] : null;
  }

  private ownerClassOf(state: string): string | null {
    return this.splitClassKey(state).cls;
  }

  /** `pkg.mod.Class.attr` → the class key and the attribute, when the prefix is an analysed class. */
  private splitClassKey(key: string): { cls: string | null; attr: string | null } {
    const dot = key.lastIndexOf('.');
    if (dot < 0) return { cls: null, attr: null };
    const cls = this.classKey(key.slice(0, dot));
    return cls ? { cls, attr: key.slice(dot + 1) } : { cls: null, attr: null };
  }

  /** The analysed class a dotted name denotes (exactly, or through a package prefix when only one matches). */
  private classKey(name: string): string | null {
    return remembered(this.classCache, name, () => {
      if (this.classes.has(name)) return name;
      const matches = name.includes('.') ? this.classNames.matches(name) : [];
      return matches.length === 1 ? matches[0] : null;
    });
  }

  /** The class (this one or a base, nearest first) that assigns the attribute; the class itself when none does. */
  private ownerOf(cls: string, attr: string): string {
    const seen = new Set<string>();
    const queue = [cls];
    while (queue.length) {
      const key = queue.shift()!;
      if (seen.has(key)) continue;
      seen.add(key);
      const c = this.classes.get(key);
      if (!c) continue;
      if (c.attributes.includes(attr)) return key;
      for (const b of c.bases) {
        const base = this.classKey(b);
        if (base) queue.push(base);
      }
    }
    return cls;
  }
}

/** How a lock reads in a message: `self._lock` for a class's lock, the bare name for a module's. */
function lockName(key: string, classLock: boolean): string {
  const last = key.slice(key.lastIndexOf('.') + 1);
  return classLock ? `self.${last}` : last;
}

function shortName(key: string): string {
  return key.slice(key.lastIndexOf('.') + 1);
}

/** The answer for `key`, computed on first ask (answers are never undefined). */
function remembered<T>(cache: Map<string, T>, key: string, compute: () => T): T {
  const known = cache.get(key);
  if (known !== undefined) return known;
  const value = compute();
  cache.set(key, value);
  return value;
}
