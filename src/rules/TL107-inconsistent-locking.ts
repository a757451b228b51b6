import type { AccessKind, StateAccess } from '../engine/model/guards.js';
import type { UnguardedAccess } from '../engine/project/guards.js';
import { createRule, type ProposedFix } from '../engine/rule.js';
import { chosenGuard, guardSummary, joinFacts, reportAt, where, wrapsFor, type GuardRuleFacts, type Wrap } from './support/guards.js';
import { oneLine } from './support/locking.js';

const WRITES: ReadonlySet<AccessKind> = new Set(['store', 'item-store', 'del', 'mutate']);
const CONTAINERS = new Set(['dict', 'list', 'set']);

/**
 * State written under a lock in one place is guarded by that lock; a write elsewhere
 * without it, in code that runs alongside the locked code, breaks the discipline the
 * locked code relies on. The guards are decided over every analysed file (context files
 * too), so a subclass or another module that forgets the lock is found.
 */
export default createRule(
  {
    id: 'TL107',
    name: 'inconsistent-locking',
    severity: 'error',
    summary: 'State written under a lock in one place is written or mutated without that lock elsewhere in concurrent code.',
    why: 'The locked code assumes no one else changes the state while it holds the lock; this write can land in the middle of it.',
    fix: 'sometimes',
    inTests: false,
  },
  (ctx) => {
    const summary = guardSummary(ctx);
    if (!summary) return;
    const facts: GuardRuleFacts = { summary, wraps: wrapsFor(ctx, summary) };
    ctx.setFacts(facts);
  },
  (ctx) => {
    const { join, facts } = joinFacts(ctx);
    for (const u of join.unguarded(WRITES, true)) {
      const a = u.access;
      // `x += 1` is TL104's; a deque's single operations are atomic.
      if (a.readModifyWrite || u.type === 'deque') continue;
      // Rebinding an attribute is one atomic step: the locked code sees the old value or
      // the new one. It breaks a discipline only the author declared (`# guarded by`).
      if (a.kind === 'store' && !u.guards.some((g) => g.declared)) continue;
      // `add()` or `x[k] = v` on an object of unknown class may be that class's own locked method.
      if (a.kind !== 'store' && (!u.type || !CONTAINERS.has(u.type))) continue;
      const guard = chosenGuard(u);
      const held = `${guard.declared ? 'declared' : 'held'} at ${where(guard, u.path)}`;
      const heldOther = a.held.length ? ' (only another lock is held here)' : '';
      const own = facts.get(u.path);
      const wrap = own?.wraps?.[u.index];
      const fix = u.guards.length === 1 && !a.held.length && wrap && own ? lockFix(u, wrap, own.summary.module) : undefined;
      ctx.report({
        ...reportAt(u, ''),
        message:
          `This ${change(a)} changes \`${oneLine(a.text, 40)}\` without \`${guard.name}\`, the lock that guards it (${held})${heldOther}; ` +
          `${u.concurrency}, so another thread can run the locked code at the same time and see a half-done change or lose this one. Hold \`${guard.name}\` here.`,
        fix,
      });
    }
  },
);

function change(a: StateAccess): string {
  switch (a.kind) {
    case 'store':
      return a.how === 'del' ? '`del`' : 'assignment';
    case 'item-store':
      return 'item assignment';
    case 'del':
      return '`del`';
    default:
      return `\`${a.how}()\``;
  }
}

/** `with self._lock:` around the statement, when the lock can be named at the access: the class's own lock, or this module's. */
function lockFix(u: UnguardedAccess, wrap: Wrap, module: string): ProposedFix | undefined {
  const guard = u.guards[0];
  const lockClass = guard.lock.slice(0, guard.lock.lastIndexOf('.'));
  const attr = guard.lock.slice(guard.lock.lastIndexOf('.') + 1);
  let name: string | null = null;
  if (guard.name.startsWith('self.')) {
    if (wrap.selfName && u.access.cls && u.state.startsWith(`${lockClass}.`)) name = `${wrap.selfName}.${attr}`;
  } else if (lockClass === module) name = attr;
  if (!name) return undefined;
  return {
    description: `Hold \`${name}\` around the change`,
    edits: [
      {
        startLine: wrap.startLine,
        startColumn: wrap.startColumn,
        endLine: wrap.endLine,
        endColumn: wrap.endColumn,
        text: `with ${name}:\n${wrap.indent}${wrap.unit}${wrap.body}`,
      },
    ],
  };
}
