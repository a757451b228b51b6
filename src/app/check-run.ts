/**
 * The check run: its conclusion, its summary (a table per rule, links to guidance,
 * what was skipped and why) and every finding as an annotation, sent 50 per request
 * because the Checks API accepts no more.
 */
import type { FailOn, FileNote, Finding, RuleMeta, Severity } from '../lint/index.js';
import { failsAt } from '../config/resolve.js';
import type { GitHub, RepoRef } from './github.js';

export const CHECK_NAME = 'threadlint';
export const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub refuses an output summary or text longer than this. */
const MAX_SUMMARY = 65_000;

export type Conclusion = 'success' | 'failure' | 'neutral' | 'action_required';

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
}

const LEVEL: Record<Severity, Annotation['annotation_level']> = { error: 'failure', warning: 'warning', notice: 'notice' };

/** `failure` when a kept finding is at or above `fail_on`, else `success`. */
export function conclusionFor(findings: readonly Finding[], failOn: FailOn): Conclusion {
  return findings.some((f) => failsAt(f.severity, failOn)) ? 'failure' : 'success';
}

export function toAnnotation(finding: Finding): Annotation {
  const annotation: Annotation = {
    path: finding.path,
    start_line: finding.line,
    end_line: Math.max(finding.line, finding.endLine),
    annotation_level: LEVEL[finding.severity],
    title: `${finding.ruleId} (${finding.severity})`,
    message: `${finding.message}\n\n${finding.helpUri}`,
  };
  // The API takes columns only for a single-line annotation.
  if (finding.line === finding.endLine && finding.endColumn > finding.column) {
    annotation.start_column = finding.column;
    annotation.end_column = finding.endColumn;
  }
  return annotation;
}

export function batches<T>(items: readonly T[], size = ANNOTATIONS_PER_REQUEST): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A file that was not analysed, or analysed with a caveat, and the reason. */
export interface SkippedFile {
  path: string;
  reason: string;
}

export interface SummaryInput {
  headSha: string;
  failOn: FailOn;
  conclusion: Conclusion;
  filesAnalyzed: number;
  findings: readonly Finding[];
  commented: number;
  alreadyCommented: number;
  overflow: number;
  outsideDiff: number;
  resolvedThreads: number;
  skipped: readonly SkippedFile[];
  notes: readonly FileNote[];
  /** Changed files outside `paths` (not Python, or excluded) and removed files. */
  otherFiles: number;
  /** Anything else the reader should know (e.g. GitHub's 3000-file listing limit). */
  remarks?: readonly string[];
  /** Set when GitHub refused the review: the findings are in the annotations. */
  reviewError?: string;
  ruleMeta: (id: string) => RuleMeta | undefined;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

export function countBySeverity(findings: readonly Finding[]): string {
  const order: Severity[] = ['error', 'warning', 'notice'];
  const parts = order
    .map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => plural(n, s));
  return parts.length > 0 ? parts.join(', ') : 'no findings';
}

export function summaryTitle(input: Pick<SummaryInput, 'findings' | 'filesAnalyzed'>): string {
  if (input.findings.length === 0) return `No threading issues found in ${plural(input.filesAnalyzed, 'Python file')}`;
  const files = new Set(input.findings.map((f) => f.path)).size;
  return `${countBySeverity(input.findings)} in ${plural(files, 'file')}`;
}

function ruleTable(findings: readonly Finding[], ruleMeta: SummaryInput['ruleMeta']): string[] {
  const byRule = new Map<string, Finding[]>();
  for (const f of findings) byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f]);
  const rows = [...byRule.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  return [
    '| Rule | Severity | Findings | Guidance |',
    '| --- | --- | ---: | --- |',
    ...rows.map(([id, list]) => {
      const meta = ruleMeta(id);
      const name = meta ? ` ${meta.name}` : '';
      const uri = list[0].helpUri || meta?.helpUri || '';
      return `| ${id}${name} | ${list[0].severity} | ${list.length} | [${meta?.summary ?? id}](${uri}) |`;
    }),
  ];
}

