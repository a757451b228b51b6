import type { FileNote, Finding, Severity } from '../../lint/index.js';
import { TOOL_INFORMATION_URI, TOOL_NAME } from '../package-info.js';
import type { ReportContext } from './context.js';

const SEVERITIES: Record<Severity, string> = { error: 'ERROR', warning: 'WARNING', notice: 'INFO' };

/** rdjson columns count UTF-8 bytes; ours count UTF-16 code units. */
function byteColumn(lines: string[] | undefined, line: number, column: number): number {
  const text = lines?.[line - 1];
  if (text === undefined) return column;
  return Buffer.byteLength(text.slice(0, column - 1), 'utf8') + 1;
}

/** The Reviewdog Diagnostic Format (`reviewdog -f=rdjson`), fixes as suggestions. */
export function rdjsonReporter(findings: readonly Finding[], _notes: readonly FileNote[], ctx: ReportContext): string {
  const linesOf = new Map<string, string[] | undefined>();
  const lines = (path: string) => {
    if (!linesOf.has(path)) linesOf.set(path, ctx.source?.(path)?.split(/\r?\n/));
    return linesOf.get(path);
  };
  const position = (path: string, line: number, column: number) => ({ line, column: byteColumn(lines(path), line, column) });
  const diagnostics = findings.map((f) => ({
    message: f.message,
    location: { path: f.path, range: { start: position(f.path, f.line, f.column), end: position(f.path, f.endLine, f.endColumn) } },
    severity: SEVERITIES[f.severity],
    code: { value: f.ruleId, url: f.helpUri },
    ...(f.fix?.safe
      ? {
          suggestions: f.fix.edits.map((e) => ({
            range: { start: position(f.path, e.startLine, e.startColumn), end: position(f.path, e.endLine, e.endColumn) },
            text: e.text,
          })),
        }
      : {}),
  }));
  return `${JSON.stringify({ source: { name: TOOL_NAME, url: TOOL_INFORMATION_URI }, diagnostics }, null, 2)}\n`;
}
