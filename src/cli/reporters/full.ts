import type { FileNote, Finding } from '../../lint/index.js';
import { colors } from '../colors.js';
import type { ReportContext } from './context.js';
import { findingLine, withTally } from './text.js';

/** Lines shown around the flagged ones, as Ruff's `full` format does. */
const CONTEXT_LINES = 2;

/**
 * The text line of each finding, then the code around it with the flagged span
 * underlined, the fix on offer and the rule's page: Ruff's `full` format.
 */
function block(f: Finding, ctx: ReportContext): string[] {
  const c = ctx.colors ?? colors(false);
  const out = [findingLine(f, ctx)];
  const text = ctx.source?.(f.path);
  if (text !== undefined) {
    const lines = text.split(/\r?\n/);
    if (lines[lines.length - 1] === '') lines.pop();
    const first = Math.max(1, f.line - CONTEXT_LINES);
    const last = Math.min(lines.length, f.endLine + CONTEXT_LINES);
    const width = String(last).length;
    out.push(`${' '.repeat(width)} ${c.cyan('|')}`);
    for (let n = first; n <= last; n++) {
      const line = lines[n - 1] ?? '';
      out.push(`${c.cyan(String(n).padStart(width))} ${c.cyan('|')} ${line}`.trimEnd());
      if (n >= f.line && n <= f.endLine) {
        const from = n === f.line ? f.column - 1 : line.length - line.trimStart().length;
        const to = n === f.endLine ? f.endColumn - 1 : line.length;
        if (to > from) out.push(`${' '.repeat(width)} ${c.cyan('|')} ${' '.repeat(from)}${c.red('^'.repeat(to - from))}`);
      }
    }
    out.push(`${' '.repeat(width)} ${c.cyan('|')}`);
  }
  if (f.fix) out.push(`  ${c.cyan('help')}: ${f.fix.description}${f.fix.safe ? '' : ' (unsafe: not applied by --fix)'}`);
  out.push(`  ${c.cyan('docs')}: ${f.helpUri}`, '');
  return out;
}

export function fullReporter(findings: readonly Finding[], _notes: readonly FileNote[], ctx: ReportContext): string {
  return withTally(findings.flatMap((f) => block(f, ctx)), findings, ctx);
}
