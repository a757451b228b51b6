import type { Node } from '../../engine/tree/index.js';
import type { SemanticModel } from '../../engine/model/model.js';
import type { ClassInfo } from '../../engine/model/scopes.js';
import { LOCK_LIKE } from '../../engine/model/kinds.js';
import { functionName } from './locking.js';

/**
 * Evidence that code runs on several threads at once, as TL108 needs it: two threads
 * must both run the test before either acts.
 */
export interface Concurrency {
  /** A clause for the message: "`fetch` is submitted to an executor at line 12". */
  text: string;
  /** For a class: said thread-safe in its own words (else: it only has a lock of its own). */
  declared?: boolean;
}

/**
 * The function is shown to run on two threads at once by the thread entries of the file:
 * one started in a loop, twice, or by a pool; or started once while other code (the main
 * thread) calls it too; or reached from two different entries.
 */
export function shownConcurrent(model: SemanticModel, fn: Node): Concurrency | null {
  const entries = model.threads.entriesReaching(fn).filter((e) => !e.processPool);
  if (entries.length === 0) return null;
  const name = functionName(fn);
  const many = entries.find((e) => e.many);
  if (many) {
    const line = many.via.startPosition.row + 1;
    return {
      text:
        many.how === 'executor'
          ? `\`${name}\` runs on several threads at once (submitted to an executor at line ${line})`
          : `\`${name}\` runs on several threads at once (started as a thread target in a loop or more than once, line ${line})`,
    };
  }
  const distinct = new Set(entries.map((e) => e.fn.id));
  if (distinct.size > 1) {
    return { text: `\`${name}\` runs on two threads (started at lines ${entries[0].via.startPosition.row + 1} and ${entries[1].via.startPosition.row + 1})` };
  }
  // One entry: concurrent with the starter only if code outside that thread calls it too.
  const threadCode = new Set(model.threads.reachableFrom(entries[0].fn).map((f) => f.id));
  const outside = model.threads.callSites(fn).find((site) => {
    const owner = model.enclosingFunction(site);
    return owner && !threadCode.has(owner.id) && !/^(?:__init__|__new__|__post_init__)$/.test(functionName(owner));
  });
  if (outside) {
    return {
      text: `\`${name}\` runs on a thread (line ${entries[0].via.startPosition.row + 1}) and is also called by \`${functionName(model.enclosingFunction(outside)!)}\` (line ${outside.startPosition.row + 1})`,
    };
  }
  return null;
}

/** Says the class is safe to share (and does not say it is not). */
const DECLARED_SAFE = /(?<!\bnot\s|\bnon-|\bisn't\s|\bn't\sbe\s|\bun)\bthread[-\s]?safe\b|\bguarded[-\s]by\b/i;
const DENIED_SAFE = /\bnot\W+(?:\w+\W+)?thread[-\s]?safe|\bnon-thread[-\s]?safe|\bthread[-\s]?unsafe/i;

/**
 * What the class says of itself: its docstring, and `# guarded by …` comments in its
 * body (a method's docstring speaks of that method, not of the class).
 */
