import type { Node } from '../engine/tree/index.js';
import { createRule, type RuleContext } from '../engine/rule.js';
import { unwrap, type Binding, type SemanticModel } from '../engine/model/model.js';
import { nextStatement, previousStatement, statementCall } from '../engine/model/statements.js';
import { enclosingLoops, isWithin } from './support/loops.js';
import { indentUnit } from './support/indent.js';
import type { TextEdit } from '../engine/types.js';
import {
  inFinally,
  leadingText,
  literalBool,
  localBinding,
  ownReturns,
  statementsOf,
  usesOf,
  type Use,
} from './support/lifecycle.js';

const SHUTDOWN = new Set(['shutdown', '__exit__']);

/** A local executor whose worker threads outlive the function on some path. */
export default createRule(
  {
    id: 'TL302',
    name: 'executor-not-shut-down',
    severity: 'warning',
    summary: 'A local executor created outside `with` is not shut down on every path of its function.',
    why: 'An executor that is not shut down keeps its worker threads (or processes) alive, and an exception skips a `shutdown()` at the end.',
    fix: 'sometimes',
    inTests: false,
  },
  (ctx) => {
    const { model } = ctx;
    const lines = ctx.model.lines;
    for (const assign of model.nodes('assignment')) {
      const right = assign.childForFieldName('right');
      const left = assign.childForFieldName('left');
      const ctor = right && unwrap(right);
      if (ctor?.type !== 'call' || left?.type !== 'identifier' || model.kindOf(ctor) !== 'Executor') continue;
      const fn = model.enclosingFunction(assign);
      if (fn?.type !== 'function_definition') continue;
      const binding = localBinding(model, left, fn);
      if (!binding) continue;
      const uses = usesOf(model, binding, fn);
      if (!leaksOnSomePath(model, assign, fn, uses)) continue;
      const fix = withFix(model, lines, assign, fn, binding, uses);
      ctx.report({
        node: ctor,
        message: `\`${left.text}\` is not shut down on every path of \`${fn.childForFieldName('name')!.text}()\`: create it with \`with ${ctor.childForFieldName('function')!.text}(…) as ${left.text}:\` or call \`${left.text}.shutdown()\` in a \`finally:\`.`,
        fix: fix ? { description: `Use \`with … as ${left.text}:\``, edits: [fix] } : undefined,
      });
    }
    // `ThreadPoolExecutor().submit(…)`: created and dropped in one expression.
    for (const ctor of model.calls) {
      const p = ctor.parent;
      if (p?.type !== 'attribute' || p.childForFieldName('object')?.id !== ctor.id || p.parent?.type !== 'call') continue;
      const member = p.childForFieldName('attribute')!.text;
      if (SHUTDOWN.has(member) || member === '__enter__' || model.kindOf(ctor) !== 'Executor') continue;
      const fn = model.enclosingFunction(ctor);
      if (fn?.type !== 'function_definition') continue;
      ctx.report({
        node: ctor,
        message: `This \`${ctor.childForFieldName('function')!.text}(…)\` is never shut down; create it with \`with … as executor:\` and call \`executor.${member}(…)\` inside.`,
      });
    }
    reportPools(ctx);
  },
);

/** `multiprocessing` pools: closed by `close()` + `join()`, or by `terminate()`. */
const POOLS = new Set(['multiprocessing.Pool', 'multiprocessing.pool.Pool', 'multiprocessing.pool.ThreadPool', 'multiprocessing.dummy.Pool']);
const POOL_CLOSERS = new Set(['close', 'join', 'terminate']);

