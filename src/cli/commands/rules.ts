import { ruleCatalog, type RuleMeta } from '../../lint/index.js';
import { EXIT_OK, UsageError } from '../errors.js';
import type { CliIO } from '../io.js';
import { readGuidancePage } from '../package-info.js';

const COLUMNS = ['ID', 'NAME', 'SEVERITY', 'FIX', 'SUMMARY'] as const;

/** The catalog as an aligned plain-text table; the last column is not padded. */
export function rulesTable(rules: readonly RuleMeta[]): string {
  const rows = [
    [...COLUMNS] as string[],
    ...rules.map((r) => [r.id, r.name, r.severity, r.fix, r.summary]),
  ];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '))
    .join('\n')
    .concat('\n');
}

/** Find a rule by ID (`TL301`, any case) or name (`thread-run-called`). */
export function findRule(rules: readonly RuleMeta[], key: string): RuleMeta | undefined {
  const wanted = key.toLowerCase();
  return rules.find((r) => r.id.toLowerCase() === wanted || r.name === wanted);
}

/** `threadlint rules [ID]`: the catalog, or one rule's guidance page. */
export async function runRules(key: string | undefined, io: CliIO): Promise<number> {
  const rules = ruleCatalog();
  if (key === undefined) {
    io.stdout.write(rulesTable(rules));
    return EXIT_OK;
  }
  const rule = findRule(rules, key);
  if (!rule) throw new UsageError(`unknown rule: ${key} (run \`threadlint rules\` for the list)`);
  const page = await readGuidancePage(rule.id);
  io.stdout.write(page ?? `# ${rule.id} ${rule.name}\n\n${rule.summary}\n\n${rule.why}\n\n${rule.helpUri}\n`);
  return EXIT_OK;
}
