/**
 * One review of one head SHA: check run in progress → config → changed files →
 * head contents → engine → findings mapped onto the diff → one review → check run
 * completed. Whatever happens, the check run ends completed (try/catch around the
 * pipeline), and a refused review never loses a finding: every finding is also an
 * annotation.
 */
import type { Logger } from 'probot';
import type { AnalysisResult, AnalyzeOptions, DiffFile, Finding, RuleMeta, SourceFile, ThreadlintConfig } from '../lint/index.js';
import { isPathIncluded } from '../config/resolve.js';
import { filterFindings } from '../diff/filter.js';
import { parsePatch } from '../diff/parse.js';
import {
  completeCheckRun,
  conclusionFor,
  countBySeverity,
  createCompletedCheckRun,
  renderSummary,
  startCheckRun,
  summaryTitle,
  toAnnotation,
  type CheckOutput,
  type Conclusion,
  type SkippedFile,
} from './check-run.js';
import { byImportance, normalizeFingerprint, planComments, type CommentFileInfo, type ReviewComment } from './comments.js';
import { loadRepoConfig } from './config.js';
import { fetchContents, listChangedFiles, MAX_LISTED_FILES, type ChangedFile } from './github-files.js';
import { messageOf, statusOf, type GitHub, type RepoRef } from './github.js';
import { listPreviousThreads, resolveThreads, threadsToResolve, type PreviousThread } from './previous-comments.js';

/** The engine's public API as the app uses it; injected so tests can swap it. */
export interface Engine {
  analyze(files: SourceFile[], options: AnalyzeOptions): Promise<AnalysisResult>;
  ruleCatalog(): RuleMeta[];
  ruleMeta(id: string): RuleMeta | undefined;
}

export interface ReviewTarget {
  repo: RepoRef;
  pullNumber: number;
  headSha: string;
}

export interface ReviewContext {
  github: GitHub;
  log: Logger;
  engine: Engine;
  /** The newer head SHA of the pull request, once this run is superseded. */
  supersededBy: () => string | undefined;
}

export interface ReviewOutcome {
  conclusion: Conclusion;
  findings: number;
  comments: number;
  requests: number;
}

class Superseded extends Error {
  constructor(readonly by: string) {
    super(`superseded by ${by}`);
  }
}

export function supersededOutput(by: string): CheckOutput {
  return {
    title: `Superseded by ${by.slice(0, 7)}`,
    summary: `A newer push (${by}) arrived before this run finished; threadlint reviews that commit instead.`,
  };
}

/** A check run for work that was superseded before it started. */
export async function skipSuperseded(github: GitHub, target: ReviewTarget, by: string): Promise<void> {
  await createCompletedCheckRun(github, target.repo, target.headSha, 'neutral', supersededOutput(by));
}

/** Counts the requests a run makes, for the log line and the tests. */
function countRequests(github: GitHub): () => number {
  let count = 0;
  github.hook.before('request', () => {
    count++;
  });
  return () => count;
}

export async function runReview(target: ReviewTarget, ctx: ReviewContext): Promise<ReviewOutcome> {
  const { github, log } = ctx;
  const requests = countRequests(github);
  const checkRunId = await startCheckRun(github, target.repo, target.headSha);
  const state = { completed: false };
  try {
    const result = await reviewPipeline(target, ctx);
    await completeCheckRun(github, target.repo, checkRunId, result.conclusion, result.output, result.annotations, state);
    const outcome = { conclusion: result.conclusion, findings: result.findings, comments: result.comments, requests: requests() };
    log.info(outcome, `threadlint: ${result.output.title}`);
    return outcome;
  } catch (error) {
    if (state.completed) throw error; // only a later annotation batch failed
    const superseded = error instanceof Superseded;
    const conclusion: Conclusion = superseded ? 'neutral' : 'failure';
    const output = superseded
      ? supersededOutput(error.by)
      : {
          title: 'threadlint could not finish',
          summary:
            `threadlint failed while reviewing ${target.headSha.slice(0, 7)}: ${messageOf(error)}\n\n` +
            'Nothing was analysed to completion, so the check fails rather than passing unreviewed code. ' +
            'Use "Re-run" on this check to try again.',
        };
    if (superseded) log.info(`threadlint: run superseded by ${error.by}`);
    else log.error({ err: error }, 'threadlint: run failed');
    await completeCheckRun(github, target.repo, checkRunId, conclusion, output, [], state);
    return { conclusion, findings: 0, comments: 0, requests: requests() };
  }
}

