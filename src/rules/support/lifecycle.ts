import type { Node } from '../../engine/tree/index.js';
import { isWithin } from './loops.js';
import { unwrap, type Binding, type SemanticModel } from '../../engine/model/model.js';

/**
 * What the lifecycle rules (sleep polling, executors, threads, futures) share: how a
 * local name is used inside its function (escape analysis), statement neighbours, the
 * loops around a node, and literal arithmetic. Every walk here is bounded by one
 * function or one statement; nothing walks the whole file.
 */

/**
 * How one reference to a local name uses its value:
 * - `call`: `x.m(…)`; `attr-read`: `x.m` not called; `attr-store`: `x.m = …`;
 * - `item-store`: `x[k] = …`; `bind`: `x` is assigned (`x = …`, `for x in`, `del x`);
 * - `test`: the value is only looked at (`if x`, `x is None`, `not x`);
 * - `escape`: the value can leave the function or outlive the call: passed to a call,
 *   stored, returned, yielded, put in a container, read by a nested function, `with x:`.
 */
export type UseKind = 'call' | 'attr-read' | 'attr-store' | 'item-store' | 'bind' | 'test' | 'escape';

export interface Use {
  kind: UseKind;
  /** The identifier. */
  node: Node;
  /** `m` for `x.m(…)`, `x.m`, `x.m = …`. */
  member?: string;
  /** The call for `call` uses. */
  call?: Node;
  /** The assigned value for `attr-store` uses. */
  value?: Node;
}

const FUNCTION_TYPES = new Set(['function_definition', 'lambda']);
const PATTERN_TYPES = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'list_splat_pattern', 'parenthesized_expression', 'tuple', 'list']);
const CONDITION_PARENTS = new Set(['if_statement', 'elif_clause', 'while_statement', 'assert_statement']);

/** The local binding of a name (not `self.x`, not a global) that lives in `fn`'s own scope. */
export function localBinding(model: SemanticModel, expr: Node, fn: Node): Binding | null {
  const e = unwrap(expr);
  if (e.type !== 'identifier') return null;
  const binding = model.bindingOf(e);
  if (!binding || !binding.key.startsWith('l:') || binding.scope?.node.id !== fn.id) return null;
  return binding;
}

/** Every reference to a local binding inside its function, classified, in source order. */
export function usesOf(model: SemanticModel, binding: Binding, fn: Node): Use[] {
  const out: Use[] = [];
  for (const id of fn.descendantsOfType('identifier')) {
    if (!id || id.text !== binding.name || !isReference(id)) continue;
    if (model.resolveName(id.text, id)?.key !== binding.key) continue;
    out.push(nestedIn(id, fn) ? { kind: 'escape', node: id } : classify(id));
  }
  return out;
}

/** Whether an identifier names a variable (not an attribute, keyword or parameter name). */
function isReference(id: Node): boolean {
  const p = id.parent;
  if (!p) return false;
  if (p.type === 'attribute') return p.childForFieldName('attribute')?.id !== id.id;
  if (p.type === 'keyword_argument') return p.childForFieldName('name')?.id !== id.id;
  if (FUNCTION_TYPES.has(p.type) || p.type === 'class_definition') return p.childForFieldName('name')?.id !== id.id;
  return !['parameters', 'default_parameter', 'typed_parameter', 'typed_default_parameter', 'dotted_name', 'aliased_import', 'global_statement', 'nonlocal_statement', 'keyword_pattern'].includes(p.type);
}

/** Whether a node sits in a def or lambda nested inside `fn` (a closure reads it later). */
function nestedIn(node: Node, fn: Node): boolean {
  for (let n = node.parent; n && n.id !== fn.id; n = n.parent) {
    if (FUNCTION_TYPES.has(n.type) || n.type === 'class_definition') return true;
  }
  return false;
}

function classify(id: Node): Use {
  let e: Node = id;
  while (e.parent?.type === 'parenthesized_expression') e = e.parent;
  const p = e.parent!;
  if (p.type === 'attribute' && p.childForFieldName('object')?.id === e.id) {
    const member = p.childForFieldName('attribute')?.text ?? '';
    const gp = p.parent;
    if (gp?.type === 'call' && gp.childForFieldName('function')?.id === p.id) return { kind: 'call', node: id, member, call: gp };
    if (gp && isAssignTarget(p)) return { kind: 'attr-store', node: id, member, value: gp.childForFieldName('right') ?? undefined };
    return { kind: 'attr-read', node: id, member };
  }
  if (p.type === 'subscript' && p.childForFieldName('value')?.id === e.id && isAssignTarget(p)) return { kind: 'item-store', node: id };
  if (isAssignTarget(e) || p.type === 'delete_statement') return { kind: 'bind', node: id };
  if (isTestContext(e)) return { kind: 'test', node: id };
  return { kind: 'escape', node: id };
}

