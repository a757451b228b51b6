/**
 * The check run: its conclusion, its summary (a table per rule, links to guidance,
 * what was skipped and why) and every finding as an annotation, sent 50 per request
 * because the Checks API accepts no more.
 */
import type { FailOn, FileNote, Finding, RuleMeta, Severity } from '../lint/index.js';
import { failsAt } from '../config/resolve.js';
import type { GitHub, RepoRef } from './github.js';
import { writeOnce } from './write-once.js';

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

/**
 * `failure` when a kept finding is at or above `fail_on`; otherwise `neutral` when a
 * file could not be analysed (the check cannot vouch for it), else `success`.
 */
export function conclusionFor(findings: readonly Finding[], failOn: FailOn, incomplete = false): Conclusion {
  if (findings.some((f) => failsAt(f.severity, failOn))) return 'failure';
  return incomplete ? 'neutral' : 'success';
}

/** Note kinds that mean a file was not (fully) analysed. */
const NOT_ANALYSED_NOTES: ReadonlySet<string> = new Set(['crash', 'unreadable', 'too-large', 'budget', 'syntax-error']);

export function notAnalysedNotes(notes: readonly FileNote[]): FileNote[] {
  return notes.filter((n) => NOT_ANALYSED_NOTES.has(n.kind));
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
  /** True when the file was analysed after all (e.g. without a patch: annotations only). */
  analysed?: boolean;
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
      : input.conclusion === 'neutral'
        ? `neutral: nothing at or above \`fail_on: ${input.failOn}\` in what was analysed, but some files could not be analysed (listed below).`
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

/** The check run this app created for `externalId` (a job's key) on a head, if any. */
export async function findCheckRun(github: GitHub, repo: RepoRef, headSha: string, externalId: string): Promise<number | undefined> {
  const runs = await github.paginate(github.rest.checks.listForRef, {
    ...repo,
    ref: headSha,
    check_name: CHECK_NAME,
    filter: 'all',
    per_page: 100,
  });
  return runs.find((run) => run.external_id === externalId)?.id;
}

/**
 * Creates the check run `queued` when the webhook is accepted, so a waiting pull
 * request shows it is waiting. Safe to repeat: a create whose answer was lost is
 * looked up by `external_id` before it is tried again.
 */
export async function createQueuedCheckRun(
  github: GitHub,
  repo: RepoRef,
  headSha: string,
  externalId: string,
  options: { quickMs?: number } = {},
): Promise<number> {
  // `quickMs`: one try within that time, no waiting for retry-after (inside a webhook answer).
  const quick = options.quickMs !== undefined ? { request: { retries: 0, signal: AbortSignal.timeout(options.quickMs) } } : {};
  return writeOnce(
    async () => {
      const { data } = await github.rest.checks.create({
        ...quick,
        ...repo,
        name: CHECK_NAME,
        head_sha: headSha,
        external_id: externalId,
        status: 'queued',
        output: { title: 'Queued', summary: `threadlint will review ${headSha.slice(0, 7)} shortly.` },
      });
      return data.id;
    },
    () => findCheckRun(github, repo, headSha, externalId),
    options.quickMs !== undefined ? { attempts: 1, delayMs: 200 } : {},
  );
}

/** The job started: the check run shows it. */
export async function markInProgress(github: GitHub, repo: RepoRef, checkRunId: number): Promise<void> {
  await github.rest.checks.update({
    ...repo,
    check_run_id: checkRunId,
    status: 'in_progress',
    started_at: new Date().toISOString(),
    output: { title: 'Reviewing', summary: 'threadlint is reviewing this commit.' },
  });
}

/** The job went back to the queue (shutdown, or a retry after an error): the check run says so. */
export async function markRequeued(github: GitHub, repo: RepoRef, checkRunId: number, why: string): Promise<void> {
  await github.rest.checks.update({
    ...repo,
    check_run_id: checkRunId,
    status: 'queued',
    output: { title: 'Queued again', summary: truncate(why) },
  });
}

/** Annotations already sent on a check run, so a failure part way knows what is left. */
export interface CompletionProgress {
  annotationsSent: number;
  completed: boolean;
}

/**
 * Sends the annotations 50 per request (the Checks API appends them on each update)
 * and completes the check run with the last batch, never before: a batch that fails
 * leaves the run open for the caller to complete with what is known. Resumes after
 * `progress.annotationsSent`. Returns the request count.
 */
export async function completeCheckRun(
  github: GitHub,
  repo: RepoRef,
  checkRunId: number,
  conclusion: Conclusion,
  output: CheckOutput,
  annotations: readonly Annotation[] = [],
  progress: CompletionProgress = { annotationsSent: 0, completed: false },
): Promise<number> {
  const base = { title: output.title, summary: truncate(output.summary) };
  const pending = batches(annotations.slice(progress.annotationsSent));
  let requests = 0;
  for (let i = 0; i < pending.length - 1; i++) {
    await github.rest.checks.update({ ...repo, check_run_id: checkRunId, output: { ...base, annotations: pending[i] } });
    progress.annotationsSent += pending[i].length;
    requests++;
  }
  const last = pending[pending.length - 1] ?? [];
  await github.rest.checks.update({
    ...repo,
    check_run_id: checkRunId,
    status: 'completed',
    conclusion,
    completed_at: new Date().toISOString(),
    output: last.length > 0 ? { ...base, annotations: last } : base,
  });
  progress.annotationsSent += last.length;
  progress.completed = true;
  return requests + 1;
}