interface PipelineResult {
  conclusion: Conclusion;
  output: CheckOutput;
  annotations: ReturnType<typeof toAnnotation>[];
  findings: number;
  comments: number;
}

function throwIfSuperseded(ctx: ReviewContext): void {
  const by = ctx.supersededBy();
  if (by) throw new Superseded(by);
}

const DIFF_STATUS: Record<string, DiffFile['status']> = {
  added: 'added',
  copied: 'added',
  removed: 'deleted',
  renamed: 'renamed',
};

/** Which changed files to analyse, and the diff of those that have a patch. */
export function selectFiles(changed: readonly ChangedFile[], config: ThreadlintConfig) {
  const selected: ChangedFile[] = [];
  let otherFiles = 0;
  for (const file of changed) {
    if (file.status === 'removed' || !isPathIncluded(config, file.path)) otherFiles++;
    else selected.push(file);
  }
  return { selected, otherFiles };
}

/** A file whose changes GitHub did not send (diff too large): no inline comments possible. */
function lacksPatch(file: ChangedFile): boolean {
  return file.patch === undefined && file.changes > 0;
}

function decodeText(content: SourceFile['content']): string | undefined {
  if (typeof content === 'string') return content;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return undefined;
  }
}

async function reviewPipeline(target: ReviewTarget, ctx: ReviewContext): Promise<PipelineResult> {
  const { github, log, engine } = ctx;
  const { repo, pullNumber, headSha } = target;
  const loaded = await loadRepoConfig(github, repo, engine.ruleCatalog().map((r) => r.id));
  if (!loaded.ok) {
    log.warn({ error: loaded.error }, 'threadlint: invalid config');
    return {
      conclusion: 'action_required',
      output: {
        title: 'Invalid threadlint configuration',
        summary: `threadlint did not analyse this commit: its configuration has errors.\n\n\`\`\`\n${loaded.error}\n\`\`\`\n\nFix \`.github/threadlint.yml\` on the default branch, then re-run this check.`,
      },
      annotations: [],
      findings: 0,
      comments: 0,
    };
  }
  const config = loaded.config;

  const changed = await listChangedFiles(github, repo, pullNumber);
  const { selected, otherFiles } = selectFiles(changed, config);
  const remarks = changed.length >= MAX_LISTED_FILES ? [`GitHub lists only the first ${MAX_LISTED_FILES} changed files; later files were not analysed.`] : [];
  log.info({ changed: changed.length, python: selected.length }, 'threadlint: files listed');
  throwIfSuperseded(ctx);

  // Earlier threads are only needed once there is something to compare; fetch them alongside the contents.
  const threadsPromise: Promise<PreviousThread[]> =
    selected.length > 0 ? listPreviousThreads(github, repo, pullNumber) : Promise.resolve([]);
  threadsPromise.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile
  const contents = await fetchContents(github, repo, headSha, selected);
  const previous = await threadsPromise;
  throwIfSuperseded(ctx);

  const byPath = new Map(selected.map((f) => [f.path, f]));
  const diff = new Map<string, DiffFile>();
  const skipped: SkippedFile[] = [...contents.skipped];
  for (const file of selected) {
    if (lacksPatch(file)) {
      skipped.push({ path: file.path, reason: 'GitHub sent no patch (diff too large): analysed, findings reported as annotations only' });
      continue;
    }
    try {
      diff.set(file.path, parsePatch(file.patch ?? '', file.path, file.previousPath, DIFF_STATUS[file.status] ?? 'modified'));
    } catch (error) {
      skipped.push({ path: file.path, reason: `patch could not be read (${messageOf(error)}): annotations only` });
    }
  }

  // The engine gets the diff so rules that compare files know which side changed (and
  // that only part of the code is in view); filtering by mode happens below, here.
  const analysis =
    contents.files.length > 0
      ? await engine.analyze(contents.files, { config: { ...config, filter_mode: 'nofilter' }, diff })
      : { findings: [], notes: [], filesAnalyzed: 0 };
  throwIfSuperseded(ctx);
  const withoutPatch = analysis.findings.filter((f) => !diff.has(f.path) && byPath.has(f.path));
  const findings = [...filterFindings(analysis.findings.filter((f) => diff.has(f.path)), diff, config.filter_mode), ...withoutPatch].sort(byImportance);

  const texts = new Map(contents.files.map((f) => [f.path, decodeText(f.content)]));
  const files = new Map<string, CommentFileInfo>(
    [...byPath.keys()].map((path) => [path, { diff: diff.get(path), text: texts.get(path) }]),
  );
  const plan = planComments(findings, files, new Set(previous.map((t) => t.fingerprint)), {
    maxComments: config.max_comments,
    suggestions: config.suggestions,
    ruleMeta: (id) => engine.ruleMeta(id),
  });

  let reviewError: string | undefined;
  if (plan.comments.length > 0) {
    throwIfSuperseded(ctx);
    reviewError = await postReview(github, target, config, plan.comments, plan.commented, log);
  }

  const crashed = new Set(analysis.notes.filter((n) => n.kind === 'crash' || n.kind === 'unreadable').map((n) => n.path));
  const analysedPaths = new Set(contents.files.map((f) => f.path).filter((p) => !crashed.has(p)));
  const current = new Set(analysis.findings.map((f) => normalizeFingerprint(f.fingerprint)));
  const stale = threadsToResolve(previous, current, analysedPaths);
  let resolvedThreads = 0;
  if (stale.length > 0) {
    try {
      await resolveThreads(github, stale);
      resolvedThreads = stale.length;
    } catch (error) {
      log.warn({ err: error }, 'threadlint: could not resolve review threads');
    }
  }

  const conclusion = conclusionFor(findings, config.fail_on);
  const summary = renderSummary({
    headSha,
    failOn: config.fail_on,
    conclusion,
    filesAnalyzed: analysis.filesAnalyzed,
    findings,
    commented: reviewError ? 0 : plan.commented.length,
    alreadyCommented: plan.alreadyCommented.length,
    overflow: plan.overflow.length,
    outsideDiff: plan.outsideDiff.length,
    resolvedThreads,
    skipped,
    notes: analysis.notes,
    otherFiles,
    remarks,
    reviewError,
    ruleMeta: (id) => engine.ruleMeta(id),
  });
  return {
    conclusion,
    output: { title: summaryTitle({ findings, filesAnalyzed: analysis.filesAnalyzed }), summary },
    annotations: findings.map(toAnnotation),
    findings: findings.length,
    comments: reviewError ? 0 : plan.comments.length,
  };
}

/**
 * One review holding every inline comment. Returns an error text instead of throwing:
 * a refused review (422: a line GitHub does not consider part of the diff) or a
 * persistent GitHub error leaves the findings in the check run's annotations.
 */
async function postReview(
  github: GitHub,
  target: ReviewTarget,
  config: ThreadlintConfig,
  comments: ReviewComment[],
  commented: Finding[],
  log: Logger,
): Promise<string | undefined> {
  const hasError = commented.some((f) => f.severity === 'error');
  const event = config.review_event === 'REQUEST_CHANGES' && hasError ? 'REQUEST_CHANGES' : 'COMMENT';
  try {
    await github.rest.pulls.createReview({
      ...target.repo,
      pull_number: target.pullNumber,
      commit_id: target.headSha,
      event,
      body: `threadlint found ${countBySeverity(commented)} on this push. The check run lists every finding.`,
      comments,
    });
    return undefined;
  } catch (error) {
    const status = statusOf(error);
    log.warn({ err: error, status }, 'threadlint: review refused; findings stay in the check run');
    return status ? `HTTP ${status}: ${messageOf(error)}` : messageOf(error);
  }
}
