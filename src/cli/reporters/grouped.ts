import type { FileNote, Finding } from '../../lint/index.js';
import { colors } from '../colors.js';
import type { ReportContext } from './context.js';
import { withTally } from './text.js';

/** Findings under a header per file, positions aligned: Ruff's `grouped` format. */
export function groupedReporter(findings: readonly Finding[], _notes: readonly FileNote[], ctx: ReportContext): string {
  const c = ctx.colors ?? colors(false);
  const byPath = new Map<string, Finding[]>();
  for (const f of findings) byPath.set(f.path, [...(byPath.get(f.path) ?? []), f]);
  const lines: string[] = [];
  for (const [path, group] of byPath) {
    const positions = group.map((f) => `${f.line}:${f.column}`);
    const width = Math.max(...positions.map((p) => p.length));
    lines.push(`${c.bold(c.underline(path))}:`);
    group.forEach((f, i) => lines.push(`  ${positions[i].padEnd(width)} ${c.bold(c.red(f.ruleId))} [${f.severity}] ${f.message}`));
    lines.push('');
  }
  return withTally(lines, findings, ctx);
}
