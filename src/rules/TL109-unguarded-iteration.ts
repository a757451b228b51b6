import type { AccessKind } from '../engine/model/guards.js';
import { createRule } from '../engine/rule.js';
import { chosenGuard, guardSummary, joinFacts, reportAt, where, type GuardRuleFacts } from './support/guards.js';

const ITERATION: ReadonlySet<AccessKind> = new Set(['iterate']);
const CONTAINERS = new Set(['dict', 'list', 'set', 'deque']);
const SIZE_ERROR: Record<string, string> = {
  dict: '`RuntimeError: dictionary changed size during iteration`',
  set: '`RuntimeError: Set changed size during iteration`',
  deque: '`RuntimeError: deque mutated during iteration`',
  list: 'items skipped or seen twice',
};

/**
 * A loop over a dict, set or list that other threads change under a lock, iterated
 * without that lock: the loop runs Python code between items, so a change can land
 * mid-loop. The lock, the container and its changes are joined over every analysed file.
 */
export default createRule(
  {
    id: 'TL109',
    name: 'unguarded-iteration',
    severity: 'error',
    summary: 'A shared dict, set or list is iterated without the lock that guards it while other code changes it.',
    why: 'Another thread can add or remove an item while the loop runs: the loop raises or misses items.',
    fix: 'never',
    inTests: false,
  },
  (ctx) => {
    const summary = guardSummary(ctx);
    if (summary) ctx.setFacts({ summary } satisfies GuardRuleFacts);
  },
  (ctx) => {
    const { join } = joinFacts(ctx);
    for (const u of join.unguarded(ITERATION, false)) {
      if (!u.type || !CONTAINERS.has(u.type)) continue;
      const changes = join.mutations(u.state).filter((m) => m.access.phase === 'public' || m.access.phase === 'helper');
      if (!changes.length) continue;
      const change = changes.find((m) => m.guarded && m.path === u.path) ?? changes.find((m) => m.guarded) ?? changes[0];
      const guard = chosenGuard(u);
      const a = u.access;
      const what = a.how.startsWith('sorted') ? '`sorted()` iterates' : a.how.startsWith('comprehension') ? 'This comprehension iterates' : 'This loop iterates';
      const changeAt = where({ path: change.path, line: change.access.site.line }, u.path);
      const changer = change.guarded
        ? `which \`${change.access.fn}\` holds when it changes it (${changeAt})`
        : `the lock that guards it (${guard.declared ? 'declared' : 'held'} at ${where(guard, u.path)}), while \`${change.access.fn}\` changes it (${changeAt})`;
      const copy = `list(${a.text}${a.how.endsWith('.items') ? '.items()' : ''})`;
      ctx.report({
        ...reportAt(u, ''),
        message:
          `${what} \`${a.text}\` without \`${guard.name}\`, ${changer}; ${u.concurrency}: ` +
          `a change mid-loop gives ${SIZE_ERROR[u.type]}. Iterate a copy taken under the lock (\`with ${guard.name}: items = ${copy}\`).`,
      });
    }
  },
);
