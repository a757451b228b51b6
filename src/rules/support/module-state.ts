import type { Node } from '../../engine/tree/index.js';
import { unwrap, type SemanticModel } from '../../engine/model/model.js';

/**
 * Module-level mutable containers (dicts, lists, sets and their `collections` cousins)
 * and every use of them inside functions: what TL601 and TL605 ask about module state.
 * A container is a module global bound only to fresh containers (`_cache = {}`, and
 * `global _cache; _cache = {}` to reset it); `threading.local()`, context variables and
 * anything the analysis cannot show to be a container are not.
 */

export type ContainerKind = 'dict' | 'list' | 'set';

export interface ModuleContainer {
  name: string;
  /** The model's binding key (`g:name`). */
  key: string;
  kind: ContainerKind;
  /** The first module-level assignment. */
  definedAt: Node;
}

export type UseKind =
  /** `X[k] = v` */
  | 'store'
  /** `X[k] += v`, `X[k] = X.get(k, 0) + 1`: read, change, write back. */
  | 'update'
  /** `del X[k]`, `X.pop(…)`, `X.remove(…)`, `X.clear()`, … */
  | 'remove'
  /** `X.append(…)`, `X.add(…)`, `X.update(…)`, `X.setdefault(…)`, `X.insert(…)`, `X += …` */
  | 'add'
  /** `X.sort()`, `X.reverse()`, `X.move_to_end(…)`: reorders in place. */
  | 'reorder'
  /** `for … in X`, `X.items()` … in a loop or comprehension. */
  | 'iterate'
  /** `k in X`, `X.get(k)`, `len(X)`, `if X:`: a test whose answer the next step relies on. */
  | 'test'
  | 'read';

export interface ContainerUse {
  container: ModuleContainer;
  kind: UseKind;
  /** The reference to the container (the identifier). */
  ref: Node;
  /** The whole access: the call, the subscript, the loop. */
  node: Node;
  /** The statement holding the access. */
  statement: Node;
  /** The def or lambda around it (null: import time). */
  fn: Node | null;
}

const ADD_METHODS = new Set(['append', 'extend', 'insert', 'add', 'update', 'setdefault', 'appendleft', 'extendleft', '__setitem__']);
const REMOVE_METHODS = new Set(['pop', 'popitem', 'remove', 'clear', 'discard', 'popleft', 'difference_update', 'intersection_update', '__delitem__']);
const REORDER_METHODS = new Set(['sort', 'reverse', 'move_to_end', 'rotate']);
const ITERATING_METHODS = new Set(['items', 'keys', 'values']);
const TEST_METHODS = new Set(['get', '__contains__', 'count', 'index']);

/** Calls whose result is a fresh container of that kind. */
const CONTAINER_CALLS: ReadonlyMap<string, ContainerKind> = new Map([
  ['dict', 'dict'],
  ['list', 'list'],
  ['set', 'set'],
  ['collections.defaultdict', 'dict'],
  ['collections.OrderedDict', 'dict'],
  ['collections.Counter', 'dict'],
  ['typing.OrderedDict', 'dict'],
  ['typing.DefaultDict', 'dict'],
]);

const LITERALS: Record<string, ContainerKind> = {
  dictionary: 'dict',
  dictionary_comprehension: 'dict',
  list: 'list',
  list_comprehension: 'list',
  set: 'set',
  set_comprehension: 'set',
};

interface State {
  containers: ModuleContainer[];
  uses: ContainerUse[];
}

const cache = new WeakMap<SemanticModel, State>();

/** The module's containers and their uses in functions, found once per model. */
export function moduleState(model: SemanticModel): State {
  let state = cache.get(model);
  if (!state) {
    state = findState(model);
    cache.set(model, state);
  }
  return state;
}

/** What a value expression builds, if it is a fresh container. */
export function containerKindOf(model: SemanticModel, value: Node): ContainerKind | null {
  const v = unwrap(value);
  const literal = LITERALS[v.type];
  if (literal) return literal;
  if (v.type !== 'call') return null;
  const fn = v.childForFieldName('function');
  if (!fn) return null;
  if (fn.type === 'identifier' && ['dict', 'list', 'set'].includes(fn.text) && !model.resolveName(fn.text, fn)) return fn.text as ContainerKind;
  const qname = model.qualifiedName(fn);
  return qname ? (CONTAINER_CALLS.get(qname) ?? null) : null;
}

function findState(model: SemanticModel): State {
  const containers = new Map<string, ModuleContainer>();
  for (const [name, sites] of model.index.module.bindings) {
    if (name.startsWith('__') || sites.length === 0) continue;
    let kind: ContainerKind | null = null;
    let first: Node | null = null;
    for (const site of sites) {
      const k = site.type === 'assign' && site.value ? containerKindOf(model, site.value) : null;
      if (!k || (kind && k !== kind)) {
        kind = null;
        break;
      }
      kind = k;
      if (!first && site.type === 'assign' && !model.enclosingFunction(site.target)) first = site.target;
    }
    if (kind && first) containers.set(name, { name, key: `g:${name}`, kind, definedAt: first });
  }
  const uses: ContainerUse[] = [];
  if (containers.size > 0) {
    for (const id of model.root.descendantsOfType('identifier')) {
      const container = containers.get(id.text);
      if (!container) continue;
      const fn = model.enclosingFunction(id);
      if (!fn) continue;
      if (model.resolveName(id.text, id)?.key !== container.key) continue;
      const use = classify(model, container, id, fn);
      if (use) uses.push(use);
    }
  }
  return { containers: [...containers.values()], uses };
}

