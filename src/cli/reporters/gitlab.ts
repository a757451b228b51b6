import { createHash } from 'node:crypto';
import type { FileNote, Finding, Severity } from '../../lint/index.js';
import type { ReportContext } from './context.js';

/** GitLab Code Quality severities: info, minor, major, critical, blocker. */
const SEVERITIES: Record<Severity, string> = { error: 'major', warning: 'minor', notice: 'info' };

/**
 * A GitLab Code Quality report (the `codequality` artifact of a merge request): an array
 * of issues, each with a fingerprint unique in the report and stable across pushes.
 */
export function gitlabReporter(findings: readonly Finding[], _notes: readonly FileNote[], _ctx: ReportContext): string {
  const issues = findings.map((f) => ({
    description: `${f.ruleId}: ${f.message}`,
    check_name: f.ruleId,
    fingerprint: createHash('sha256').update(`${f.path}\0${f.fingerprint}`).digest('hex').slice(0, 32),
    severity: SEVERITIES[f.severity],
    location: {
      path: f.path,
      positions: { begin: { line: f.line, column: f.column }, end: { line: f.endLine, column: f.endColumn } },
    },
  }));
  return `${JSON.stringify(issues, null, 2)}\n`;
}
