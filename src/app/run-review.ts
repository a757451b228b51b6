/**
 * One review of one head SHA, on a check run that already exists (created `queued` when
 * the webhook was accepted): config → changed files → head contents and the rest of
 * the repository as context → engine → findings mapped onto the diff → one review →
 * check run completed with its last annotation batch.
 *
 * It throws on failure and leaves the check run to `review-job.ts`, which knows whether
 * the job will be tried again; `progress` tells it what is already known (the findings,
 * the annotations already sent), so a failure late in the run still ends the check run
 * with every finding.
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
  notAnalysedNotes,
  renderSummary,
  summaryTitle,
  toAnnotation,
  type CheckOutput,
  type CompletionProgress,
  type Conclusion,
  type SkippedFile,
} from './check-run.js';
import { byImportance, normalizeFingerprint, planComments, type CommentFileInfo, type ReviewComment } from './comments.js';
import { loadRepoConfig } from './config.js';
import { loadContext, type ContextCache } from './context-files.js';
import { describeError, errorFields } from './errors.js';
import { fetchContents, listChangedFiles, MAX_LISTED_FILES, type ChangedFile } from './github-files.js';
import { type GitHub, type RepoRef } from './github.js';
import { listPreviousThreads, resolveThreads, threadsToResolve, type PreviousThread } from './previous-comments.js';
import { writeOnce } from './write-once.js';

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
  checkRunId: number;
  /** The job's key: the review's hidden marker, so a lost answer can be looked up. */
  jobKey: string;
  /** The newer head SHA of the pull request, once this run is superseded. */
  supersededBy: () => Promise<string | undefined>;
  /** Aborted when the process shuts down: the run stops at the next stage. */
  signal?: AbortSignal;
  contextCache: ContextCache;
  /** Worker threads for the analysis (0: in this thread), so the event loop stays free for webhooks and queue locks. */
  analysisThreads?: number;
  /** Filled in as the run goes, for whoever completes the check run after a failure. */
  progress?: ReviewProgress;
}

export interface ReviewProgress {
  result?: PipelineResult;
  completion: CompletionProgress;
}

export function newProgress(): ReviewProgress {
  return { completion: { annotationsSent: 0, completed: false } };
}

export interface ReviewOutcome {
  conclusion: Conclusion;
  findings: number;
  comments: number;
  requests: number;
  contextFiles: number;
}

export class Superseded extends Error {
  constructor(readonly by: string) {
    super(`superseded by ${by}`);
    this.name = 'Superseded';
  }
}

/** The process is shutting down: the run stops and the job goes back to the queue. */
export class Interrupted extends Error {
  constructor(reason: unknown) {
    super(reason instanceof Error ? reason.message : 'interrupted');
    this.name = 'Interrupted';
  }
}

export function supersededOutput(by: string): CheckOutput {
  return {
    title: `Superseded by ${by.slice(0, 7)}`,
    summary: `A newer push (${by}) arrived before this run finished; threadlint reviews that commit instead.`,
  };
}

/** Counts the requests a run makes, for the log line and the tests. */
function countRequests(github: GitHub): () => number {
  let count = 0;
  github.hook.before('request', () => {
    count++;
  });
  return () => count;
}

