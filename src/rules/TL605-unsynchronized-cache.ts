import type { Node } from '../engine/tree/index.js';
import type { SemanticModel } from '../engine/model/model.js';
import { createRule, type ProposedFix } from '../engine/rule.js';
import type { ThreadlintConfig } from '../engine/types.js';
import { isCacheName, isCachetoolsCache, lockArgumentFix } from './support/caches.js';
import { lockedAt, possiblyConcurrent } from './support/concurrent-code.js';
import { containerRaces } from './support/container-races.js';
import { oneLine } from './support/locking.js';

const DECORATORS = new Set(['cachetools.cached', 'cachetools.cachedmethod']);

/**
 * Caches shared by concurrent code without a lock: `cachetools` decorators without
 * `lock=`, module-level `cachetools` caches used directly (their reads reorder them), and
 * hand-rolled dict caches filled, evicted or iterated in a way that races.
 */
export default createRule(
  {
    id: 'TL605',
    name: 'unsynchronized-cache',
    severity: 'warning',
    summary: 'A cache shared by concurrent code is used without a lock: `@cachetools.cached(cache)` without `lock=`, or a module cache filled, evicted or iterated with no lock held.',
    why: 'A cache is a read, a compute and a write; cachetools caches even reorder themselves on reads. Without a lock, parallel callers corrupt them or fill them twice.',
    fix: 'sometimes',
    inTests: false,
    profile: 'free-threading',
  },
  (ctx) => {
    const { model, config, source } = ctx;
    for (const call of model.calls) {
      const qname = model.calleeName(call);
      if (!qname || !DECORATORS.has(qname) || call.parent?.type !== 'decorator') continue;
      const { keywords, hasSplat } = model.args(call);
      if (keywords.has('lock') || hasSplat) continue;
      const fix = lockArgumentFix(model, source, call);
      ctx.report({
        node: call,
        message:
          `\`${oneLine(call.text)}\` shares one cache between every caller and gives it no lock: cachetools caches are not thread-safe, and parallel calls corrupt the cache's order or size bookkeeping. ` +
          `Pass \`lock=\`${fix ? ` (\`${fix.lock}\`)` : ''}; cachetools then holds it only around cache access, not while the function runs.`,
        fix: fix?.fix,
      });
    }
    reportDirectCacheUse(ctx.report, model, config);
    for (const race of containerRaces(model, config, (c) => isCacheName(c.name))) {
      const { use } = race;
      ctx.report({
        node: use.node,
        message: `\`${oneLine(use.node.text)}\` changes the module-level cache \`${use.container.name}\` with no lock held, and ${race.explanation}. Guard the lookup and the fill with one lock, or use \`functools.lru_cache\` (thread-safe) or \`cachetools.cached(cache, lock=…)\`.`,
      });
    }
  },
);

/** Module-level `cachetools` caches read or written from concurrent code with no lock: the first use per function. */
function reportDirectCacheUse(report: (r: { node: Node; message: string; fix?: ProposedFix }) => void, model: SemanticModel, config: Pick<ThreadlintConfig, 'profile'>): void {
  const caches = new Map<string, string>();
  for (const [name, sites] of model.index.module.bindings) {
    const ctor = sites.length > 0 && sites.every((s) => s.type === 'assign' && s.value) ? isCachetoolsCache(model, sites) : null;
    if (ctor) caches.set(name, ctor);
  }
  if (caches.size === 0) return;
  const seen = new Set<string>();
  for (const id of model.root.descendantsOfType('identifier')) {
    const ctor = caches.get(id.text);
    if (!ctor) continue;
    const fn = model.enclosingFunction(id);
    if (!fn || model.resolveName(id.text, id)?.key !== `g:${id.text}`) continue;
    if (id.parent?.type === 'argument_list' || id.parent?.type === 'keyword_argument') continue;
    const key = `${id.text}:${fn.id}`;
    if (seen.has(key) || !possiblyConcurrent(model, fn, config) || lockedAt(model, id)) continue;
    seen.add(key);
    const stmt = model.statementOf(id);
    report({
      node: id,
      message: `\`${oneLine(stmt.text)}\` uses the module-level \`${ctor}\` \`${id.text}\` with no lock held: cachetools caches are not thread-safe (even a lookup reorders an LRU cache), and this code may run on several threads at once. Hold one lock around every access, or decorate the function with \`cachetools.cached(${id.text}, lock=…)\`.`,
    });
  }
}