function declarations(cls: ClassInfo): string {
  const body = cls.node.childForFieldName('body');
  const first = body?.namedChildren.find((n) => n && n.type !== 'comment');
  const doc = first?.type === 'expression_statement' && first.namedChildren[0]?.type === 'string' ? first.text : '';
  const guarded = (cls.node.text.match(/#[^\n]*\bguarded[-\s]by\b[^\n]*/gi) ?? []).join('\n');
  return `${doc}\n${guarded}`;
}

const cache = new WeakMap<SemanticModel, Map<number, Concurrency | null>>();

/**
 * A concurrent class (RacerD's rule): one that takes or creates a lock in any method, or
 * whose docstring or comments say it is thread-safe. Its methods are taken to run
 * concurrently with each other.
 */
export function classConcurrency(model: SemanticModel, cls: ClassInfo): Concurrency | null {
  let known = cache.get(model);
  if (!known) cache.set(model, (known = new Map()));
  if (known.has(cls.node.id)) return known.get(cls.node.id)!;
  const found = findClassConcurrency(model, cls);
  known.set(cls.node.id, found);
  return found;
}

function findClassConcurrency(model: SemanticModel, cls: ClassInfo): Concurrency | null {
  const text = declarations(cls);
  if (DECLARED_SAFE.test(text) && !DENIED_SAFE.test(text)) {
    return { text: `\`${cls.name}\` says it is thread-safe, so its methods are taken to run on several threads at once`, declared: true };
  }
  const own = ownLocks(model, cls);
  if (own.size === 0) return null;
  const [name, line] = [...own][0];
  return { text: `\`${cls.name}\` creates its own lock \`${name}\` (line ${line}), so its methods are taken to run on several threads at once`, declared: false };
}

/**
 * The locks a class makes for itself: `self._lock = threading.Lock()` in a method, or
 * `_lock = threading.RLock()` in the class body. A lock handed in (a parameter) or a
 * module lock guards something else and says nothing about this object being shared.
 */
export function ownLocks(model: SemanticModel, cls: ClassInfo): Map<string, number> {
  const out = new Map<string, number>();
  const names = new Set([...cls.attributes.keys(), ...cls.scope.bindings.keys()]);
  for (const attr of names) {
    const sites = [...(cls.attributes.get(attr) ?? []), ...(cls.scope.bindings.get(attr) ?? [])];
    const made = sites.find((s) => s.type === 'assign' && s.value && s.value.type === 'call' && LOCK_LIKE.has(model.kindOf(s.value) ?? 'Event'));
    if (made && 'target' in made) out.set(attr, made.target.startPosition.row + 1);
  }
  return out;
}

/**
 * For a class whose only sign of concurrency is a lock of its own: the lock taken on the
 * same operation as the check-then-act — by the function itself, or by a same-class caller
 * of it (two levels up), or by another helper such a caller calls. A lock beside the
 * state shows that this operation is expected to run on several threads.
 */
export function lockOnSameOperation(model: SemanticModel, cls: ClassInfo, fn: Node, test: Node): string | null {
  const own = ownLocks(model, cls);
  if (own.size === 0) return null;
  const ownKey = (key: string) => [...own.keys()].some((name) => key === `c:${cls.name}.${name}` || key.endsWith(`.${name}`));
  const takes = (f: Node) => model.locks.acquisitionsIn(f).find((a) => ownKey(a.key) && !withBody(a.at)?.contains(test));
  const inClass = (f: Node | null) => !!f && model.classOf(f)?.node.id === cls.node.id;
  const mine = takes(fn);
  if (mine) return `\`${functionName(fn)}\` itself takes \`${mine.expr.text}\` (line ${mine.at.startPosition.row + 1}) for the rest of the operation`;
  let frontier: Node[] = [fn];
  const seen = new Set<number>([fn.id]);
  for (let level = 0; level < 2 && frontier.length; level++) {
    const next: Node[] = [];
    for (const f of frontier) {
      for (const site of model.threads.callSites(f)) {
        const caller = model.enclosingFunction(site);
        if (!caller || !inClass(caller) || seen.has(caller.id)) continue;
        seen.add(caller.id);
        next.push(caller);
        const held = takes(caller);
        if (held) return `its caller \`${functionName(caller)}\` takes \`${held.expr.text}\` (line ${held.at.startPosition.row + 1}) on the same operation`;
        for (const callee of model.threads.callGraph().get(caller.id) ?? []) {
          if (callee.id === f.id || !inClass(callee)) continue;
          const sibling = takes(callee);
          if (sibling) return `its caller \`${functionName(caller)}\` also calls \`${functionName(callee)}\`, which takes \`${sibling.expr.text}\` (line ${sibling.at.startPosition.row + 1}): the operation is meant to run on several threads`;
        }
      }
    }
    frontier = next;
  }
  return null;
}

/** The body a `with` item or an acquire guards, when it is a `with`. */
function withBody(at: Node): Node | null {
  for (let p = at.parent; p; p = p.parent) if (p.type === 'with_statement') return p;
  return null;
}
