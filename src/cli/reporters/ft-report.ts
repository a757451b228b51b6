import type { FileNote, Finding } from '../../lint/index.js';
import { readinessMarkdown } from '../../report/index.js';
import type { ReportContext } from './context.js';

/** `--format ft-report`: the free-threading readiness report, Markdown to paste into an issue. */
export function ftReportReporter(_findings: readonly Finding[], _notes: readonly FileNote[], ctx: ReportContext): string {
  if (!ctx.readiness) throw new Error('ft-report needs the readiness report (built under the free-threading profile)');
  return readinessMarkdown(ctx.readiness);
}
