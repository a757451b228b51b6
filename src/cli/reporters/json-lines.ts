import type { FileNote, Finding } from '../../lint/index.js';
import type { ReportContext } from './context.js';
import { toJsonFinding } from './json.js';

/** One JSON object per line, the same objects as the `json` format's array. */
export function jsonLinesReporter(findings: readonly Finding[], _notes: readonly FileNote[], _ctx: ReportContext): string {
  return findings.map((f) => `${JSON.stringify(toJsonFinding(f))}\n`).join('');
}
