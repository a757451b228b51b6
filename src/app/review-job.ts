/**
 * Runs one attempt of a review job and makes sure its check run ends `completed`,
 * whatever happens:
 *
 * - superseded by a newer push → `neutral`, "Superseded by …";
 * - the process shuts down → the check run goes back to `queued` and the job back to
 *   the queue (`HandBack`), for this or another instance to finish;
 * - a transient error (GitHub down, a timeout, a rate limit) with attempts left → the
 *   check run says it will retry, the queue retries with backoff;
 * - any other error, or the last attempt → the check run is completed with what is
 *   known: every finding as an annotation when the analysis finished, and the error
 *   named. Errors are logged with the delivery id, never swallowed.
 */
import type { Logger } from 'probot';
import {
  completeCheckRun,
  createQueuedCheckRun,
  findCheckRun,
  markInProgress,
  markRequeued,
  truncate,
  type CheckOutput,
  type Conclusion,
} from './check-run.js';
import type { ContextCache } from './context-files.js';
import { describeError, errorFields, isTransient } from './errors.js';
import type { GitHub } from './github.js';
import type { ReviewJobData } from './jobs.js';
import type { JobMetrics } from './metrics.js';
import { HandBack, type JobAttempt } from './queue.js';
import { Interrupted, newProgress, runReview, Superseded, supersededOutput, type Engine, type ReviewProgress, type ReviewTarget } from './run-review.js';

export interface JobDependencies {
  /** An installation's client (a fresh token as needed). */
  github(installationId: number): Promise<GitHub>;
  engine(): Promise<Engine>;
  log: Logger;
  latestHead(pullKey: string): Promise<string | undefined>;
  contextCache: ContextCache;
  analysisThreads?: number;
  metrics?: JobMetrics;
}

export function jobLog(log: Logger, data: ReviewJobData): Logger {
  return log.child({ delivery: data.deliveryId, repo: `${data.owner}/${data.repo}`, pr: data.pullNumber, sha: data.headSha, job: data.key });
}

const targetOf = (data: ReviewJobData): ReviewTarget => ({
  repo: { owner: data.owner, repo: data.repo },
  pullNumber: data.pullNumber,
  headSha: data.headSha,
});

/** The check run of the job: known, found by `external_id`, or created now. */
async function ensureCheckRun(github: GitHub, job: JobAttempt): Promise<number> {
  const { data } = job;
  const repo = { owner: data.owner, repo: data.repo };
  let id = data.checkRunId ?? (await findCheckRun(github, repo, data.headSha, data.key));
  id ??= await createQueuedCheckRun(github, repo, data.headSha, data.key);
  if (id !== data.checkRunId) await job.saveCheckRunId(id);
  return id;
}

/** The output of a run that failed part way: what is known, and the error. */
export function failureOutput(data: ReviewJobData, error: unknown, progress: ReviewProgress | undefined): { conclusion: Conclusion; output: CheckOutput } {
  const reason = describeError(error);
  const known = progress?.result;
  if (known) {
    return {
      // The findings are complete but not everything reached GitHub: never `success`.
      conclusion: known.conclusion === 'failure' || known.conclusion === 'action_required' ? known.conclusion : 'neutral',
      output: {
        title: `${known.output.title} (threadlint could not finish: ${reason.slice(0, 120)})`,
        summary: truncate(
          `${known.output.summary}\n\n**threadlint could not finish**: ${reason}\n\n` +
            'The analysis completed and every finding is attached as an annotation; use "Re-run" on this check for the full review.',
        ),
      },
    };
  }
  return {
    conclusion: 'failure',
    output: {
      title: 'threadlint could not finish',
      summary:
        `threadlint failed while reviewing ${data.headSha.slice(0, 7)}: ${reason}\n\n` +
        'Nothing was analysed to completion, so the check fails rather than passing unreviewed code. ' +
        'Use "Re-run" on this check to try again.',
    },
  };
}

