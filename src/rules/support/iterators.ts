import type { Node } from '../../engine/tree/index.js';
import { unwrap, type Binding, type SemanticModel } from '../../engine/model/model.js';

/**
 * Iterator objects and where they are consumed. A generator raises `ValueError:
 * generator already executing` when two threads resume it; other iterators hand the same
 * item to two threads or skip one. `itertools.count()` and `itertools.repeat()` are
 * thread-safe on free-threaded CPython and are not iterators here.
 */

const BUILTIN_ITERATORS = new Set(['iter', 'map', 'filter', 'zip', 'enumerate', 'reversed']);
const SAFE_ITERTOOLS = new Set(['itertools.count', 'itertools.repeat']);
const OTHER_ITERATORS = new Set(['csv.reader', 'csv.DictReader']);

/** What kind of iterator an expression builds, or null. */
export function iteratorOrigin(model: SemanticModel, expr: Node): 'generator' | 'iterator' | null {
  const e = unwrap(expr);
  if (e.type === 'generator_expression') return 'generator';
  if (e.type !== 'call') return null;
  const fn = e.childForFieldName('function');
  if (!fn) return null;
  if (fn.type === 'identifier' && BUILTIN_ITERATORS.has(fn.text) && !model.resolveName(fn.text, fn)) return 'iterator';
  const qname = model.calleeName(e);
  if (qname) {
    if (SAFE_ITERTOOLS.has(qname)) return null;
    return qname.startsWith('itertools.') || OTHER_ITERATORS.has(qname) ? 'iterator' : null;
  }
  const def = model.localFunction(fn);
  return def?.type === 'function_definition' && isGeneratorFunction(model, def) ? 'generator' : null;
}

/** Whether a binding holds an iterator at every site that assigns it (null: not one). */
export function bindingIterator(model: SemanticModel, binding: Binding): 'generator' | 'iterator' | null {
  let origin: 'generator' | 'iterator' | null = null;
  for (const site of binding.sites) {
    if (site.type !== 'assign' || !site.value) return null;
    const o = iteratorOrigin(model, site.value);
    if (!o) return null;
    origin = origin === 'generator' || o === 'generator' ? 'generator' : 'iterator';
  }
  return origin;
}

const generatorCache = new WeakMap<SemanticModel, Map<number, boolean>>();

function isGeneratorFunction(model: SemanticModel, def: Node): boolean {
  let known = generatorCache.get(model);
  if (!known) generatorCache.set(model, (known = new Map()));
  let answer = known.get(def.id);
  if (answer === undefined) {
    answer = def.descendantsOfType('yield').some((y) => model.enclosingFunction(y)?.id === def.id);
    known.set(def.id, answer);
  }
  return answer;
}

/**
 * Where an expression naming an iterator is consumed: the `next(x)` call, the `for`
 * loop or comprehension clause over `x`, `x.__next__()` / `x.send(…)`. Null otherwise.
 */
export function consumption(ref: Node): Node | null {
  let e = ref;
  while (e.parent?.type === 'parenthesized_expression') e = e.parent;
  const p = e.parent;
  if (!p) return null;
  if ((p.type === 'for_statement' || p.type === 'for_in_clause') && p.childForFieldName('right')?.id === e.id) return p.type === 'for_statement' ? p : p.parent;
  if (p.type === 'argument_list' && p.namedChildren[0]?.id === e.id) {
    const call = p.parent;
    const fn = call?.childForFieldName('function');
    if (call && fn?.type === 'identifier' && fn.text === 'next') return call;
  }
  if (p.type === 'attribute' && p.childForFieldName('object')?.id === e.id) {
    const method = p.childForFieldName('attribute')?.text;
    if ((method === '__next__' || method === 'send') && p.parent?.type === 'call') return p.parent;
  }
  return null;
}
