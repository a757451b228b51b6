import type { Finding, RuleMeta } from '../../lint/index.js';
import { isFixable } from './context.js';

export interface RuleCount {
  code: string;
  name: string;
  count: number;
  /** How many of them `--fix` would fix. */
  fixable: number;
}

/** Findings per rule, most frequent first (`--statistics`). */
export function ruleCounts(findings: readonly Finding[], rules: readonly RuleMeta[]): RuleCount[] {
  const names = new Map(rules.map((r) => [r.id, r.name]));
  const counts = new Map<string, RuleCount>();
  for (const f of findings) {
    const entry = counts.get(f.ruleId) ?? { code: f.ruleId, name: names.get(f.ruleId) ?? '', count: 0, fixable: 0 };
    entry.count++;
    if (isFixable(f)) entry.fixable++;
    counts.set(f.ruleId, entry);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

/** `  12  TL201  [*] blocking-call-without-timeout`, as Ruff prints them; [*] marks fixable rules. */
export function statisticsText(counts: readonly RuleCount[]): string {
  const width = Math.max(0, ...counts.map((c) => String(c.count).length));
  return counts.map((c) => `${String(c.count).padStart(width)}\t${c.code}\t${c.fixable > 0 ? '[*]' : '[ ]'} ${c.name}\n`).join('');
}

export function statisticsJson(counts: readonly RuleCount[]): string {
  return `${JSON.stringify(counts, null, 2)}\n`;
}
