import type { Node, SyntaxTree } from '../tree/index.js';

/**
 * One pass over the owned tree's rows (pre-order, no recursion, so deep nesting cannot
 * overflow the stack) that builds the scopes and bindings of a file and indexes the
 * nodes rules look at. Every later question is answered from this index; no rule walks
 * the tree.
 */

export type ScopeKind = 'module' | 'class' | 'function' | 'lambda' | 'comprehension';

export type BindingSite =
  | { type: 'assign'; value: Node | null; annotation: Node | null; target: Node }
  | { type: 'tuple-assign'; value: Node; index: number; count: number; target: Node }
  | { type: 'param'; annotation: Node | null; index: number; target: Node }
  | { type: 'with'; value: Node; target: Node }
  | { type: 'for'; iterable: Node; target: Node }
  | { type: 'import'; qname: string; target: Node }
  | { type: 'def'; node: Node }
  | { type: 'class'; node: Node }
  | { type: 'other'; target: Node };

export interface Scope {
  kind: ScopeKind;
  node: Node;
  parent: Scope | null;
  bindings: Map<string, BindingSite[]>;
  globals: Set<string>;
  nonlocals: Set<string>;
  /** For a function directly in a class body: that class. */
  methodOf: ClassInfo | null;
  /** For a method: the name of its first parameter (`self`), null for static methods. */
  selfName: string | null;
}

export interface ClassInfo {
  name: string;
  node: Node;
  scope: Scope;
  bases: Node[];
  methods: Map<string, Node>;
  /** `self.x = …` sites from every method, plus class-body assignments. */
  attributes: Map<string, BindingSite[]>;
}

/** Node types the index keeps, by type. */
const INDEXED = new Set([
  'call',
  'with_statement',
  'while_statement',
  'for_statement',
  'assignment',
  'augmented_assignment',
  'function_definition',
  'class_definition',
  'lambda',
  'try_statement',
  'return_statement',
  'expression_statement',
  'global_statement',
  'nonlocal_statement',
  'import_statement',
  'import_from_statement',
  'delete_statement',
  'ERROR',
]);

const SCOPE_TYPES: Record<string, ScopeKind> = {
  function_definition: 'function',
  class_definition: 'class',
  lambda: 'lambda',
  list_comprehension: 'comprehension',
  set_comprehension: 'comprehension',
  dictionary_comprehension: 'comprehension',
  generator_expression: 'comprehension',
};

export interface FileIndex {
  module: Scope;
  /** Scope that owns each scope node, by node id. */
  scopes: Map<number, Scope>;
  /** Innermost scope of each indexed node, by node id. */
  scopeOfNode: ScopeTable;
  /** Function, class, lambda and comprehension scopes, in source order. */
  ordered: Scope[];
  byType: Map<string, Node[]>;
  classes: Map<number, ClassInfo>;
  /** Modules imported with `from m import *` at module level. */
  starImports: string[];
  hasSyntaxError: boolean;
}

/** The innermost scope of each indexed row: one typed array, not a map entry per node. */
export class ScopeTable {
  private readonly ids: Int32Array;
  private readonly list: Scope[] = [];
  private readonly numbers = new Map<Scope, number>();

  constructor(rows: number) {
    this.ids = new Int32Array(rows).fill(-1);
  }

  get(row: number): Scope | undefined {
    const i = this.ids[row];
    return i === undefined || i < 0 ? undefined : this.list[i];
  }

  set(row: number, scope: Scope): void {
    let n = this.numbers.get(scope);
    if (n === undefined) {
      n = this.list.push(scope) - 1;
      this.numbers.set(scope, n);
    }
    this.ids[row] = n;
  }
}

