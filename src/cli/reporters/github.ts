import type { FileNote, Finding, RuleMeta, Severity } from '../../lint/index.js';
import type { ReportContext } from './context.js';
import { tallyLine } from './text.js';

/**
 * GitHub Actions workflow commands (`::error file=…::message`), which the runner turns
 * into annotations on the pull request. Escaping follows @actions/core's toCommandValue
 * rules: `%`, CR and LF in the message; those plus `:` and `,` in properties.
 */

export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const COMMANDS: Record<Severity, string> = { error: 'error', warning: 'warning', notice: 'notice' };

function command(name: string, properties: [string, string | number][], message: string): string {
  const props = properties.map(([key, value]) => `${key}=${escapeProperty(String(value))}`).join(',');
  return `::${name} ${props}::${escapeData(message)}`;
}

function findingCommand(f: Finding, rules: ReadonlyMap<string, RuleMeta>): string {
  const name = rules.get(f.ruleId)?.name;
  // GitHub honours columns only for single-line annotations.
  const sameLine = f.line === f.endLine;
  const properties: [string, string | number][] = [
    ['file', f.path],
    ['line', f.line],
    ...(sameLine ? ([['col', f.column]] as [string, number][]) : []),
    ['endLine', f.endLine],
    ...(sameLine ? ([['endColumn', f.endColumn]] as [string, number][]) : []),
    ['title', name ? `${f.ruleId} ${name}` : f.ruleId],
  ];
  return command(COMMANDS[f.severity], properties, f.message);
}

function noteCommand(note: FileNote): string {
  const properties: [string, string | number][] = [
    ['file', note.path],
    ...(note.line === undefined ? [] : ([['line', note.line]] as [string, number][])),
    ['title', `threadlint ${note.kind}`],
  ];
  return command(note.kind === 'excluded' ? 'notice' : 'warning', properties, note.message);
}

/** One command per finding and per note, then the plain tally line for the log. */
export function githubReporter(findings: readonly Finding[], notes: readonly FileNote[], ctx: ReportContext): string {
  const rules = new Map(ctx.rules.map((r) => [r.id, r]));
  const lines = [...findings.map((f) => findingCommand(f, rules)), ...notes.map(noteCommand), tallyLine(findings, ctx)];
  return `${lines.join('\n')}\n`;
}
