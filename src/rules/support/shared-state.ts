import type { Node } from '../../engine/tree/index.js';
import { unwrap, type Binding, type SemanticModel } from '../../engine/model/model.js';

/**
 * Shared state a file changes: read-modify-writes (`x += 1`, `self.n = self.n + 1`,
 * `d[k] += 1`) and plain writes, each keyed by the state it changes so that accesses in
 * different functions of one file can be compared.
 */

/** Methods that run before the object is shared with other threads. */
export const CONSTRUCTION = new Set(['__init__', '__new__', '__post_init__', 'setUp', 'setUpClass', '__init_subclass__']);

export interface Mutation {
  /** The augmented assignment or `x = x + …` assignment. */
  node: Node;
  target: Node;
  /** Identity of the shared state, comparable between mutations of one file. */
  key: string;
  fn: Node | null;
  /** A known lock is held here: evidence that the state is shared. */
  guarded: boolean;
}

/** Every read-modify-write of a shared target in the file, guarded or not. */
export function collectMutations(model: SemanticModel): Mutation[] {
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
export function sharedKey(model: SemanticModel, target: Node, at: Node): string | null {
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

/** A plain store to shared state (`self.n = 0`, `global n; n = 0`, `del self.n`), or a read-modify-write. */
export interface Write {
  node: Node;
  key: string;
  fn: Node | null;
}

/**
 * Every write of shared state in the file: the read-modify-writes, plain stores to
 * attributes and globals (also at module level), and `del`. Item stores (`d[k] = v`) are
 * left out: they do not undo an update of another item.
 */
export function collectWrites(model: SemanticModel, mutations: readonly Mutation[]): Write[] {
  const out: Write[] = mutations.map((m) => ({ node: m.node, key: m.key, fn: m.fn }));
  const store = (node: Node, target: Node) => {
    const t = unwrap(target);
    if (t.type === 'subscript') return;
    const key = t.type === 'identifier' && model.scopeOf(node).kind === 'module' ? (model.resolveName(t.text, node)?.key ?? null) : sharedKey(model, t, node);
    if (key) out.push({ node, key, fn: model.enclosingFunction(node) });
  };
  for (const node of model.nodes('assignment')) {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || right?.type === 'binary_operator' || node.parent?.type === 'assignment') continue;
    store(node, left);
  }
  for (const node of model.nodes('delete_statement')) for (const target of node.namedChildren) if (target) store(node, target);
  return out;
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

function squash(text: string): string {
  return text.replace(/\s+/g, '');
}
