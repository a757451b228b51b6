/** The rules a run uses: the registry, narrowed by config levels and `--select` / `--ignore`. */
import { matchesIdList, ruleLevel } from '../config/resolve.js';
import type { ActiveRule } from '../engine/file.js';
import type { ThreadlintConfig } from '../engine/types.js';
import { RULES } from '../rules/index.js';

export interface Selection {
  select?: readonly string[];
  ignore?: readonly string[];
}

export function activeRules(config: ThreadlintConfig, selection: Selection = {}): ActiveRule[] {
  const out: ActiveRule[] = [];
  for (const rule of RULES) {
    const { id, severity } = rule.meta;
    // A profile's rules (TL6xx) exist only under that profile, whatever `rules:` says.
    if (rule.meta.profile && rule.meta.profile !== config.profile) continue;
    if (selection.select?.length && !matchesIdList(id, [...selection.select])) continue;
    if (selection.ignore?.length && matchesIdList(id, [...selection.ignore])) continue;
    const level = ruleLevel(config, id, severity);
    if (level !== 'off') out.push({ rule, severity: level, configured: Object.keys(config.rules).some((key) => id.startsWith(key)) });
  }
  return out;
}

export function knownRuleIds(): string[] {
  return RULES.map((r) => r.meta.id);
}
