import type { Node } from '../engine/tree/index.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import { withItems } from '../engine/model/scopes.js';
import { isParallel, type ThreadEntry } from '../engine/model/threads.js';
import { createRule, type ProposedFix } from '../engine/rule.js';
import { checkStartedElsewhere, collectFacts } from './support/shared-mutation-project.js';
import { CONSTRUCTION, collectMutations, collectWrites, type Mutation, type Write } from './support/shared-state.js';
import { indentDeeper, indentOf, indentUnit, startsLine } from './support/indent.js';
import { calledWithSomeLock, functionName, namedAsLocked, oneLine } from './support/locking.js';

/**
 * `x += 1` is a load, an add and a store: two threads can both load 5 and both store 6.
 * Flags read-modify-writes of shared state in code that runs on several threads, or
 * that other code guards with a lock, when no lock is held.
 */
export default createRule(
  {
    id: 'TL104',
    name: 'unsynchronized-shared-mutation',
    severity: 'error',
    summary: 'A read-modify-write of shared state (`x += 1`, `self.n -= 1`, `d[k] += 1`) on several threads without a lock.',
    why: 'The read, the change and the write are separate steps; another thread can write in between and its update is lost.',
    fix: 'sometimes',
    inTests: true,
  },
  (ctx) => {
    const { model, source } = ctx;
    const mutations = collectMutations(model);
    const facts = collectFacts(ctx, mutations, (m: Mutation) => isCandidate(model, m));
    if (facts) ctx.setFacts(facts);
    // Without threads or locks in the file, no mutation can be shown to race here.
    if (!model.threads.allEntries().some(isParallel) && !model.locks.hasAcquisitions()) return;
    const writes = collectWrites(model, mutations);
    for (const m of mutations) {
      if (!isCandidate(model, m)) continue;
      const reaching = parallelEntriesReaching(model, m.fn!);
      // Code that only runs in worker processes has its own copy of every global.
      if (reaching.length && reaching.every((e) => e.processPool)) continue;
      const entries = reaching.filter((e) => !e.processPool && !ownsFreshSelf(e, m));
      if (reaching.length && !entries.length) continue;
      const why = reason(model, m, entries, mutations, writes);
      if (!why) continue;
      const statement = m.node.parent?.type === 'expression_statement' ? m.node.parent : m.node;
      const fix = lockFix(model, source, statement, m);
      ctx.report({
        node: m.node,
        message:
          `\`${oneLine(m.node.text)}\` reads \`${oneLine(m.target.text, 40)}\`, changes it and writes it back with no lock held, ${why}: ` +
          `two threads can read the same old value and one update is lost. Hold a lock around it${fix ? ` (\`with ${fix.lock}:\`)` : ''}.`,
        fix: fix?.fix,
      });
    }
  },
  (ctx) => checkStartedElsewhere(ctx),
);

/** An unguarded read-modify-write outside construction, with no lock that may be held. */
function isCandidate(model: SemanticModel, m: Mutation): boolean {
  if (m.guarded || !m.fn || CONSTRUCTION.has(functionName(m.fn))) return false;
  return !(model.locks.mayBeLockedAt(m.node) || calledWithSomeLock(model, m.node) || namedAsLocked(model, m.node));
}

/** Threads, pool tasks, done-callbacks and request handlers from which `fn` is reached. */
function parallelEntriesReaching(model: SemanticModel, fn: Node): ThreadEntry[] {
  return model.threads.entriesReaching(fn, 'all').filter(isParallel);
}

/**
 * `self.` state of an entry that runs on its own instance each time (a request handler,
 * an instance made per thread): the runs share nothing through `self`.
 */
function ownsFreshSelf(e: ThreadEntry, m: Mutation): boolean {
  return !!e.freshSelf && m.key.startsWith('c:');
}

/** Why the mutation can race, or null when the analysis cannot show that it does. */
function reason(model: SemanticModel, m: Mutation, entries: ThreadEntry[], all: Mutation[], writes: Write[]): string | null {
  const name = functionName(m.fn!);
  const many = entries.find((e) => e.many);
  if (many) return `and \`${name}\` runs on several threads at once (${severalHow(many)})`;
  if (entries.length) {
    const other = writes.find((w) => w.key === m.key && w.node.id !== m.node.id && concurrentWith(model, w, m, entries));
    if (other) {
      const who = other.fn ? `\`${functionName(other.fn)}\` changes it too` : 'the module changes it too';
      return `and \`${name}\` ${onceHow(entries[0])} while ${who} (line ${other.node.startPosition.row + 1})`;
    }
  }
  // Inconsistent locking is judged for attributes and module globals, whose users all
  // coexist; closure variables of alternative nested functions may never meet.
  const guarded = m.key.startsWith('l:') ? undefined : all.find((o) => o.key === m.key && o.guarded);
  if (guarded) {
    const where = guarded.fn ? `\`${functionName(guarded.fn)}\` changes it under a lock` : 'it is changed under a lock';
    return `although ${where} (line ${guarded.node.startPosition.row + 1}), so other threads use it too`;
  }
  return null;
}

function severalHow(e: ThreadEntry): string {
  const line = (e.forwardedBy ?? e.via).startPosition.row + 1;
  if (e.how === 'executor') return `submitted to an executor at line ${line}`;
  if (e.how === 'request-handler') return `a request handler of the threading server at line ${line}: one thread per request`;
  if (e.how === 'done-callback') return `added as a done-callback in a loop or more than once, line ${line}`;
  return `started as a thread target in a loop or more than once, line ${line}`;
}

function onceHow(e: ThreadEntry): string {
  const line = (e.forwardedBy ?? e.via).startPosition.row + 1;
  if (e.how === 'done-callback') return `runs as a future's done-callback on the worker thread (line ${line})`;
  return `runs on a thread (line ${line})`;
}

/**
 * Whether a write may run while the thread entries run `m`: it is not in construction,
 * not reached only from those same entries, and — in the code that starts the thread —
 * neither before the start nor after a join of the thread (or the end of the pool's `with`).
 */
function concurrentWith(model: SemanticModel, w: Write, m: Mutation, entries: ThreadEntry[]): boolean {
  if (w.fn && w.fn.id === m.fn!.id) return false;
  // Construction runs before the object is shared, unless it starts the thread itself.
  if (w.fn && CONSTRUCTION.has(functionName(w.fn)) && !entries.some((e) => startOf(e) && model.enclosingFunction(startOf(e)!)?.id === w.fn!.id)) return false;
  if (w.fn && sameEntries(model, w.fn, entries)) return false;
  return entries.some((e) => !orderedWith(model, w, e));
}

/**
 * A write that cannot overlap the entry: module-level code (import time) unless the
 * thread is started at module level before it; in the function that starts the thread,
 * a write before the start or after waiting for the thread.
 */
function orderedWith(model: SemanticModel, w: Write, e: ThreadEntry): boolean {
  const start = startOf(e);
  const starter = start ? model.enclosingFunction(start) : undefined;
  if (w.fn === null) {
    if (!start || starter !== null) return true;
  } else if (!start || starter?.id !== w.fn.id) {
    return false;
  }
  if (w.node.startIndex < start.startIndex) return true;
  return waitedBetween(model, start, w.node);
}

/** The call that starts the entry's thread (null for a Thread subclass's `run`: started elsewhere). */
function startOf(e: ThreadEntry): Node | null {
  return e.via.type === 'class_definition' ? null : (e.forwardedBy ?? e.via);
}

/** A `join()` of a thread, or the end of an executor's `with` block, after `start` and before `at`, on every path to `at`. */
function waitedBetween(model: SemanticModel, start: Node, at: Node): boolean {
  for (let n: Node | null = start.parent; n && n.type !== 'function_definition' && n.type !== 'module'; n = n.parent) {
    if (n.type === 'with_statement' && n.endIndex <= at.startIndex && withItems(n).some((i) => model.kindOf(withValue(i)) === 'Executor')) return true;
  }
  const fn = model.enclosingFunction(start);
  const calls = fn ? model.threads.callsIn(fn) : model.calls.filter((c) => !model.enclosingFunction(c));
  return calls.some((c) => {
    if (c.startIndex < start.endIndex || c.startIndex > at.startIndex) return false;
    const mc = model.methodCall(c);
    if (!mc || (mc.method !== 'join' && mc.method !== 'shutdown')) return false;
    const kind = model.kindOf(mc.receiver);
    if (mc.method === 'join' ? kind !== 'Thread' : kind !== 'Executor') return false;
    // The wait must be on the way to the write: its block encloses the write.
    const block = model.statementOf(c).parent;
    return !!block && block.contains(at);
  });
}

function withValue(item: Node): Node {
  const value = item.childForFieldName('value')!;
  return value.type === 'as_pattern' ? (value.namedChildren[0] ?? value) : value;
}

/** Whether \`fn\` is reached only from exactly these single-thread entries. */
function sameEntries(model: SemanticModel, fn: Node, entries: ThreadEntry[]): boolean {
  const theirs = parallelEntriesReaching(model, fn);
  return theirs.length > 0 && theirs.every((e) => entries.some((x) => x.fn.id === e.fn.id));
}

/** `with <lock>:` around the statement, when exactly one lock is in sight. */
function lockFix(model: SemanticModel, source: string, stmt: Node, m: Mutation): { lock: string; fix?: ProposedFix } | null {
  const lock = visibleLock(model, m);
  if (!lock) return null;
  if (!startsLine(source, stmt) || stmt.parent?.type !== 'block') return { lock };
  // Code after the statement on the same line (`x += 1; y = 2`) would end up outside the lock.
  const rest = source.slice(stmt.endIndex, source.indexOf('\n', stmt.endIndex) === -1 ? source.length : source.indexOf('\n', stmt.endIndex));
  if (rest.trim() && !rest.trim().startsWith('#')) return { lock };
  const indent = indentOf(source, stmt);
  const unit = indentUnit(model, model.lines, stmt);
  const body = indentDeeper(source, stmt, unit);
  if (body === null) return { lock };
  return {
    lock,
    fix: {
      description: `Hold \`${lock}\` around the update`,
      edits: [
        {
          startLine: stmt.startPosition.row + 1,
          startColumn: stmt.startPosition.column + 1,
          endLine: stmt.endPosition.row + 1,
          endColumn: stmt.endPosition.column + 1,
          text: `with ${lock}:\n${indent}${unit}${body}`,
        },
      ],
    },
  };
}

/**
 * The one lock visible at the mutation: for `self.…` state the class's one Lock/RLock
 * attribute, otherwise the module's one Lock/RLock global. Null when there are none or
 * several (the fix would have to guess which one guards this state).
 */
function visibleLock(model: SemanticModel, m: Mutation): string | null {
  const t = unwrap(m.target);
  const holder = t.type === 'subscript' ? t.childForFieldName('value') : t;
  const binding = holder ? model.bindingOf(holder) : null;
  if (binding?.cls) {
    const self = selfName(m.target);
    const cls = binding.cls;
    const names = new Set<string>();
    for (const attr of new Set([...cls.attributes.keys(), ...cls.scope.bindings.keys()])) {
      const type = model.bindingType({ key: `c:${cls.name}.${attr}`, scope: null, cls, name: attr, sites: cls.attributes.get(attr) ?? [] });
      if (type && !type.collection && (type.kind === 'Lock' || type.kind === 'RLock')) names.add(attr);
    }
    return names.size === 1 && self ? `${self}.${[...names][0]}` : null;
  }
  if (m.key.startsWith('g:') || m.key.startsWith('l:')) {
    const names: string[] = [];
    for (const [name] of model.index.module.bindings) {
      const b = model.resolveName(name, m.node);
      if (!b?.key.startsWith('g:')) continue;
      const type = model.bindingType(b);
      if (type && !type.collection && (type.kind === 'Lock' || type.kind === 'RLock')) names.push(name);
    }
    return names.length === 1 ? names[0] : null;
  }
  return null;
}

function selfName(target: Node): string | null {
  let t: Node | null = unwrap(target);
  while (t && (t.type === 'attribute' || t.type === 'subscript')) t = t.type === 'attribute' ? t.childForFieldName('object') : t.childForFieldName('value');
  return t?.type === 'identifier' ? t.text : null;
}