export async function processReviewJob(job: JobAttempt, deps: JobDependencies): Promise<void> {
  const { data } = job;
  const log = jobLog(deps.log, data);
  const repo = { owner: data.owner, repo: data.repo };
  const started = Date.now();
  let github: GitHub | undefined;
  let checkRunId: number | undefined;
  let progress: ReviewProgress | undefined;
  deps.metrics?.running(1);
  try {
    github = await deps.github(data.installationId);
    checkRunId = await ensureCheckRun(github, job);
    const latest = await deps.latestHead(data.pullKey);
    if (latest && latest !== data.headSha) throw new Superseded(latest);
    if (job.signal.aborted) throw new Interrupted(job.signal.reason);
    if (job.attempt > 1) log.info({ attempt: job.attempt }, 'threadlint: retrying the review');
    await markInProgress(github, repo, checkRunId);
    progress = newProgress();
    const outcome = await runReview(targetOf(data), {
      github,
      log,
      engine: await deps.engine(),
      checkRunId,
      jobKey: data.key,
      supersededBy: async () => {
        const newest = await deps.latestHead(data.pullKey);
        return newest && newest !== data.headSha ? newest : undefined;
      },
      signal: job.signal,
      contextCache: deps.contextCache,
      analysisThreads: deps.analysisThreads,
      progress,
    });
    deps.metrics?.done('completed', outcome.conclusion, outcome.findings, Date.now() - started);
  } catch (error) {
    await handleFailure(error, job, { github, checkRunId, progress, log, deps, started });
  } finally {
    deps.metrics?.running(-1);
  }
}

interface FailureState {
  github?: GitHub;
  checkRunId?: number;
  progress?: ReviewProgress;
  log: Logger;
  deps: JobDependencies;
  started: number;
}

async function handleFailure(error: unknown, job: JobAttempt, state: FailureState): Promise<void> {
  const { data } = job;
  const { github, checkRunId, progress, log, deps } = state;
  const repo = { owner: data.owner, repo: data.repo };
  if (error instanceof Superseded && github && checkRunId !== undefined) {
    log.info(`threadlint: superseded by ${error.by}`);
    const { title, summary } = supersededOutput(error.by);
    await completeCheckRun(github, repo, checkRunId, 'neutral', { title, summary });
    deps.metrics?.done('superseded', 'neutral', 0, Date.now() - state.started);
    return;
  }
  if (error instanceof Interrupted || (job.signal.aborted && !progress?.completion.completed)) {
    log.info('threadlint: interrupted by shutdown; handing the job back to the queue');
    if (github && checkRunId !== undefined) {
      await markRequeued(github, repo, checkRunId, 'threadlint was restarted while reviewing this commit; the review resumes shortly.').catch((e: unknown) =>
        log.warn(errorFields(e), 'threadlint: could not mark the check run queued again'),
      );
    }
    throw new HandBack('shutdown');
  }
  // Retried only while nothing of the outcome reached the check run: annotations sent
  // cannot be taken back, so once some are there the run is completed with what is known.
  if (isTransient(error) && !job.finalAttempt && (progress?.completion.annotationsSent ?? 0) === 0) {
    log.warn({ ...errorFields(error), attempt: job.attempt }, 'threadlint: review failed; it will be retried');
    if (github && checkRunId !== undefined && !progress?.completion.completed) {
      await markRequeued(github, repo, checkRunId, `threadlint hit an error and retries shortly: ${describeError(error)}`).catch(() => undefined);
    }
    deps.metrics?.done('retried', undefined, 0, Date.now() - state.started);
    throw error;
  }
  log.error({ ...errorFields(error), attempt: job.attempt }, 'threadlint: review failed');
  deps.metrics?.done('failed', 'failure', 0, Date.now() - state.started);
  if (!github || checkRunId === undefined) throw error; // no check run to complete: the queue reports it
  if (progress?.completion.completed) return;
  const { conclusion, output } = failureOutput(data, error, progress);
  try {
    await completeCheckRun(github, repo, checkRunId, conclusion, output, progress?.result?.annotations ?? [], progress?.completion);
  } catch (completionError) {
    log.error(errorFields(completionError), 'threadlint: could not complete the check run after a failure');
    throw completionError;
  }
}

/**
 * The queue gave up on a job (every retry used, or a worker died on it too often): the
 * check run is completed as `failure` naming the error, if one exists.
 */
export async function completeAbandoned(data: ReviewJobData, error: unknown, deps: JobDependencies): Promise<void> {
  const log = jobLog(deps.log, data);
  log.error(errorFields(error), 'threadlint: review abandoned after its last attempt');
  try {
    const github = await deps.github(data.installationId);
    const repo = { owner: data.owner, repo: data.repo };
    const id = data.checkRunId ?? (await findCheckRun(github, repo, data.headSha, data.key));
    if (id === undefined) return;
    const run = await github.rest.checks.get({ ...repo, check_run_id: id });
    if (run.data.status === 'completed') return;
    const { conclusion, output } = failureOutput(data, error, undefined);
    await completeCheckRun(github, repo, id, conclusion, output);
  } catch (completionError) {
    log.error(errorFields(completionError), 'threadlint: could not complete the abandoned check run');
  }
}
