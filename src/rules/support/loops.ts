import type { Node } from '../../engine/tree/index.js';
import type { SemanticModel } from '../../engine/model/model.js';

/**
 * Loops as the TL2xx–TL4xx rules see them: which loop a call repeats in, what a loop
 * rebinds on every iteration, and how control leaves it. Everything here looks only at
 * a node's ancestors or at one loop's own subtree, never at the whole file.
 */

/** A `for`/`while` statement or a comprehension. */
export type LoopNode = Node;

const FUNCTION_TYPES = new Set(['function_definition', 'lambda', 'class_definition', 'module']);
const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);
const TARGET_CONTAINERS = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'parenthesized_expression', 'list_splat_pattern', 'as_pattern_target']);

/** Whether `node` lies inside `ancestor` (or is it). */
export function isWithin(node: Node, ancestor: Node): boolean {
  return node.startIndex >= ancestor.startIndex && node.endIndex <= ancestor.endIndex;
}

/** The part of a loop that runs once per iteration: a statement's body, a comprehension's element. */
export function loopBody(loop: LoopNode): Node | null {
  return loop.childForFieldName('body');
}

/**
 * The loops whose bodies repeat `node`, innermost first, up to the function (or lambda,
 * class, module) that holds it. A node in a loop's header or `else:` clause does not
 * repeat with that loop and is not counted.
 */
export function enclosingLoops(node: Node, opts: { comprehensions?: boolean } = {}): LoopNode[] {
  const out: LoopNode[] = [];
  let child = node;
  for (let n = node.parent; n && !FUNCTION_TYPES.has(n.type); child = n, n = n.parent) {
    const isStatementLoop = n.type === 'while_statement' || n.type === 'for_statement';
    const isComprehension = opts.comprehensions && COMPREHENSIONS.has(n.type);
    if (!isStatementLoop && !isComprehension) continue;
    const body = loopBody(n);
    if (body && isWithin(child, body)) out.push(n);
  }
  return out;
}

/** The nearest loop that repeats `node` inside its function, or null. */
export function enclosingLoop(node: Node): LoopNode | null {
  return enclosingLoops(node)[0] ?? null;
}

/** Identifiers a binding target assigns (`a`, `a, (b, *c)`), not attributes or subscripts. */
export function targetNames(target: Node): Node[] {
  if (target.type === 'identifier') return [target];
  if (!TARGET_CONTAINERS.has(target.type)) return [];
  return target.namedChildren.flatMap((c) => (c ? targetNames(c) : []));
}

/**
 * Binding keys of the names a loop gives a new value on every iteration: its `for`
 * targets (comprehension clauses included) and, for `for` and `while` statements, every
 * name assigned in its body in the loop's own scope.
 */
export function loopVariableKeys(model: SemanticModel, loop: LoopNode): Map<string, Node[]> {
  const keys = new Map<string, Node[]>();
  const add = (id: Node) => {
    const key = model.resolveName(id.text, id)?.key;
    if (!key) return;
    const sites = keys.get(key);
    if (sites) sites.push(id);
    else keys.set(key, [id]);
  };
  if (COMPREHENSIONS.has(loop.type)) {
    for (const clause of loop.namedChildren) {
      const left = clause?.type === 'for_in_clause' ? clause.childForFieldName('left') : null;
      if (left) targetNames(left).forEach(add);
    }
    return keys;
  }
  if (loop.type === 'for_statement') {
    const left = loop.childForFieldName('left');
    if (left) targetNames(left).forEach(add);
  }
  const body = loopBody(loop);
  if (!body) return keys;
  const scope = model.scopeOf(loop);
  const inBody = (n: Node) => isWithin(n, body) && model.scopeOf(n) === scope;
  for (const assign of model.nodes('assignment')) {
    if (!inBody(assign)) continue;
    // `a = b = v` nests assignments; each level's left side is a target.
    const left = assign.childForFieldName('left');
    if (left) targetNames(left).forEach(add);
  }
  for (const aug of model.nodes('augmented_assignment')) {
    const left = aug.childForFieldName('left');
    if (left && inBody(aug)) targetNames(left).forEach(add);
  }
  for (const inner of model.nodes('for_statement')) {
    const left = inner.childForFieldName('left');
    if (left && inner !== loop && inBody(inner)) targetNames(left).forEach(add);
  }
  for (const stmt of model.nodes('with_statement')) {
    if (!inBody(stmt)) continue;
    for (const alias of stmt.descendantsOfType('as_pattern_target')) {
      if (alias && alias.parent?.parent?.type === 'with_item') targetNames(alias).forEach(add);
    }
  }
  return keys;
}

/**
 * Whether a statement list ends the loop it sits in: a `break`, `return` or `raise` (or,
 * with `orContinues`, a `continue`) not inside an inner loop or function.
 */
export function leavesLoop(block: Node, opts: { orContinues?: boolean } = {}): boolean {
  const stack: Node[] = [block];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'break_statement' || n.type === 'return_statement' || n.type === 'raise_statement') return true;
    if (opts.orContinues && n.type === 'continue_statement') return true;
    if (n !== block && (n.type === 'while_statement' || n.type === 'for_statement' || FUNCTION_TYPES.has(n.type))) continue;
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return false;
}

/**
 * The `if` statements directly in a loop's body (through `with`/`try`/`if` blocks, not
 * inner loops or functions) whose own branch leaves the loop: `if pred: break`.
 */
export function exitTests(loop: LoopNode): Node[] {
  const body = loopBody(loop);
  if (!body) return [];
  const out: Node[] = [];
  const stack: Node[] = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n !== body && (n.type === 'while_statement' || n.type === 'for_statement' || FUNCTION_TYPES.has(n.type))) continue;
    if (n.type === 'if_statement') {
      const consequence = n.childForFieldName('consequence');
      if (consequence && leavesLoop(consequence)) out.push(n);
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return out.sort((a, b) => a.startIndex - b.startIndex);
}

/** Whether an expression is a literal that is always true (`True`, `1`). */
export function isAlwaysTrue(expr: Node | null): boolean {
  if (!expr) return false;
  let e = expr;
  while (e.type === 'parenthesized_expression' && e.namedChildren[0]) e = e.namedChildren[0];
  return e.type === 'true' || (e.type === 'integer' && e.text !== '0');
}

const EXITS = new Set(['break_statement', 'return_statement', 'raise_statement']);

/**
 * Whether the loop always stops after the iteration that runs `node`: a `break`,
 * `return` or `raise` follows it unconditionally, at its own level or in an enclosing
 * block of the loop body (`Thread(…).start()` then `break`).
 */
export function leavesLoopAfter(node: Node, loop: LoopNode): boolean {
  const body = loopBody(loop);
  if (!body || body.type !== 'block') return false;
  let stmt: Node | null = node;
  while (stmt && stmt.parent && stmt.parent.type !== 'block') stmt = stmt.parent;
  for (; stmt && isWithin(stmt, body) && stmt.id !== body.id; stmt = stmt.parent) {
    if (stmt.parent?.type !== 'block') continue;
    for (let s = stmt.nextNamedSibling; s; s = s.nextNamedSibling) if (EXITS.has(s.type)) return true;
    // `try:` bodies and `with` blocks fall through to the statement after them; an
    // `if`/`else` branch does too. Keep climbing until the loop body.
  }
  return false;
}
