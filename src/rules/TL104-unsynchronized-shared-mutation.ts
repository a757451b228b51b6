import type { Node } from '../engine/tree/index.js';
import { unwrap, type Binding, type SemanticModel } from '../engine/model/model.js';
import type { ThreadEntry } from '../engine/model/threads.js';
import { createRule, type ProposedFix } from '../engine/rule.js';
import { indentDeeper, indentOf, indentUnit, startsLine } from './support/indent.js';
import { calledWithSomeLock, functionName, namedAsLocked, oneLine } from './support/locking.js';

interface Mutation {
  /** The augmented assignment or `x = x + …` assignment. */
  node: Node;
  target: Node;
  /** Identity of the shared state, comparable between mutations of one file. */
  key: string;
  fn: Node | null;
  /** A known lock is held here: evidence that the state is shared. */
  guarded: boolean;
}

/** Methods that run before the object is shared with other threads. */
const CONSTRUCTION = new Set(['__init__', '__new__', '__post_init__', 'setUp', 'setUpClass', '__init_subclass__']);

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
  },
  (ctx) => {
    const { model, source } = ctx;
    // Without threads or locks in the file, no mutation can be shown to race.
    if (!model.threads.entries().length && !model.locks.hasAcquisitions()) return;
    const mutations = collectMutations(model);
    for (const m of mutations) {
      if (m.guarded || !m.fn || CONSTRUCTION.has(functionName(m.fn))) continue;
      if (model.locks.mayBeLockedAt(m.node) || calledWithSomeLock(model, m.node) || namedAsLocked(model, m.node)) continue;
      const reaching = model.threads.entriesReaching(m.fn);
      // Code that only runs in worker processes has its own copy of every global.
      if (reaching.length && reaching.every((e) => e.processPool)) continue;
      const entries = reaching.filter((e) => !e.processPool);
      const why = reason(model, m, entries, mutations);
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
);

/** Every read-modify-write of a shared target in the file, guarded or not. */
function collectMutations(model: SemanticModel): Mutation[] {
  const out: Mutation[] = [];
  const consider = (node: Node, target: Node) => {
    const key = sharedKey(model, target, node);
    if (!key) return;
    out.push({ node, target, key, fn: model.enclosingFunction(node), guarded: model.locks.heldAt(node).length > 0 });
  };
  for (const node of model.nodes('augmented_assignment')) {
    const left = node.childForFieldName('left');
    if (left) consider(node, left);
  }
  for (const node of model.nodes('assignment')) {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || right?.type !== 'binary_operator') continue;
    const operand = right.childForFieldName('left');
    if (operand && squash(unwrap(operand).text) === squash(left.text)) consider(node, left);
  }
  return out;
}

/**
 * Identity of state other threads can see: a global written through `global`, a
 * closure variable written through `nonlocal`, `self.x`, an attribute of a module-level
 * object or of an enclosing function's variable, or an item of any of those.
 */
function sharedKey(model: SemanticModel, target: Node, at: Node): string | null {
  const t = unwrap(target);
  if (t.type === 'identifier') {
    const scope = model.scopeOf(at);
    if (!scope.globals.has(t.text) && !scope.nonlocals.has(t.text)) return null;
    return model.resolveName(t.text, at)?.key ?? null;
  }
  if (t.type === 'attribute') {
    const binding = model.bindingOf(t);
    if (binding?.cls) return binding.key;
    const object = t.childForFieldName('object');
    const owner = object?.type === 'identifier' ? model.resolveName(object.text, object) : null;
    if (owner && isSharedObject(model, owner, at)) return `${owner.key}.${t.childForFieldName('attribute')?.text}`;
    return null;
  }
  if (t.type === 'subscript') {
    const value = t.childForFieldName('value');
    if (!value) return null;
    const v = unwrap(value);
    if (v.type === 'identifier') {
      const owner = model.resolveName(v.text, v);
      return owner && isSharedObject(model, owner, at) ? `${owner.key}[]` : null;
    }
    const binding = model.bindingOf(v);
    return binding?.cls ? `${binding.key}[]` : null;
  }
  return null;
}

/**
 * A name bound to a value (not a module, class or function) that every call of the
 * mutating function sees: a module global, or a variable of an enclosing function
 * (a closure cell shared by every thread that runs the inner function).
 */
function isSharedObject(model: SemanticModel, binding: Binding, at: Node): boolean {
  if (binding.sites.length === 0 || !binding.sites.every((s) => s.type === 'assign')) return false;
  if (binding.key.startsWith('g:')) return true;
  const own = model.enclosingFunction(at);
  return binding.scope?.kind === 'function' && !!own && binding.scope.node.id !== own.id;
}

/** Why the mutation can race, or null when the analysis cannot show that it does. */
function reason(model: SemanticModel, m: Mutation, entries: ThreadEntry[], all: Mutation[]): string | null {
  const name = functionName(m.fn!);
  const many = entries.find((e) => e.many);
  if (many) {
    const line = many.via.startPosition.row + 1;
    const how = many.how === 'executor' ? `submitted to an executor at line ${line}` : `started as a thread target in a loop or more than once, line ${line}`;
    return `and \`${name}\` runs on several threads at once (${how})`;
  }
  if (entries.length) {
    const other = all.find(
      (o) => o.key === m.key && o.fn && o.fn.id !== m.fn!.id && !CONSTRUCTION.has(functionName(o.fn)) && !sameEntries(model, o.fn, entries),
    );
    if (other) {
      return `and \`${name}\` runs on a thread (line ${entries[0].via.startPosition.row + 1}) while \`${functionName(other.fn!)}\` changes it too (line ${other.node.startPosition.row + 1})`;
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

/** Whether `fn` is reached only from exactly these single-thread entries. */
function sameEntries(model: SemanticModel, fn: Node, entries: ThreadEntry[]): boolean {
  const theirs = model.threads.entriesReaching(fn);
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

function squash(text: string): string {
  return text.replace(/\s+/g, '');
}