/** Waits for `promise`, or throws `Interrupted` as soon as `signal` aborts. */
function unlessInterrupted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new Interrupted(signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export async function runReview(target: ReviewTarget, ctx: ReviewContext): Promise<ReviewOutcome> {
  const { github, log } = ctx;
  const requests = countRequests(github);
  const progress = (ctx.progress ??= newProgress());
  const result = await reviewPipeline(target, ctx);
  progress.result = result;
  await checkpoint(ctx);
  await completeCheckRun(github, target.repo, ctx.checkRunId, result.conclusion, result.output, result.annotations, progress.completion);
  const outcome = {
    conclusion: result.conclusion,
    findings: result.findings,
    comments: result.comments,
    requests: requests(),
    contextFiles: result.contextFiles,
  };
  log.info(outcome, `threadlint: ${result.output.title}`);
  return outcome;
}

export interface PipelineResult {
  conclusion: Conclusion;
  output: CheckOutput;
  annotations: ReturnType<typeof toAnnotation>[];
  findings: number;
  comments: number;
  contextFiles: number;
}

/** Between stages: stop for a shutdown or a newer push. */
async function checkpoint(ctx: ReviewContext): Promise<void> {
  if (ctx.signal?.aborted) throw new Interrupted(ctx.signal.reason);
  const by = await ctx.supersededBy();
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
      contextFiles: 0,
    };
  }
  const config = loaded.config;

  const changed = await listChangedFiles(github, repo, pullNumber);
  const { selected, otherFiles } = selectFiles(changed, config);
  const remarks = changed.length >= MAX_LISTED_FILES ? [`GitHub lists only the first ${MAX_LISTED_FILES} changed files; later files were not analysed.`] : [];
  log.info({ changed: changed.length, python: selected.length }, 'threadlint: files listed');
  await checkpoint(ctx);

  // Earlier threads are only needed once there is something to compare; fetch them alongside the contents.
  const threadsPromise: Promise<PreviousThread[]> =
    selected.length > 0 ? listPreviousThreads(github, repo, pullNumber) : Promise.resolve([]);
  threadsPromise.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile
  // The tree listing gives every file's size (so big changed files are never downloaded)
  // and, with `context: true`, the rest of the repository for cross-file facts.
  const context =
    selected.length > 0
      ? await unlessInterrupted(loadContext(github, repo, headSha, config, new Set(selected.map((f) => f.path)), { cache: ctx.contextCache }), ctx.signal)
      : undefined;
  if (context?.remark) remarks.push(context.remark);
  else if (context && context.files.length > 0) {
    remarks.push(`Context: ${context.files.length} other Python files of the repository were read for cross-file facts (${context.fetched} fetched, the rest cached); findings are reported on changed files only.`);
  }
  const knownSizes = new Map([...(context?.entries.values() ?? [])].map((e) => [e.path, e.size]));
  const contents = await unlessInterrupted(fetchContents(github, repo, headSha, selected, { knownSizes }), ctx.signal);
  const previous = await threadsPromise;
  await checkpoint(ctx);

  const byPath = new Map(selected.map((f) => [f.path, f]));
  const diff = new Map<string, DiffFile>();
  const skipped: SkippedFile[] = [...contents.skipped];
  const notFetched = new Set(contents.skipped.map((s) => s.path));
  for (const file of selected) {
    if (notFetched.has(file.path)) continue;
    if (lacksPatch(file)) {
      skipped.push({ path: file.path, reason: 'GitHub sent no patch (diff too large): analysed, findings reported as annotations only', analysed: true });
      continue;
    }
    try {
      diff.set(file.path, parsePatch(file.patch ?? '', file.path, file.previousPath, DIFF_STATUS[file.status] ?? 'modified'));
    } catch (error) {
      skipped.push({ path: file.path, reason: `patch could not be read (${describeError(error)}): annotations only`, analysed: true });
    }
  }

  // The engine gets the diff so rules that compare files know which side changed (and
  // that only part of the code is in view); filtering by mode happens below, here.
  // Context files feed the engine's project step only; it never reports on them.
  const contextFiles = context?.files ?? [];
  // Analyses are kept in memory by content and config: the next push re-analyses only what changed.
  const options: AnalyzeOptions = { config: { ...config, filter_mode: 'nofilter' }, diff, cache: ctx.contextCache.analyses };
  // A server keeps its event loop free: with threads, even a small run goes to them.
  if (ctx.analysisThreads) Object.assign(options, { jobs: ctx.analysisThreads, inThreadBelowBytes: 0 });
  if (contextFiles.length > 0) options.context = contextFiles;
  const analysis =
    contents.files.length > 0
      ? await unlessInterrupted(engine.analyze(contents.files, options), ctx.signal)
      : { findings: [], notes: [], filesAnalyzed: 0 };
  await checkpoint(ctx);
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
    await checkpoint(ctx);
    reviewError = await postReview(github, target, ctx.jobKey, config, plan.comments, plan.commented, log);
  }

  const notAnalysed = notAnalysedNotes(analysis.notes);
  const crashed = new Set(notAnalysed.map((n) => n.path));
  const analysedPaths = new Set(contents.files.map((f) => f.path).filter((p) => !crashed.has(p)));
  const current = new Set(analysis.findings.map((f) => normalizeFingerprint(f.fingerprint)));
  const stale = threadsToResolve(previous, current, analysedPaths);
  let resolvedThreads = 0;
  if (stale.length > 0) {
    try {
      await resolveThreads(github, stale);
      resolvedThreads = stale.length;
    } catch (error) {
      log.warn(errorFields(error), 'threadlint: could not resolve review threads');
    }
  }

  // A file that could not be analysed leaves the check unable to vouch for it: neutral at best.
  const incomplete = notAnalysed.length > 0 || skipped.some((s) => !s.analysed);
  const conclusion = conclusionFor(findings, config.fail_on, incomplete);
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
    contextFiles: contextFiles.length,
  };
}

/** The hidden marker in a review's body: which job posted it. */
export function reviewMarker(jobKey: string): string {
  return `<!-- threadlint:review=${jobKey.replace(/[^A-Za-z0-9._\-/#@~]/g, '_')} -->`;
}

/** The review the job already posted, if GitHub carried out a POST whose answer was lost. */
async function findReview(github: GitHub, target: ReviewTarget, marker: string): Promise<number | undefined> {
  const reviews = await github.paginate(github.rest.pulls.listReviews, { ...target.repo, pull_number: target.pullNumber, per_page: 100 });
  return reviews.find((r) => (r.body ?? '').includes(marker))?.id;
}

/**
 * One review holding every inline comment. Returns an error text instead of throwing:
 * a refused review (422: a line GitHub does not consider part of the diff) or a
 * persistent GitHub error leaves the findings in the check run's annotations. A review
 * whose answer was lost (5xx, timeout) is looked up by its marker before it is posted
 * again, so it is never posted twice.
 */
async function postReview(
  github: GitHub,
  target: ReviewTarget,
  jobKey: string,
  config: ThreadlintConfig,
  comments: ReviewComment[],
  commented: Finding[],
  log: Logger,
): Promise<string | undefined> {
  const hasError = commented.some((f) => f.severity === 'error');
  const event = config.review_event === 'REQUEST_CHANGES' && hasError ? 'REQUEST_CHANGES' : 'COMMENT';
  const marker = reviewMarker(jobKey);
  try {
    await writeOnce(
      async () => {
        const { data } = await github.rest.pulls.createReview({
          ...target.repo,
          pull_number: target.pullNumber,
          commit_id: target.headSha,
          event,
          body: `threadlint found ${countBySeverity(commented)} on this push. The check run lists every finding.\n\n${marker}`,
          comments,
        });
        return data.id;
      },
      () => findReview(github, target, marker),
    );
    return undefined;
  } catch (error) {
    log.warn(errorFields(error), 'threadlint: review not posted; findings stay in the check run');
    return describeError(error);
  }
}
