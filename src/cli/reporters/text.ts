import type { FileNote, Finding, Severity } from '../../lint/index.js';
import { isFixable, type ReportContext } from './context.js';

/** `3 findings`, `1 error`, `2 fixes`: English plural for the tally. */
function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

const SEVERITY_ORDER: readonly Severity[] = ['error', 'warning', 'notice'];

/**
 * The closing line: `No findings in 12 files.` or
 * `3 findings (2 errors, 1 warning) in 12 files; 1 fixable with --fix.`,
 * plus `; 2 fixes applied` after `--fix`.
 */
export function tallyLine(findings: readonly Finding[], ctx: ReportContext): string {
  const files = count(ctx.filesAnalyzed, 'file');
  const parts: string[] = [];
  if (findings.length === 0) {
    parts.push(`No findings in ${files}`);
  } else {
    const bySeverity = SEVERITY_ORDER.map((severity) => [severity, findings.filter((f) => f.severity === severity).length] as const)
      .filter(([, n]) => n > 0)
      .map(([severity, n]) => count(n, severity));
    parts.push(`${count(findings.length, 'finding')} (${bySeverity.join(', ')}) in ${files}`);
    const fixable = findings.filter(isFixable).length;
    if (fixable > 0) parts.push(`${fixable} fixable with --fix`);
  }
  if (ctx.fixesApplied !== undefined) parts.push(`${count(ctx.fixesApplied, 'fix', 'fixes')} applied`);
  return `${parts.join('; ')}.`;
}

/** `path:line: note: message`: how a note reads on stderr. */
export function formatNote(note: FileNote): string {
  const where = note.line === undefined ? note.path : `${note.path}:${note.line}`;
  return `${where}: note: ${note.message}`;
}

/** One line per finding, ruff/flake8 style, then the tally. Notes go to stderr, not here. */
export function textReporter(findings: readonly Finding[], _notes: readonly FileNote[], ctx: ReportContext): string {
  const lines = findings.map((f) => `${f.path}:${f.line}:${f.column}: ${f.ruleId} [${f.severity}] ${f.message}`);
  lines.push(tallyLine(findings, ctx));
  return `${lines.join('\n')}\n`;
}
