import { createRule } from '../engine/rule.js';
import { containerRaces } from './support/container-races.js';
import { isCacheName } from './support/caches.js';
import { oneLine } from './support/locking.js';

/**
 * A module-level dict, list or set that functions change with no lock held, in a way
 * that races: free-threaded Python runs those functions truly in parallel. Caches
 * (names with `cache` / `memo`) are TL605's.
 */
export default createRule(
  {
    id: 'TL601',
    name: 'shared-mutable-global',
    severity: 'warning',
    summary: 'A module-level dict, list or set is changed by functions with no lock held, in a way that races when they run in parallel.',
    why: 'Without the GIL, every function of a library may run on several threads at once; module state is shared by all of them.',
    fix: 'never',
    inTests: false,
    profile: 'free-threading',
  },
  (ctx) => {
    const { model, config } = ctx;
    for (const race of containerRaces(model, config, (c) => !isCacheName(c.name))) {
      const { use } = race;
      ctx.report({
        node: use.node,
        message:
          `\`${oneLine(use.node.text)}\` changes the module-level ${use.container.kind} \`${use.container.name}\` with no lock held, and ${race.explanation}. ` +
          `Guard every access with one module lock, or keep the state per thread (\`threading.local()\`) or per call.`,
      });
    }
  },
);
