import type { Node } from 'web-tree-sitter';
import { unwrap, type Binding, type SemanticModel } from '../engine/model/model.js';
import type { ThreadEntry } from '../engine/model/threads.js';
import { createRule, type ProposedFix } from '../engine/rule.js';
import { indentDeeper, indentOf, indentUnit, startsLine } from './support/indent.js';
import { calledUnderLock, namedAsLocked } from './support/locking.js';

interface Mutation {
  node: Node;
  target: Node;
  key: string;
  fn: Node | null;
  guarded: boolean;
}

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
    const mutations = collectMutations(model);
    const guardedKeys = new Set(mutations.filter((m) => m.guarded).map((m) => m.key));
    for (const m of mutations) {
      if (m.guarded || !m.fn || CONSTRUCTION.has(functionName(m.fn))) continue;
      if (calledUnderLock(model, m.node, (held) => held.length > 0) || namedAsLocked(model, m.node)) continue;
      const entries = model.threads.entriesReaching(m.fn).filter((e) => !e.processPool);
      const why = reason(model, m, entries, mutations, guardedKeys);
      if (!why) continue;
      const statement = m.node.parent?.type === 'expression_statement' ? m.node.parent : m.node;
      ctx.report({
        node: m.node,
        message: `\`${oneLine(m.node.text)}\` reads \`${m.target.text}\`, changes it and writes it back without a lock, ${why}: two threads can both read 5 and both write 6, and one update is lost. Hold a lock around it.`,
        fix: lockFix(model, source, statement, m),
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
    if (operand && unwrap(operand).text === left.text) consider(node, left);
  }
  return out;
}

/**
 * Identity of state other threads can see: a global written through `global`, a
 * closure variable written through `nonlocal`, `self.x`, a module object's attribute,
 * or an item of any of those.
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
    if (owner && isSharedObject(owner)) return `${owner.key}.${t.childForFieldName('attribute')?.text}`;
    return null;
  }
  if (t.type === 'subscript') {
    const value = t.childForFieldName('value');
    if (!value) return null;
    const v = unwrap(value);
    if (v.type === 'identifier') {
      const owner = model.resolveName(v.text, v);
      return owner && isSharedObject(owner) ? `${owner.key}[]` : null;
    }
    const binding = model.bindingOf(v);
    return binding?.cls ? `${binding.key}[]` : null;
  }
  return null;
}

/** A module-level name bound to a value (not a module, class or function). */
function isSharedObject(binding: Binding): boolean {
  return binding.key.startsWith('g:') && binding.sites.length > 0 && binding.sites.every((s) => s.type === 'assign');
}

/** Why the mutation can race, or null when the analysis cannot show it does. */
function reason(model: SemanticModel, m: Mutation, entries: ThreadEntry[], all: Mutation[], guardedKeys: Set<string>): string | null {
  const name = functionName(m.fn!);
  const many = entries.find((e) => e.many);
  if (many) {
    const how = many.how === 'executor' ? 'submitted to an executor' : 'started as a thread target more than once or in a loop';
    return `and \`${name}\` runs on several threads at once (${how} at line ${many.via.startPosition.row + 1})`;
  }
  if (entries.length) {
    const other = all.find((o) => o.key === m.key && o.fn && o.fn.id !== m.fn!.id && !CONSTRUCTION.has(functionName(o.fn)) && !sameEntries(model, o.fn, entries));
    if (other) {
      return `and \`${name}\` runs on a thread (line ${entries[0].via.startPosition.row + 1}) while \`${functionName(other.fn!)}\` changes it too (line ${other.node.startPosition.row + 1})`;
    }
  }
  if (guardedKeys.has(m.key)) {
    const guarded = all.find((o) => o.key === m.key && o.guarded)!;
    return `although line ${guarded.node.startPosition.row + 1} changes it under a lock, so other threads do too`;
  }
  return null;
}

/** Whether `fn` is reached only from exactly these single-thread entries. */
function sameEntries(model: SemanticModel, fn: Node, entries: ThreadEntry[]): boolean {
  const theirs = model.threads.entriesReaching(fn);
  return theirs.length > 0 && theirs.every((e) => entries.some((x) => x.fn.id === e.fn.id));
}

/** `with <lock>:` around the statement, when exactly one lock is in sight. */
function lockFix(model: SemanticModel, source: string, stmt: Node, m: Mutation): ProposedFix | undefined {
  const lock = visibleLock(model, m);
  if (!lock || !startsLine(source, stmt) || stmt.parent?.type !== 'block') return undefined;
  const indent = indentOf(source, stmt);
  const unit = indentUnit(source, stmt);
  const body = indentDeeper(source, stmt, unit);
  if (body === null) return undefined;
  return {
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
  };
}

/** The one module-level lock, or the class's one lock attribute, visible at the mutation. */
function visibleLock(model: SemanticModel, m: Mutation): string | null {
  const binding = model.bindingOf(unwrap(m.target).type === 'subscript' ? m.target.childForFieldName('value')! : m.target);
  if (binding?.cls) {
    const self = selfName(m.target);
    const names: string[] = [];
    for (const [attr, sites] of binding.cls.attributes) {
      const type = model.bindingType({ key: `c:${binding.cls.name}.${attr}`, scope: null, cls: binding.cls, name: attr, sites });
      if (type && !type.collection && (type.kind === 'Lock' || type.kind === 'RLock')) names.push(attr);
    }
    return names.length === 1 && self ? `${self}.${names[0]}` : null;
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

function functionName(fn: Node): string {
  return fn.type === 'function_definition' ? (fn.childForFieldName('name')?.text ?? '<function>') : '<lambda>';
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}
