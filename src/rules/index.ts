import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Rule, RuleMeta } from '../engine/rule.js';

/**
 * The rule registry. Every module in this folder named `TL<digits>-<name>` is a rule
 * whose default export is built by `createRule`: adding a rule is adding its file.
 */
const RULE_FILE = /^(TL\d{3})-[a-z0-9-]+\.(?:js|ts)$/;

async function loadRules(): Promise<Rule[]> {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  const files = readdirSync(dir).filter((f) => RULE_FILE.test(f) && !f.endsWith('.d.ts')).sort();
  const rules: Rule[] = [];
  for (const file of files) {
    const mod = (await import(new URL(file, import.meta.url).href)) as { default?: Rule };
    const rule = mod.default;
    const id = RULE_FILE.exec(file)![1];
    if (!rule?.meta || rule.meta.id !== id) throw new Error(`${file} must default-export the rule ${id}`);
    rules.push(rule);
  }
  return rules;
}

export const RULES: readonly Rule[] = await loadRules();

export function ruleCatalog(): RuleMeta[] {
  return RULES.map((r) => r.meta);
}

export function ruleMeta(id: string): RuleMeta | undefined {
  return RULES.find((r) => r.meta.id === id || r.meta.name === id)?.meta;
}
