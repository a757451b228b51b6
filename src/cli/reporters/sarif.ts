import type { FileNote, Finding, NoteKind, Range, RuleMeta, Severity } from '../../lint/index.js';
import { TOOL_INFORMATION_URI, TOOL_NAME } from '../package-info.js';
import type { ReportContext } from './context.js';

/**
 * SARIF 2.1.0 as GitHub code scanning reads it (DESIGN.md "Command line"): one run,
 * every rule in `tool.driver.rules`, one physical location per result, relative URIs
 * under `%SRCROOT%`, a fingerprint that survives line shifts, and `fixes`.
 */

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
const SRCROOT = '%SRCROOT%';
/** Key of `partialFingerprints`; bump the suffix if the fingerprint recipe ever changes. */
export const FINGERPRINT_KEY = 'threadlint/v1';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVELS: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', notice: 'note' };

/** How serious a note is: a crash means a file went unchecked; an exclusion is informative. */
const NOTE_LEVELS: Record<NoteKind, SarifLevel> = {
  crash: 'error',
  budget: 'error',
  'syntax-error': 'warning',
  unreadable: 'warning',
  'too-large': 'warning',
  excluded: 'note',
};

/** A relative path as a URI reference: each segment percent-encoded, slashes kept. */
export function pathToUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function artifactLocation(path: string) {
  return { uri: pathToUri(path), uriBaseId: SRCROOT };
}

function region(r: Range) {
  return { startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: r.endColumn };
}

function fallbackGuidance(rule: RuleMeta): string {
  return `# ${rule.id} ${rule.name}\n\n${rule.summary}\n\n${rule.why}\n\n[Guidance](${rule.helpUri})\n`;
}

function driverRule(rule: RuleMeta, guidance: ReadonlyMap<string, string>) {
  return {
    id: rule.id,
    name: rule.name,
    shortDescription: { text: rule.summary },
    fullDescription: { text: `${rule.summary} ${rule.why}` },
    helpUri: rule.helpUri,
    help: { text: `${rule.summary} ${rule.why} See ${rule.helpUri}`, markdown: guidance.get(rule.id) ?? fallbackGuidance(rule) },
    defaultConfiguration: { level: LEVELS[rule.severity] },
  };
}

function result(finding: Finding, ruleIndex: Map<string, number>) {
  const index = ruleIndex.get(finding.ruleId);
  return {
    ruleId: finding.ruleId,
    ...(index === undefined ? {} : { ruleIndex: index }),
    level: LEVELS[finding.severity],
    message: { text: finding.message },
    locations: [{ physicalLocation: { artifactLocation: artifactLocation(finding.path), region: region(finding) } }],
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
    ...(finding.fix
      ? {
          fixes: [
            {
              description: { text: finding.fix.description },
              artifactChanges: [
                {
                  artifactLocation: artifactLocation(finding.path),
                  replacements: finding.fix.edits.map((edit) => ({
                    deletedRegion: {
                      startLine: edit.startLine,
                      startColumn: edit.startColumn,
                      endLine: edit.endLine,
                      endColumn: edit.endColumn,
                    },
                    insertedContent: { text: edit.text },
                  })),
                },
              ],
            },
          ],
        }
      : {}),
  };
}

function notification(note: FileNote) {
  const physicalLocation = {
    artifactLocation: artifactLocation(note.path),
    ...(note.line === undefined ? {} : { region: { startLine: note.line } }),
  };
  return {
    level: NOTE_LEVELS[note.kind],
    message: { text: note.message },
    descriptor: { id: note.kind },
    locations: [{ physicalLocation }],
  };
}

export function sarifLog(findings: readonly Finding[], notes: readonly FileNote[], ctx: ReportContext) {
  const ruleIndex = new Map(ctx.rules.map((rule, i) => [rule.id, i]));
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: ctx.toolVersion,
            semanticVersion: ctx.toolVersion,
            informationUri: TOOL_INFORMATION_URI,
            rules: ctx.rules.map((rule) => driverRule(rule, ctx.guidance)),
          },
        },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notes.map(notification) }],
        columnKind: 'utf16CodeUnits',
        results: findings.map((f) => result(f, ruleIndex)),
      },
    ],
  };
}

export function sarifReporter(findings: readonly Finding[], notes: readonly FileNote[], ctx: ReportContext): string {
  return `${JSON.stringify(sarifLog(findings, notes, ctx), null, 2)}\n`;
}
