/**
 * The project step: rules that compare files (lock orders across the run, queue joins
 * against `task_done` calls) run once every file is in, over the plain-data facts each
 * file left. It never sees a tree.
 */
import type { ActiveRule, FileAnalysis } from './file.js';
import { assignFingerprints } from './findings.js';
import type { ProjectContext, ProjectReport } from './rule.js';
import { SuppressionMap } from './suppressions.js';
import type { FileNote, Finding, ThreadlintConfig } from './types.js';

type Draft = Omit<Finding, 'fingerprint'>;

export interface ProjectInput {
  rules: readonly ActiveRule[];
  files: readonly FileAnalysis[];
  config: ThreadlintConfig;
  /** With a diff: whether any of the lines is changed. */
  changed?: ProjectContext['changed'];
  /** Paths findings may be reported on (context files are not); default: all. */
  reportable?: (path: string) => boolean;
}

export function projectFindings(input: ProjectInput): { findings: Finding[]; notes: FileNote[] } {
  const findings: Finding[] = [];
  const notes: FileNote[] = [];
  const suppressions = new Map(input.files.map((f) => [f.path, new SuppressionMap(f.suppressions)]));
  for (const { rule, severity, configured } of input.rules) {
    if (!rule.checkProject) continue;
    const id = rule.meta.id;
    const files = input.files.filter((f) => f.facts[id] !== undefined).map((f) => ({ path: f.path, facts: f.facts[id] }));
    if (files.length === 0) continue;
    const drafts: Draft[] = [];
    const codes = new Map<Draft, string>();
    const report = (r: ProjectReport) => {
      if (input.reportable && !input.reportable(r.path)) return;
      if (suppressions.get(r.path)?.isSuppressed(id, r.statementLine, r.statementEndLine)) return;
      const { code, severity: own, fix, ...rest } = r;
      const draft: Draft = { ...rest, ruleId: id, severity: own && !configured ? own : severity, helpUri: rule.meta.helpUri };
      if (fix && rule.meta.fix !== 'never' && fix.edits.length > 0) draft.fix = { description: fix.description, safe: fix.safe !== false, edits: fix.edits };
      codes.set(draft, code);
      drafts.push(draft);
    };
    try {
      rule.checkProject({ files, config: input.config, report, changed: input.changed });
    } catch (error) {
      notes.push({ path: '.', kind: 'crash', message: `rule ${id} failed and was skipped: ${error instanceof Error ? error.message : String(error)}` });
    }
    findings.push(...assignFingerprints(drafts, (d) => codes.get(d as Draft) ?? ''));
  }
  return { findings, notes };
}
