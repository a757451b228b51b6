import type { Node } from '../engine/tree/index.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import { createRule, type ProposedFix } from '../engine/rule.js';
import { checkThenActs, type CheckThenAct } from './support/check-then-act.js';
import { containerRaces } from './support/container-races.js';
import { containerKindOf } from './support/module-state.js';
import { oneLine } from './support/locking.js';

/**
 * A test of shared state and the action that relies on its answer, with no one hold of
 * one lock around both: two threads both pass the test, and both act.
 */
export default createRule(
  {
    id: 'TL108',
    name: 'check-then-act',
    severity: 'error',
    summary: 'A test of shared state and the action that depends on it (`if k not in d: d[k] = …`, `if self._x is None: self._x = …`, `if not q.empty(): q.get()`) run without one hold of one lock.',
    why: 'Two threads can both pass the test before either acts: a cache is filled twice, a lazy object built twice, a queue read after another consumer emptied it.',
    fix: 'sometimes',
    inTests: false,
  },
  (ctx) => {
    const { model, config, source } = ctx;
    if (!model.threads.entries().length && !model.locks.hasAcquisitions() && config.profile !== 'free-threading' && !/thread[-\s]?safe|guarded[-\s]by/i.test(source)) return;
    // Under the free-threading profile TL601 / TL605 report the races of module
    // containers they explain better; a check-then-act they report is theirs.
    const theirs = config.profile === 'free-threading' ? containerRaces(model, config, () => true).map((r) => r.use.node) : [];
    for (const c of checkThenActs(model, config)) {
      if (theirs.some((n) => c.test.contains(n) || n.contains(c.act))) continue;
      const fix = c.form === 'dict' ? setdefaultFix(model, source, c) : null;
      ctx.report({ node: c.test, endNode: c.condition, message: message(c, !!fix), fix: fix ?? undefined });
    }
  },
);

function message(c: CheckThenAct, fixable: boolean): string {
  const state = `\`${oneLine(unwrap(c.state).text, 40)}\``;
  const actLine = c.act.startPosition.row + 1;
  const act = `\`${oneLine(c.act.text, 50)}\``;
  switch (c.form) {
    case 'dict':
      return (
        `\`${oneLine(c.condition.text, 50)}\` tests ${state} and ${act} (line ${actLine}) fills it with no lock held across both, and ${c.concurrency.text}: ` +
        `two threads can both miss the key, and ${c.harm}. ` +
        (fixable ? 'Use `setdefault`, which tests and fills in one step.' : 'Hold one lock around the test and the fill, or use `setdefault`.')
      );
    case 'lazy':
      return (
        `\`${oneLine(c.condition.text, 50)}\` tests ${state} and ${act} (line ${actLine}) sets it with no lock held across both, and ${c.concurrency.text}: ` +
        `two threads can both see it unset, and ${c.harm}. Hold one lock around the test and the assignment (test again under the lock if the first test stays outside it).`
      );
    case 'queue':
      return (
        `\`${oneLine(c.condition.text, 50)}\` tests ${state} and ${act} (line ${actLine}) takes from it, and ${c.concurrency.text}: ${c.harm}. ` +
        'Take with `get_nowait()` (or `get(timeout=…)`) and handle `queue.Empty` instead of testing first.'
      );
    case 'split': {
      const [first, second] = c.locks!;
      return (
        `\`${oneLine(c.condition.text, 50)}\` tests ${state} under \`with ${first.expr.text}:\` (line ${first.at.startPosition.row + 1}), and ${act} (line ${actLine}) acts on the answer under a second \`with ${second.expr.text}:\` (line ${second.at.startPosition.row + 1}); ${c.concurrency.text}: ` +
        `another thread can act in between, and ${c.harm}. Test again under the second hold before acting, or hold the lock once across both.`
      );
    }
  }
}

/** Builtin constructors with no arguments, and the literals: values that cost nothing and do nothing. */
const PURE_CALLS = new Set(['list', 'dict', 'set', 'tuple', 'frozenset']);
const LITERALS = new Set(['integer', 'float', 'string', 'true', 'false', 'none', 'identifier', 'list', 'dictionary', 'set', 'tuple']);

/**
 * `D.setdefault(k, v)` for `if k not in D: D[k] = v` when the block is that one store, with
 * no `else`, `D` a plain dict, and `k` and `v` free of side effects.
 */
function setdefaultFix(model: SemanticModel, source: string, c: CheckThenAct): ProposedFix | null {
  const test = c.test;
  const cond = unwrap(c.condition);
  if (test.type !== 'if_statement' || cond.type !== 'comparison_operator' || !/\bnot\s+in\b/.test(cond.text)) return null;
  if (test.childForFieldName('alternative') || test.namedChildren.some((n) => n?.type === 'elif_clause' || n?.type === 'else_clause')) return null;
  const body = test.childForFieldName('consequence');
  const stmts = body?.namedChildren.filter((n) => n) ?? [];
  if (stmts.length !== 1 || stmts[0]!.type !== 'expression_statement' || stmts[0]!.namedChildren[0]?.id !== c.act.id) return null;
  // A comment on the `if` line stays on the new line; one anywhere else would be lost.
  const comments = test.descendantsOfType('comment');
  if (comments.some((c) => c.startPosition.row !== test.startPosition.row)) return null;
  if (!c.value || !c.key || !pure(c.value) || !pure(c.key, true)) return null;
  if (!plainDict(model, c.state)) return null;
  const line = source.slice(source.lastIndexOf('\n', test.startIndex - 1) + 1, test.startIndex);
  if (line.trim()) return null;
  const call = `${unwrap(c.state).text}.setdefault(${c.key.text}, ${unwrap(c.value).text})`;
  const text = comments.length ? `${call}  ${comments.map((n) => n.text).join(' ')}` : call;
  return {
    description: `Use \`${oneLine(call, 60)}\``,
    safe: true,
    edits: [
      {
        startLine: test.startPosition.row + 1,
        startColumn: test.startPosition.column + 1,
        endLine: test.endPosition.row + 1,
        endColumn: test.endPosition.column + 1,
        text,
      },
    ],
  };
}

/** A literal, a name, an attribute chain (for keys), or `list()` / `dict()` / `set()` with no arguments. */
function pure(n: Node, key = false): boolean {
  const v = unwrap(n);
  if (v.type === 'call') {
    const fn = v.childForFieldName('function');
    return fn?.type === 'identifier' && PURE_CALLS.has(fn.text) && (v.childForFieldName('arguments')?.namedChildren.length ?? 0) === 0;
  }
  if (key && v.type === 'attribute') return pure(v.childForFieldName('object')!, true);
  if (v.type === 'list' || v.type === 'dictionary' || v.type === 'set' || v.type === 'tuple') return v.namedChildren.every((c) => !c || pure(c, key));
  if (v.type === 'unary_operator') return pure(v.namedChildren[0]!, key);
  return LITERALS.has(v.type) || v.type === 'concatenated_string';
}

/** The container is only ever bound to a fresh dict (so `setdefault` is dict's own). */
function plainDict(model: SemanticModel, state: Node): boolean {
  const s = unwrap(state);
  const binding = model.bindingOf(s);
  const sites = binding ? [...binding.sites, ...(binding.cls?.scope.bindings.get(binding.name) ?? [])] : [];
  if (sites.length === 0) return false;
  return sites.every((site) => site.type === 'assign' && !!site.value && containerKindOf(model, site.value) === 'dict');
}