export function buildIndex(tree: SyntaxTree): FileIndex {
  const root = tree.rootNode;
  const module = newScope('module', root, null);
  const scopes = new Map<number, Scope>([[root.id, module]]);
  const scopeOfNode = new ScopeTable(tree.count);
  const byType = new Map<string, Node[]>();
  const grammar = tree.grammar;
  const wanted = new Map<number, string>();
  for (const type of new Set([...INDEXED, ...Object.keys(SCOPE_TYPES)])) for (const kind of grammar.kindsOf(type)) wanted.set(kind, type);
  const { kind, after, count } = tree.arrays;
  // Rows are in pre-order and scopes nest, so a stack of open scopes gives each node its
  // innermost one.
  const stack: Scope[] = [module];
  const ends: number[] = [count];
  const ordered: Scope[] = [];
  for (let row = 1; row < count; row++) {
    const type = wanted.get(kind[row]);
    if (type === undefined) continue;
    while (ends.length > 1 && ends[ends.length - 1] <= row) {
      ends.pop();
      stack.pop();
    }
    const node = tree.node(row);
    const current = stack[stack.length - 1];
    scopeOfNode.set(row, current);
    if (INDEXED.has(type)) push(byType, type, node);
    const scopeKind = SCOPE_TYPES[type];
    if (scopeKind) {
      const scope = newScope(scopeKind, node, current);
      scopes.set(row, scope);
      ordered.push(scope);
      stack.push(scope);
      ends.push(after[row]);
    }
  }
  const index: FileIndex = { module, scopes, scopeOfNode, ordered, byType, classes: new Map(), starImports: [], hasSyntaxError: root.hasError };
  collectBindings(index);
  return index;
}

/**
 * The innermost scope around a source range, found among the scopes (sorted by start)
 * without touching the tree: the last scope starting before the range, or one of its
 * enclosing scopes.
 */
export function scopeAt(index: FileIndex, start: number, end: number, self?: number): Scope {
  const list = index.ordered;
  let lo = 0;
  let hi = list.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].node.startIndex <= start) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  for (let s: Scope | null = found >= 0 ? list[found] : null; s; s = s.parent) {
    if (s.kind === 'module') return s;
    if (s.node.id !== self && s.node.startIndex <= start && s.node.endIndex >= end) return s;
  }
  return index.module;
}

