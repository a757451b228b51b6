import type { Node } from '../engine/tree/index.js';
import type { SemanticModel } from '../engine/model/model.js';
import { createRule } from '../engine/rule.js';
import { functionName } from './support/locking.js';

/** Builtins that compute without I/O or waiting. */
const PURE_BUILTINS = new Set([
  'abs', 'all', 'any', 'bool', 'complex', 'divmod', 'enumerate', 'float', 'int', 'len', 'max', 'min',
  'pow', 'range', 'reversed', 'round', 'sorted', 'sum', 'zip', 'list', 'tuple', 'set', 'dict', 'frozenset',
]);

/** Syntax that is pure computation; anything else (attributes, with, try, yield…) is not. */
const PURE_NODES = new Set([
  'block', 'expression_statement', 'assignment', 'augmented_assignment', 'return_statement', 'for_statement',
  'while_statement', 'if_statement', 'elif_clause', 'else_clause', 'pass_statement', 'break_statement',
  'continue_statement', 'identifier', 'integer', 'float', 'true', 'false', 'none', 'binary_operator',
  'unary_operator', 'boolean_operator', 'not_operator', 'comparison_operator', 'parenthesized_expression',
  'subscript', 'slice', 'tuple', 'list', 'pattern_list', 'tuple_pattern', 'list_comprehension',
  'generator_expression', 'for_in_clause', 'if_clause', 'conditional_expression', 'call', 'argument_list',
  'comment', 'parameters', 'default_parameter', 'typed_parameter', 'typed_default_parameter', 'type',
  'expression_list', 'attribute', 'string', 'string_start', 'string_content', 'string_end', 'keyword_argument',
]);

const LOOPS = new Set(['for_statement', 'while_statement', 'list_comprehension', 'generator_expression']);

/**
 * A pure computation handed to threads: the GIL lets one thread compute at a time, so
 * the threads add switching cost and no speed.
 */
export default createRule(
  {
    id: 'TL501',
    name: 'cpu-bound-in-threads',
    severity: 'notice',
    summary: 'A function run on threads is pure computation: the GIL serialises it, so threads give no speed-up.',
    why: 'Only one thread runs Python bytecode at a time; CPU-bound work needs processes (or 3.14+ interpreters).',
    fix: 'never',
    inTests: false,
  },
  (ctx) => {
    // Without the GIL (the free-threading profile) threads do run Python in parallel: the advice would be wrong.
    if (ctx.config.profile === 'free-threading') return;
    const { model } = ctx;
    const seen = new Set<number>();
    for (const entry of model.threads.entries()) {
      // One background thread keeps a program responsive; the GIL only costs when several compute at once.
      if (entry.how === 'thread-subclass' || entry.processPool || !entry.many) continue;
      const fn = entry.fn.type === 'lambda' ? model.threads.forwardedTo(entry.fn) : entry.fn;
      if (!fn || seen.has(entry.via.id) || !isPureComputation(model, fn, new Set())) continue;
      seen.add(entry.via.id);
      const name = functionName(fn);
      ctx.report({
        node: entry.via,
        message: `\`${name}\` only computes (a loop of arithmetic and builtins, no I/O or waiting), so running it on several threads gives no parallelism under the GIL. Use \`ProcessPoolExecutor\`, or \`concurrent.futures.InterpreterPoolExecutor\` on Python 3.14+.`,
      });
    }
  },
);

/**
 * Loop + arithmetic, comparisons, indexing and calls to builtins, `math` or other pure
 * functions of the file, nothing else. A `while` loop that tests state its body never
 * changes is waiting for another thread (a spin), not computing.
 */
function isPureComputation(model: SemanticModel, fn: Node, visiting: Set<number>, needLoop = true): boolean {
  const body = fn.childForFieldName('body');
  if (!body || visiting.has(fn.id) || visiting.size > 8) return false;
  visiting.add(fn.id);
  let hasLoop = false;
  const stack: Node[] = [body];
  while (stack.length) {
    const node = stack.pop()!;
    if (!PURE_NODES.has(node.type)) return false;
    if (LOOPS.has(node.type)) hasLoop = true;
    if (node.type === 'while_statement' && spins(node)) return false;
    if (node.type === 'call') {
      if (!isPureCall(model, node, visiting)) return false;
      const args = node.childForFieldName('arguments');
      if (args) stack.push(args);
      continue;
    }
    if (node.type === 'attribute') {
      // Only `math.x` constants; calls were checked above.
      const q = model.qualifiedName(node);
      if (!q?.startsWith('math.')) return false;
      continue;
    }
    if (node.type === 'string' && node.parent?.type === 'expression_statement' && node.parent.parent?.id === body.id) continue;
    if (node.type === 'string') return false;
    for (const child of node.namedChildren) if (child) stack.push(child);
  }
  return hasLoop || !needLoop;
}

function isPureCall(model: SemanticModel, call: Node, visiting: Set<number>): boolean {
  const fn = call.childForFieldName('function');
  if (!fn) return false;
  if (fn.type === 'identifier' && PURE_BUILTINS.has(fn.text) && model.resolveName(fn.text, fn) === null) return true;
  const q = model.qualifiedName(fn);
  if (q) return q.startsWith('math.');
  const local = fn.type === 'identifier' ? model.localFunction(fn) : null;
  return local?.type === 'function_definition' && isPureComputation(model, local, visiting, false);
}

/** A `while` whose condition reads no name the loop body assigns: it waits for someone else. */
function spins(loop: Node): boolean {
  const condition = loop.childForFieldName('condition');
  const body = loop.childForFieldName('body');
  if (!condition || !body) return true;
  const read = new Set([condition, ...condition.descendantsOfType('identifier')].filter((n): n is Node => n?.type === 'identifier').map((n) => n.text));
  if (read.size === 0) return !/\b(break|return)\b/.test(body.text);
  for (const assign of [...body.descendantsOfType('assignment'), ...body.descendantsOfType('augmented_assignment')]) {
    let target: Node | null = assign?.childForFieldName('left') ?? null;
    while (target && (target.type === 'subscript' || target.type === 'attribute')) target = target.type === 'subscript' ? target.childForFieldName('value') : target.childForFieldName('object');
    const names = target ? [target, ...target.descendantsOfType('identifier')] : [];
    if (names.some((n) => n?.type === 'identifier' && read.has(n.text))) return false;
  }
  return true;
}