/** What one reference inside a function does to the container. */
function classify(model: SemanticModel, container: ModuleContainer, ref: Node, fn: Node): ContainerUse | null {
  const make = (kind: UseKind, node: Node): ContainerUse => ({ container, kind, ref, node, statement: model.statementOf(node), fn });
  let e: Node = ref;
  while (e.parent?.type === 'parenthesized_expression') e = e.parent;
  const parent = e.parent;
  if (!parent) return null;
  if (parent.type === 'attribute' && parent.childForFieldName('object')?.id === e.id) {
    const method = parent.childForFieldName('attribute')?.text ?? '';
    const call = parent.parent?.type === 'call' && parent.parent.childForFieldName('function')?.id === parent.id ? parent.parent : null;
    if (!call) return make('read', parent);
    if (ADD_METHODS.has(method)) return make('add', call);
    if (REMOVE_METHODS.has(method)) return make('remove', call);
    if (REORDER_METHODS.has(method)) return make('reorder', call);
    if (ITERATING_METHODS.has(method)) return isIterated(call) ? make('iterate', call) : make('read', call);
    if (TEST_METHODS.has(method)) return inCondition(call) ? make('test', call) : make('read', call);
    return make('read', call);
  }
  if (parent.type === 'subscript' && parent.childForFieldName('value')?.id === e.id) {
    const holder = parent.parent;
    if (holder?.type === 'assignment' && holder.childForFieldName('left')?.id === parent.id) {
      return isReadModifyWrite(model, container, holder) ? make('update', holder) : make('store', holder);
    }
    if (holder?.type === 'augmented_assignment' && holder.childForFieldName('left')?.id === parent.id) return make('update', holder);
    if (holder?.type === 'delete_statement' || (holder?.type === 'expression_list' && holder.parent?.type === 'delete_statement')) {
      return make('remove', holder.type === 'delete_statement' ? holder : holder.parent!);
    }
    return make('read', parent);
  }
  if (parent.type === 'augmented_assignment' && parent.childForFieldName('left')?.id === e.id) return make('add', parent);
  if (isIterated(e)) return make('iterate', e.parent!);
  if (parent.type === 'comparison_operator' && parent.namedChildren[0]?.id !== e.id && /\bin\b/.test(operatorsOf(parent))) {
    return inCondition(parent) ? make('test', parent) : make('read', parent);
  }
  if (parent.type === 'argument_list' && parent.parent?.type === 'call') {
    const callee = parent.parent.childForFieldName('function');
    if (callee?.type === 'identifier' && callee.text === 'len' && inCondition(parent.parent)) return make('test', parent.parent);
  }
  if (inCondition(e) && (parent.type === 'not_operator' || isConditionItself(e))) return make('test', e);
  return make('read', e);
}

/** `for … in <e>` or `… for … in <e>` in a comprehension. */
function isIterated(e: Node): boolean {
  const parent = e.parent;
  if (!parent) return false;
  if ((parent.type === 'for_statement' || parent.type === 'for_in_clause') && parent.childForFieldName('right')?.id === e.id) return true;
  return false;
}

/** The text of a comparison's operators (`in`, `not in`, `==`). */
function operatorsOf(comparison: Node): string {
  return comparison.children
    .filter((c) => !c.isNamed)
    .map((c) => c.text)
    .join(' ');
}

const CONDITIONS = new Set(['if_statement', 'elif_clause', 'while_statement', 'conditional_expression']);

/** Whether the expression is (part of) the condition of an if / elif / while / ternary. */
function inCondition(node: Node): boolean {
  let child = node;
  for (let p = node.parent; p; child = p, p = p.parent) {
    if (CONDITIONS.has(p.type)) {
      if (p.type === 'conditional_expression') return p.namedChildren[1]?.id === child.id;
      return p.childForFieldName('condition')?.id === child.id;
    }
    if (!['boolean_operator', 'not_operator', 'parenthesized_expression', 'comparison_operator', 'call', 'argument_list', 'attribute', 'subscript'].includes(p.type)) return false;
  }
  return false;
}

function isConditionItself(e: Node): boolean {
  const p = e.parent;
  return !!p && (CONDITIONS.has(p.type) || p.type === 'boolean_operator');
}

/** `X[k] = X[k] + …`, `X[k] = X.get(k, 0) + 1`: the stored value is computed from the container. */
function isReadModifyWrite(model: SemanticModel, container: ModuleContainer, assignment: Node): boolean {
  const right = assignment.childForFieldName('right');
  if (!right || unwrap(right).type !== 'binary_operator') return false;
  for (const id of right.descendantsOfType('identifier')) {
    if (id.text === container.name && model.resolveName(id.text, id)?.key === container.key) return true;
  }
  return false;
}
