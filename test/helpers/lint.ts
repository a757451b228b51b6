import { analyze } from '../../src/lint/analyze.js';
import { applyEdits } from '../../src/engine/edits.js';
import { DEFAULT_CONFIG, type Finding, type ThreadlintConfig } from '../../src/engine/types.js';

/** Lint one in-memory Python file with the given rules (default: all). */
export async function lint(source: string, opts: { select?: string[]; config?: Partial<ThreadlintConfig>; path?: string } = {}): Promise<Finding[]> {
  const config = { ...DEFAULT_CONFIG, ...opts.config };
  const result = await analyze([{ path: opts.path ?? 'example.py', content: source }], { config, select: opts.select });
  return result.findings;
}

/** `line:col RULE` strings, compact for table tests. */
export function positions(findings: Finding[]): string[] {
  return findings.map((f) => `${f.line}:${f.column} ${f.ruleId}`);
}

/** Apply one finding's fix to the source it was found in. */
export function applyFix(source: string, finding: Finding): string {
  if (!finding.fix) throw new Error(`${finding.ruleId} at line ${finding.line} has no fix`);
  return applyEdits(source, finding.fix.edits);
}

/** Strip the common indentation of a template literal, so tests read like Python. */
export function py(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = String.raw({ raw: strings }, ...values).replace(/^\n/, '');
  const indent = Math.min(...raw.split('\n').filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length));
  return raw.split('\n').map((l) => l.slice(indent)).join('\n');
}
