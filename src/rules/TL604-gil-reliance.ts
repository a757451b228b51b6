import type { Node } from '../engine/tree/index.js';
import type { SemanticModel } from '../engine/model/model.js';
import { createRule } from '../engine/rule.js';
import { lockedAt } from './support/concurrent-code.js';
import { moduleState } from './support/module-state.js';
import { oneLine } from './support/locking.js';

/** A comment that names the GIL as what makes code safe. */
const RELIES = /\bGIL\b.{0,40}\b(?:protect|guarantee|serializ|serialis|ensure|make|keep|prevent)|\b(?:atomic|safe|thread-safe|threadsafe|no lock|without (?:a )?lock|don'?t need (?:a )?lock|no need (?:for|to)).{0,40}\b(?:because of|thanks to|due to|relying on|relies on|rely on|protected by|guaranteed by|under|with) (?:the )?GIL\b|\b(?:thanks to|because of|due to|rel(?:y|ies|ying) on) (?:the )?GIL\b/i;

/** Comments about the GIL that are not reliance on it: releasing it, C-level holding, free-threading itself. */
const NOT_RELIANCE = /\b(?:releas\w*|drop\w*|without the GIL|no GIL|nogil|free[- ]?thread\w*|Py_GIL|PyGILState|holding the GIL|hold the GIL|acquir\w* the GIL|GIL[- ]?(?:disabled|free)|not (?:atomic|safe))/i;

/**
 * Code that states or tunes the GIL as its synchronisation: `sys.setswitchinterval`, or
 * a comment such as "atomic because of the GIL" next to shared state with no lock.
 */
export default createRule(
  {
    id: 'TL604',
    name: 'gil-reliance',
    severity: 'warning',
    summary: 'Code relies on the GIL for thread safety: `sys.setswitchinterval(…)`, or a comment such as "atomic because of the GIL" next to shared state with no lock.',
    why: 'Free-threaded Python has no GIL: what it serialised now runs in parallel, and the switch interval no longer decides when threads interleave.',
    fix: 'never',
    inTests: false,
    profile: 'free-threading',
  },
  (ctx) => {
    const { model } = ctx;
    for (const call of model.calls) {
      if (model.calleeName(call) !== 'sys.setswitchinterval') continue;
      ctx.report({
        node: call,
        message: `\`${oneLine(call.text)}\` tunes how often the GIL switches threads; without the GIL threads run in parallel and this setting neither protects nor orders anything. Make the code it protects safe with a lock.`,
      });
    }
    if (!/\bGIL\b/.test(ctx.source)) return;
    const reported = new Set<number>();
    for (const comment of model.root.descendantsOfType('comment')) {
      if (!RELIES.test(comment.text) || NOT_RELIANCE.test(comment.text)) continue;
      const stmt = statementFor(model, comment);
      if (!stmt || reported.has(stmt.id) || !touchesSharedState(model, stmt) || lockedAt(model, stmt)) continue;
      reported.add(stmt.id);
      ctx.report({
        node: stmt,
        message: `The comment "${oneLine(comment.text.replace(/^#\s*/, '').replace(/\s+#.*$/, ''), 70)}" relies on the GIL, and \`${oneLine(stmt.text, 50)}\` touches shared state with no lock: on free-threaded Python nothing serialises it. Guard it with a lock (or make it per thread).`,
      });
    }
  },
);

/** The statement a comment speaks of: the one it trails, or the next one below a comment block. */
function statementFor(model: SemanticModel, comment: Node): Node | null {
  const line = comment.startPosition.row;
  const prev = comment.previousSibling;
  if (prev && prev.endPosition.row === line) return model.statementOf(prev);
  let next = comment.nextNamedSibling;
  while (next?.type === 'comment') next = next.nextNamedSibling;
  if (next && next.startPosition.row <= line + 3) return next.type === 'block' ? (next.namedChildren[0] ?? null) : model.statementOf(next);
  // A comment that ends a block speaks of nothing below it; one at the top of a block of the next statement.
  const parent = comment.parent;
  if (parent && !next && parent.type !== 'block' && parent.type !== 'module') return model.statementOf(parent);
  return null;
}

/** Whether the statement changes or reads-and-acts on state other threads share: a global, `self.x`, a module container. */
function touchesSharedState(model: SemanticModel, stmt: Node): boolean {
  if (stmt.type === 'function_definition' || stmt.type === 'class_definition' || stmt.type === 'decorated_definition') return false;
  // Only code that runs after import, outside construction, and not the lock itself.
  const owner = model.enclosingFunction(stmt);
  if (!owner || owner.childForFieldName('name')?.text === '__init__') return false;
  const value = stmt.type === 'expression_statement' ? stmt.namedChildren[0]?.childForFieldName('right') : null;
  if (value && model.kindOf(value) !== null) return false;
  const containers = new Set(moduleState(model).containers.map((c) => c.name));
  const fn = model.enclosingFunction(stmt);
  const scope = model.scopeOf(stmt);
  for (const id of [stmt, ...stmt.descendantsOfType(['identifier', 'attribute'])]) {
    if (id.type === 'attribute' && model.bindingOf(id)?.cls) return true;
    if (id.type !== 'identifier') continue;
    if (containers.has(id.text) && model.resolveName(id.text, id)?.key === `g:${id.text}`) return true;
    if (fn && (scope.globals.has(id.text) || scope.nonlocals.has(id.text))) return true;
  }
  return false;
}
