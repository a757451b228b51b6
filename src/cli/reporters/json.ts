import type { FileNote, Finding } from '../../lint/index.js';
import type { ReportContext } from './context.js';

/** One element of the JSON report: exactly the keys DESIGN.md lists, in that order. */
export interface JsonFinding {
  ruleId: string;
  severity: string;
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  helpUri: string;
  fix?: {
    description: string;
    edits: { startLine: number; startColumn: number; endLine: number; endColumn: number; text: string }[];
  };
}

export function toJsonFinding(f: Finding): JsonFinding {
  const out: JsonFinding = {
    ruleId: f.ruleId,
    severity: f.severity,
    path: f.path,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    message: f.message,
    helpUri: f.helpUri,
  };
  if (f.fix) {
    out.fix = {
      description: f.fix.description,
      edits: f.fix.edits.map((e) => ({
        startLine: e.startLine,
        startColumn: e.startColumn,
        endLine: e.endLine,
        endColumn: e.endColumn,
        text: e.text,
      })),
    };
  }
  return out;
}

/**
 * A plain JSON array of findings; notes are not part of it (they go to stderr). Under the
 * free-threading profile: `{ "findings": [...], "readiness": {...} }`.
 */
export function jsonReporter(findings: readonly Finding[], _notes: readonly FileNote[], ctx: ReportContext): string {
  const list = findings.map(toJsonFinding);
  return `${JSON.stringify(ctx.readiness ? { findings: list, readiness: ctx.readiness } : list, null, 2)}\n`;
}