function newScope(kind: ScopeKind, node: Node, parent: Scope | null): Scope {
  return { kind, node, parent, bindings: new Map(), globals: new Set(), nonlocals: new Set(), methodOf: null, selfName: null };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The scope a name assigned in `scope` really lives in (`global` / `nonlocal`). */
function owningScope(scope: Scope, name: string, module: Scope): Scope {
  if (scope.globals.has(name)) return module;
  if (scope.nonlocals.has(name)) {
    for (let s = scope.parent; s; s = s.parent) {
      if (s.kind === 'function' && s.bindings.has(name)) return s;
    }
  }
  return scope;
}

function collectBindings(index: FileIndex): void {
  const { byType, scopeOfNode, module } = index;
  const nodes = (type: string) => byType.get(type) ?? [];
  // Declarations first, so assignments know where their names live.
  for (const type of ['global_statement', 'nonlocal_statement']) {
    for (const stmt of nodes(type)) {
      const scope = scopeOfNode.get(stmt.id)!;
      for (const id of stmt.namedChildren) {
        if (id?.type === 'identifier') (type === 'global_statement' ? scope.globals : scope.nonlocals).add(id.text);
      }
    }
  }
  const bind = (scope: Scope, name: string, site: BindingSite) =>
    push(owningScope(scope, name, module).bindings, name, site);

  for (const cls of nodes('class_definition')) {
    const nameNode = cls.childForFieldName('name');
    const outer = scopeOfNode.get(cls.id)!;
    const scope = index.scopes.get(cls.id)!;
    if (nameNode) bind(outer, nameNode.text, { type: 'class', node: cls });
    const supers = cls.childForFieldName('superclasses');
    const bases = supers ? supers.namedChildren.filter((n): n is Node => !!n && n.type !== 'keyword_argument') : [];
    index.classes.set(cls.id, { name: nameNode?.text ?? '', node: cls, scope, bases, methods: new Map(), attributes: new Map() });
  }

  for (const fn of [...nodes('function_definition'), ...nodes('lambda')]) {
    const scope = index.scopes.get(fn.id)!;
    const outer = scopeOfNode.get(fn.id)!;
    if (fn.type === 'function_definition') {
      const name = fn.childForFieldName('name');
      if (name) bind(outer, name.text, { type: 'def', node: fn });
      if (outer.kind === 'class' && name) {
        const cls = index.classes.get(outer.node.id)!;
        cls.methods.set(name.text, fn);
        scope.methodOf = cls;
        scope.selfName = isStaticMethod(fn) ? null : firstParamName(fn);
      }
    }
    const params = fn.childForFieldName('parameters');
    let i = 0;
    for (const p of params?.namedChildren ?? []) {
      if (!p) continue;
      const nameNode = p.type === 'identifier' ? p : (p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier') ?? null);
      if (nameNode?.type === 'identifier') {
        const annotation = p.childForFieldName('type');
        push(scope.bindings, nameNode.text, { type: 'param', annotation, index: i, target: nameNode });
      }
      i++;
    }
  }

  for (const stmt of [...nodes('import_statement'), ...nodes('import_from_statement')]) {
    const scope = scopeOfNode.get(stmt.id)!;
    for (const [local, qname, target] of importedNames(stmt)) bind(scope, local, { type: 'import', qname, target });
    const module = stmt.type === 'import_from_statement' ? stmt.childForFieldName('module_name') : null;
    if (module?.type === 'dotted_name' && stmt.namedChildren.some((c) => c?.type === 'wildcard_import')) index.starImports.push(module.text);
  }

  for (const assign of nodes('assignment')) {
    // Chained `a = b = value`: the inner assignments are handled with the outermost.
    if (assign.parent?.type === 'assignment') continue;
    const scope = scopeOfNode.get(assign.id)!;
    const annotation = assign.childForFieldName('type');
    const targets: Node[] = [];
    let value: Node | null = assign;
    while (value?.type === 'assignment') {
      const left = value.childForFieldName('left');
      if (left) targets.push(left);
      value = value.childForFieldName('right');
    }
    for (const left of targets) bindTarget(index, scope, left, (target) => ({ type: 'assign', value, annotation, target }), value, bind);
  }

  for (const aug of nodes('augmented_assignment')) {
    const left = aug.childForFieldName('left');
    if (left?.type === 'identifier') {
      // `x += …` rebinds x locally (or globally with `global x`): it makes x a local name.
      const scope = scopeOfNode.get(aug.id)!;
      const owner = owningScope(scope, left.text, module);
      if (!owner.bindings.has(left.text)) owner.bindings.set(left.text, []);
    }
  }

  for (const stmt of nodes('with_statement')) {
    const scope = scopeOfNode.get(stmt.id)!;
    for (const item of withItems(stmt)) {
      const value = item.childForFieldName('value');
      if (value?.type !== 'as_pattern') continue;
      const ctx = value.namedChildren[0];
      const alias = value.childForFieldName('alias')?.namedChildren[0];
      if (ctx && alias) bindTarget(index, scope, alias, (target) => ({ type: 'with', value: ctx, target }), null, bind);
    }
  }

  for (const loop of nodes('for_statement')) {
    const scope = scopeOfNode.get(loop.id)!;
    const left = loop.childForFieldName('left');
    const iterable = loop.childForFieldName('right');
    if (left && iterable) bindTarget(index, scope, left, (target) => ({ type: 'for', iterable, target }), null, bind);
  }
  for (const [id, scope] of index.scopes) {
    if (scope.kind !== 'comprehension') continue;
    for (const clause of scope.node.namedChildren) {
      if (clause?.type !== 'for_in_clause') continue;
      const left = clause.childForFieldName('left');
      const iterable = clause.childForFieldName('right');
      if (left && iterable) bindTarget(index, scope, left, (target) => ({ type: 'for', iterable, target }), null, bind);
    }
    void id;
  }
}

type Bind = (scope: Scope, name: string, site: BindingSite) => void;

/** Record a binding for every name or `self.x` the target assigns. */
function bindTarget(
  index: FileIndex,
  scope: Scope,
  target: Node,
  site: (target: Node) => BindingSite,
  value: Node | null,
  bind: Bind,
): void {
  if (target.type === 'identifier') {
    bind(scope, target.text, site(target));
    return;
  }
  if (target.type === 'attribute') {
    const object = target.childForFieldName('object');
    const attr = target.childForFieldName('attribute');
    const cls = selfClass(index, scope, object);
    if (cls && attr) push(cls.attributes, attr.text, site(target));
    return;
  }
  if (['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'parenthesized_expression'].includes(target.type)) {
    const parts = target.namedChildren.filter((n): n is Node => !!n);
    parts.forEach((part, i) => {
      if (value && (part.type === 'identifier' || part.type === 'attribute')) {
        bindTarget(index, scope, part, (t) => ({ type: 'tuple-assign', value, index: i, count: parts.length, target: t }), null, bind);
      } else {
        bindTarget(index, scope, part, (t) => ({ type: 'other', target: t }), null, bind);
      }
    });
    return;
  }
  if (target.type === 'list_splat_pattern') {
    const inner = target.namedChildren[0];
    if (inner) bindTarget(index, scope, inner, (t) => ({ type: 'other', target: t }), null, bind);
  }
}

/** The class whose instance `object` is, when `object` is a method's first parameter. */
export function selfClass(index: FileIndex, scope: Scope, object: Node | null): ClassInfo | null {
  if (object?.type !== 'identifier') return null;
  // Nested functions and lambdas inside a method see the method's `self`.
  for (let s: Scope | null = scope; s; s = s.parent) {
    if (s.kind === 'class' || s.kind === 'module') return null;
    if (s.kind === 'function' && s.methodOf) return s.selfName === object.text ? s.methodOf : null;
    if (s.bindings.has(object.text)) return null;
  }
  return null;
}

export function firstParamName(fn: Node): string | null {
  const first = fn.childForFieldName('parameters')?.namedChildren[0];
  if (!first) return null;
  if (first.type === 'identifier') return first.text;
  const name = first.childForFieldName('name') ?? first.namedChildren.find((c) => c?.type === 'identifier');
  return name?.type === 'identifier' ? name.text : null;
}

function isStaticMethod(fn: Node): boolean {
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : null;
  if (!decorated) return false;
  return decorated.namedChildren.some((d) => d?.type === 'decorator' && /\b(staticmethod|classmethod)\b/.test(d.text));
}

export function withItems(stmt: Node): Node[] {
  const clause = stmt.namedChildren.find((c) => c?.type === 'with_clause');
  return (clause?.namedChildren ?? []).filter((n): n is Node => n?.type === 'with_item');
}

/** `[local name, qualified name, node]` for each name an import statement binds. */
export function importedNames(stmt: Node): [string, string, Node][] {
  const out: [string, string, Node][] = [];
  if (stmt.type === 'import_statement') {
    for (const name of stmt.childrenForFieldName('name')) {
      if (!name) continue;
      if (name.type === 'aliased_import') {
        const dotted = name.childForFieldName('name');
        const alias = name.childForFieldName('alias');
        if (dotted && alias) out.push([alias.text, dotted.text, alias]);
      } else if (name.type === 'dotted_name') {
        // `import concurrent.futures` binds `concurrent`.
        const first = name.namedChildren[0];
        if (first) out.push([first.text, first.text, first]);
      }
    }
    return out;
  }
  const moduleNode = stmt.childForFieldName('module_name');
  if (!moduleNode || moduleNode.type === 'relative_import') return out;
  const module = moduleNode.text;
  for (const name of stmt.childrenForFieldName('name')) {
    if (!name) continue;
    if (name.type === 'aliased_import') {
      const orig = name.childForFieldName('name');
      const alias = name.childForFieldName('alias');
      if (orig && alias) out.push([alias.text, `${module}.${orig.text}`, alias]);
    } else if (name.type === 'dotted_name') {
      out.push([name.text, `${module}.${name.text}`, name]);
    }
  }
  return out;
}