function noteReason(note: FileNote): string {
  const where = note.line ? ` (line ${note.line})` : '';
  return `${note.kind}${where}: ${note.message}`.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The markdown summary shown on the check run page. */
export function renderSummary(input: SummaryInput): string {
  const lines: string[] = [];
  lines.push(
    `threadlint analysed ${plural(input.filesAnalyzed, 'changed Python file')} at ${code(input.headSha.slice(0, 7))}: ` +
      `**${countBySeverity(input.findings)}**.`,
  );
  if (input.findings.length > 0) {
    lines.push('', ...ruleTable(input.findings, input.ruleMeta));
    const placed = [
      `${input.commented} new inline ${input.commented === 1 ? 'comment' : 'comments'}`,
      input.alreadyCommented > 0 ? `${input.alreadyCommented} already commented on an earlier push` : '',
      input.overflow > 0 ? `${input.overflow} over the \`max_comments\` limit` : '',
      input.outsideDiff > 0 ? `${input.outsideDiff} outside the diff (annotations only)` : '',
    ].filter(Boolean);
    lines.push('', `Review: ${placed.join('; ')}. Every finding is listed as an annotation below.`);
  }
  if (input.otherFiles > 0) {
    lines.push('', `${plural(input.otherFiles, 'other changed file')} (removed, or outside \`paths\`) not analysed.`);
  }
  for (const remark of input.remarks ?? []) lines.push('', remark);
  if (input.resolvedThreads > 0) lines.push('', `Resolved ${plural(input.resolvedThreads, 'review thread')} whose finding is gone.`);
  if (input.reviewError) {
    lines.push('', `GitHub refused the review (${input.reviewError}); the findings are reported as annotations only.`);
  }
  const verdict =
    input.conclusion === 'failure'
      ? `failure: at least one finding is at or above \`fail_on: ${input.failOn}\`.`
      : `success: nothing at or above \`fail_on: ${input.failOn}\`.`;
  lines.push('', `Conclusion: ${verdict}`);
  const skipped = [
    ...input.skipped.map((s) => `| ${code(s.path)} | ${s.reason.replace(/\|/g, '\\|')} |`),
    ...input.notes.map((n) => `| ${code(n.path)} | ${noteReason(n)} |`),
  ];
  if (skipped.length > 0) {
    lines.push('', '### Files not analysed, or analysed with a caveat', '', '| File | Reason |', '| --- | --- |', ...skipped);
  }
  return truncate(lines.join('\n'));
}

export function truncate(text: string, max = MAX_SUMMARY): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf('\n', max - 40);
  return `${text.slice(0, cut > 0 ? cut : max - 40)}\n\n… (truncated)`;
}

export interface CheckOutput {
  title: string;
  summary: string;
}

/** Opens the check run for a head SHA. Returns its id. */
export async function startCheckRun(github: GitHub, repo: RepoRef, headSha: string): Promise<number> {
  const { data } = await github.rest.checks.create({
    ...repo,
    name: CHECK_NAME,
    head_sha: headSha,
    status: 'in_progress',
    started_at: new Date().toISOString(),
  });
  return data.id;
}

/** A check run that is done before it starts (superseded work): one request. */
export async function createCompletedCheckRun(
  github: GitHub,
  repo: RepoRef,
  headSha: string,
  conclusion: Conclusion,
  output: CheckOutput,
): Promise<number> {
  const { data } = await github.rest.checks.create({
    ...repo,
    name: CHECK_NAME,
    head_sha: headSha,
    status: 'completed',
    conclusion,
    completed_at: new Date().toISOString(),
    output: { title: output.title, summary: truncate(output.summary) },
  });
  return data.id;
}

/**
 * Completes the check run with its first 50 annotations, then appends the rest 50 at
 * a time (the Checks API adds annotations on each update). Returns the request count.
 */
export async function completeCheckRun(
  github: GitHub,
  repo: RepoRef,
  checkRunId: number,
  conclusion: Conclusion,
  output: CheckOutput,
  annotations: readonly Annotation[] = [],
  state: { completed: boolean } = { completed: false },
): Promise<number> {
  const [first = [], ...rest] = batches(annotations);
  const base = { title: output.title, summary: truncate(output.summary) };
  await github.rest.checks.update({
    ...repo,
    check_run_id: checkRunId,
    status: 'completed',
    conclusion,
    completed_at: new Date().toISOString(),
    output: first.length > 0 ? { ...base, annotations: first } : base,
  });
  state.completed = true;
  for (const batch of rest) {
    await github.rest.checks.update({ ...repo, check_run_id: checkRunId, output: { ...base, annotations: batch } });
  }
  return 1 + rest.length;
}