/** A local `multiprocessing` pool left running on some path of its function (RULES.md TL302, broadened). */
function reportPools(ctx: RuleContext): void {
  const { model } = ctx;
  for (const assign of model.nodes('assignment')) {
    const right = assign.childForFieldName('right');
    const left = assign.childForFieldName('left');
    const ctor = right && unwrap(right);
    if (ctor?.type !== 'call' || left?.type !== 'identifier' || !POOLS.has(model.calleeName(ctor) ?? '')) continue;
    const fn = model.enclosingFunction(assign);
    if (fn?.type !== 'function_definition') continue;
    const binding = localBinding(model, left, fn);
    if (!binding) continue;
    const uses = usesOf(model, binding, fn);
    if (!poolLeaks(model, assign, fn, uses)) continue;
    const name = left.text;
    ctx.report({
      node: ctor,
      message: `\`${name}\` is not closed on every path of \`${fn.childForFieldName('name')!.text}()\`: its worker ${model.calleeName(ctor)!.endsWith('ThreadPool') || model.calleeName(ctor) === 'multiprocessing.dummy.Pool' ? 'threads' : 'processes'} outlive the call. Call \`${name}.close()\` and \`${name}.join()\` in a \`finally:\` (or use \`with … as ${name}:\` when every result is collected inside it: leaving it terminates the pool).`,
    });
  }
  for (const ctor of model.calls) {
    const p = ctor.parent;
    if (p?.type !== 'attribute' || p.childForFieldName('object')?.id !== ctor.id || p.parent?.type !== 'call') continue;
    const member = p.childForFieldName('attribute')!.text;
    if (POOL_CLOSERS.has(member) || member === '__enter__' || !POOLS.has(model.calleeName(ctor) ?? '')) continue;
    if (model.enclosingFunction(ctor)?.type !== 'function_definition') continue;
    ctx.report({
      node: ctor,
      message: `This \`${ctor.childForFieldName('function')!.text}(…)\` is never closed: its workers outlive the call. Create it with \`with … as pool:\` and call \`pool.${member}(…)\` inside.`,
    });
  }
}

/** No escape, and neither `terminate()` nor both `close()` and `join()` in a `finally:` or at the function's end. */
function poolLeaks(model: SemanticModel, assign: Node, fn: Node, uses: Use[]): boolean {
  if (uses.some((u) => u.kind === 'escape' || u.kind === 'item-store' || (u.kind === 'attr-read' && POOL_CLOSERS.has(u.member!)))) return false;
  const loops = enclosingLoops(assign, { comprehensions: true });
  const closes = (member: string) =>
    uses.some(
      (u) =>
        u.kind === 'call' &&
        u.member === member &&
        loops.every((l) => isWithin(u.call!, l)) &&
        (inFinally(u.call!, fn) || closesAtEnd(model, assign, u.call!, fn)),
    );
  // `join()` raises unless `close()` or `terminate()` ran first: a join every path reaches
  // says the code before it closes the pool on each of them.
  const anyClose = uses.some((u) => u.kind === 'call' && (u.member === 'close' || u.member === 'terminate'));
  return !(closes('terminate') || (closes('join') && (closes('close') || anyClose)));
}

/**
 * A statement of the block that makes the pool, or of a block around it, after it, with
 * no `return` between them (what follows it does not matter).
 */
function closesAtEnd(model: SemanticModel, assign: Node, call: Node, fn: Node): boolean {
  const stmt = model.statementOf(call);
  if (statementCall(stmt)?.id !== call.id || !stmt.parent || stmt.startIndex < assign.endIndex) return false;
  const made = model.statementOf(assign);
  if (!isWithin(made, stmt.parent) || !isWithin(stmt.parent, fn)) return false;
  return !ownReturns(model, fn).some((r) => r.startIndex > assign.endIndex && r.endIndex < stmt.startIndex);
}

/**
 * Whether some path of `fn` leaves the executor running: it does not escape, and no
 * `shutdown()` sits in a `finally:` or ends the function with no `return` before it.
 */
function leaksOnSomePath(model: SemanticModel, assign: Node, fn: Node, uses: Use[]): boolean {
  if (uses.some((u) => u.kind === 'escape' || u.kind === 'item-store' || (u.kind === 'attr-read' && SHUTDOWN.has(u.member!)))) return false;
  const loops = enclosingLoops(assign, { comprehensions: true });
  for (const use of uses) {
    if (use.kind !== 'call' || !SHUTDOWN.has(use.member!)) continue;
    // A shutdown outside the loop that creates an executor per round closes only the last.
    if (!loops.every((l) => isWithin(use.call!, l))) continue;
    if (inFinally(use.call!, fn) || endsFunction(model, assign, use.call!, fn)) return false;
  }
  return true;
}