/** `x` in `x = …`, `x += …`, `a, x = …`, `for x in …`, `with … as x`. */
function isAssignTarget(node: Node): boolean {
  let n = node;
  while (n.parent && PATTERN_TYPES.has(n.parent.type)) n = n.parent;
  const p = n.parent;
  if (!p) return false;
  if (p.type === 'assignment' || p.type === 'augmented_assignment' || p.type === 'for_statement' || p.type === 'for_in_clause') {
    return p.childForFieldName('left')?.id === n.id;
  }
  return p.type === 'as_pattern_target';
}

/** The value is only tested: a condition, a comparison, `not x`. */
function isTestContext(node: Node): boolean {
  let n = node;
  for (;;) {
    const p = n.parent;
    if (!p) return false;
    if (p.type === 'comparison_operator' || p.type === 'not_operator') return true;
    if (p.type === 'boolean_operator' || p.type === 'parenthesized_expression') {
      n = p;
      continue;
    }
    if (CONDITION_PARENTS.has(p.type)) return p.childForFieldName('condition')?.id === n.id || p.type === 'assert_statement';
    if (p.type === 'conditional_expression') return p.namedChildren[1]?.id === n.id;
    return false;
  }
}

/** The statements of a block, without comments. */
export function statementsOf(block: Node): Node[] {
  return block.namedChildren.filter((n): n is Node => !!n && n.type !== 'comment');
}

/** The `X = value` assignment an expression statement consists of. */
export function statementAssignment(stmt: Node | null): Node | null {
  if (stmt?.type !== 'expression_statement' || stmt.namedChildCount !== 1) return null;
  const e = stmt.namedChildren[0]!;
  return e.type === 'assignment' ? e : null;
}

/** Whether a node sits inside a `finally:` clause, without leaving `fn`. */
export function inFinally(node: Node, fn: Node): boolean {
  for (let n = node.parent; n && n.id !== fn.id; n = n.parent) {
    if (n.type === 'finally_clause') return true;
    if (FUNCTION_TYPES.has(n.type) || n.type === 'class_definition') return false;
  }
  return false;
}

/** `return` statements of `fn` itself (not of nested functions), in source order. */
export function ownReturns(model: SemanticModel, fn: Node): Node[] {
  return model.nodes('return_statement').filter((r) => isWithin(r, fn) && model.enclosingFunction(r)?.id === fn.id);
}

/** `time.sleep(…)` through any import form. */
export function isSleepCall(model: SemanticModel, call: Node): boolean {
  return model.calleeName(call) === 'time.sleep';
}

/** Literal `True` / `False`, or null for anything else. */
export function literalBool(node: Node | undefined): boolean | null {
  if (!node) return null;
  const e = unwrap(node);
  return e.type === 'true' ? true : e.type === 'false' ? false : null;
}

/**
 * An exact decimal number as a scaled integer (`0.25` → {n: 25n, scale: 2}), for
 * arithmetic on literals without binary floating-point error.
 */
export interface Decimal {
  n: bigint;
  scale: number;
}

/** A non-negative `integer` or plain `float` literal (`3`, `0.1`, `1_000`), else null. */
export function decimalLiteral(node: Node | undefined): Decimal | null {
  if (!node) return null;
  const e = unwrap(node);
  if (e.type !== 'integer' && e.type !== 'float') return null;
  const text = e.text.replace(/_/g, '');
  const m = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (e.type === 'integer' && !/^(0|[1-9]\d*)$/.test(text))) return null;
  const whole = m[1] || '0';
  const frac = m[2] ?? '';
  return { n: BigInt(whole + frac), scale: frac.length };
}

export function integerLiteral(node: Node | undefined): number | null {
  const d = decimalLiteral(node);
  return d && d.scale === 0 && unwrap(node!).type === 'integer' ? Number(d.n) : null;
}

/** `d * k` printed as a Python float literal (`5.0`, `0.75`). */
export function formatSeconds(d: Decimal, k: bigint): string {
  const n = d.n * k;
  const s = n.toString().padStart(d.scale + 1, '0');
  const whole = s.slice(0, s.length - d.scale);
  const frac = s.slice(s.length - d.scale).replace(/0+$/, '');
  return `${whole}.${frac || '0'}`;
}

/** The text of a node's first line before the node: its indentation when it starts the line. */
export function leadingText(lines: readonly string[], node: Node): string {
  return (lines[node.startPosition.row] ?? '').slice(0, node.startPosition.column);
}
