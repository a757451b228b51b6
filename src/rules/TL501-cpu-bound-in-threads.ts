import type { Node } from 'web-tree-sitter';
import type { SemanticModel } from '../engine/model/model.js';
import { createRule } from '../engine/rule.js';

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
  },
  (ctx) => {
    const { model } = ctx;
    const seen = new Set<number>();
    for (const entry of model.threads.entries()) {
      if (entry.how === 'thread-subclass' || entry.processPool || entry.fn.type !== 'function_definition') continue;
      if (seen.has(entry.via.id) || !isPureComputation(model, entry.fn)) continue;
      seen.add(entry.via.id);
      const name = entry.fn.childForFieldName('name')!.text;
      ctx.report({
        node: entry.via,
        message: `\`${name}\` only computes (a loop of arithmetic and builtins, no I/O or waiting), so running it on threads gives no parallelism under the GIL. Use \`ProcessPoolExecutor\`, or \`concurrent.futures.InterpreterPoolExecutor\` on Python 3.14+.`,
      });
    }
  },
);

/** Loop + arithmetic, comparisons, indexing and builtin / `math` calls, nothing else. */
function isPureComputation(model: SemanticModel, fn: Node): boolean {
  const body = fn.childForFieldName('body');
  if (!body) return false;
  let hasLoop = false;
  const stack: Node[] = [body];
  while (stack.length) {
    const node = stack.pop()!;
    if (!PURE_NODES.has(node.type)) return false;
    if (LOOPS.has(node.type)) hasLoop = true;
    if (node.type === 'call' && !isPureCall(model, node)) return false;
    if (node.type === 'attribute') {
      // Only `math.x` in a call position (checked by isPureCall) or as a constant.
      const q = model.qualifiedName(node);
      if (!q?.startsWith('math.')) return false;
      continue;
    }
    if (node.type === 'string' && node.parent?.type === 'expression_statement' && node.parent.parent?.id === body.id) continue;
    if (node.type === 'string') return false;
    for (const child of node.namedChildren) if (child) stack.push(child);
  }
  return hasLoop;
}

function isPureCall(model: SemanticModel, call: Node): boolean {
  const fn = call.childForFieldName('function');
  if (!fn) return false;
  if (fn.type === 'identifier') return PURE_BUILTINS.has(fn.text) && model.resolveName(fn.text, fn) === null;
  const q = model.qualifiedName(fn);
  return !!q && q.startsWith('math.');
}