/** `ex.shutdown()` as a top-level statement of `fn` followed by nothing but `return`, and no early `return`. */
function endsFunction(model: SemanticModel, assign: Node, call: Node, fn: Node): boolean {
  const stmt = model.statementOf(call);
  if (stmt.parent?.id !== fn.childForFieldName('body')?.id) return false;
  for (let s = nextStatement(stmt); s; s = nextStatement(s)) {
    if (s.type !== 'return_statement' && s.type !== 'pass_statement') return false;
  }
  return !ownReturns(model, fn).some((r) => r.startIndex > assign.endIndex && r.endIndex < stmt.startIndex);
}

/**
 * `ex = X(…)` … `ex.shutdown()` in one block → `with X(…) as ex:` and the statements
 * between, indented by the file's unit. Null wherever that would change the program.
 */
function withFix(model: SemanticModel, lines: readonly string[], assign: Node, fn: Node, binding: Binding, uses: Use[]): TextEdit | null {
  const create = assign.parent;
  if (create?.type !== 'expression_statement' || create.namedChildCount !== 1 || assign.childForFieldName('type')) return null;
  if (binding.sites.length !== 1) return null;
  const block = create.parent;
  const shutdown = uses.find(
    (u) => u.kind === 'call' && u.member === 'shutdown' && statementCall(u.call!.parent)?.id === u.call!.id && u.call!.parent!.parent?.id === block?.id && u.call!.startIndex > create.endIndex,
  );
  const close = shutdown?.call?.parent;
  if (!block || !shutdown || !close || !waitsOnly(model, shutdown.call!)) return null;
  if (uses.some((u) => u.node.startIndex < create.startIndex || u.node.endIndex > close.endIndex)) return null;
  const between = statementsOf(block).filter((s) => s.startIndex > create.endIndex && s.endIndex < close.startIndex);
  if (between.length === 0 || !ownsLines(lines, create) || !ownsLines(lines, close)) return null;
  const unit = indentUnit(model, lines, create);
  const inString = stringContinuationRows(lines, between);
  if (!inString) return null;
  const ctor = assign.childForFieldName('right')!;
  const name = assign.childForFieldName('left')!.text;
  const firstRow = create.endPosition.row + 1;
  const out = [`with ${ctor.text} as ${name}:${lines[create.endPosition.row].slice(create.endPosition.column)}`];
  for (let row = firstRow; row < close.startPosition.row; row++) {
    const line = lines[row];
    out.push(inString.has(row) || line.trim() === '' ? line : unit + line);
  }
  const lastRow = close.endPosition.row;
  const atEnd = lastRow + 1 >= lines.length;
  return {
    startLine: create.startPosition.row + 1,
    startColumn: create.startPosition.column + 1,
    endLine: atEnd ? lastRow + 1 : lastRow + 2,
    endColumn: atEnd ? lines[lastRow].length + 1 : 1,
    text: out.join('\n') + (atEnd ? '' : '\n'),
  };
}

/** `shutdown()`, `shutdown(wait=True)` or `shutdown(True)`: what leaving `with` does. */
function waitsOnly(model: SemanticModel, call: Node): boolean {
  const { positional, keywords, hasSplat } = model.args(call);
  if (hasSplat || positional.length + keywords.size > 1) return false;
  const wait = keywords.get('wait') ?? positional[0];
  return (keywords.size === 0 || keywords.has('wait')) && (!wait || literalBool(wait) === true);
}

/** A statement alone on its lines: only indentation before it, no other statement after it. */
function ownsLines(lines: readonly string[], stmt: Node): boolean {
  if (leadingText(lines, stmt).trim() !== '') return false;
  const prev = previousStatement(stmt);
  const next = nextStatement(stmt);
  return (!prev || prev.endPosition.row < stmt.startPosition.row) && (!next || next.startPosition.row > stmt.endPosition.row);
}

/**
 * Rows that start inside a multi-line string: re-indenting them would change the string.
 * Null when such a string has a line at column 0 (left as is, it reads as dedented code).
 */
function stringContinuationRows(lines: readonly string[], statements: Node[]): Set<number> | null {
  const rows = new Set<number>();
  for (const stmt of statements) {
    for (const s of stmt.descendantsOfType('string')) {
      if (!s || s.startPosition.row === s.endPosition.row) continue;
      for (let row = s.startPosition.row + 1; row <= s.endPosition.row; row++) {
        if (/^\S/.test(lines[row] ?? '')) return null;
        rows.add(row);
      }
    }
  }
  return rows;
}
