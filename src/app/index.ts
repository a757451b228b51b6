/**
 * The Probot app: wires webhook events to the intake and the queue's jobs to the
 * review, and nothing more. Handlers accept the request (check run `queued`, job
 * queued) and return, so the webhook is answered at once; the review runs from the
 * queue (see intake.ts, review-job.ts, run-review.ts).
 *
 * Drafts get no check run until `ready_for_review`. Re-runs come from
 * `check_run.rerequested` / `check_suite.rerequested` and use the payload's
 * `pull_requests` (GitHub fills it only for pull requests from the same repository).
 */
import type { ApplicationFunction, Context, Logger, Probot } from 'probot';
import { ContextCache } from './context-files.js';
import { describeError, errorFields } from './errors.js';
import type { GitHub } from './github.js';
import { acceptReview, firstDelivery, type ReviewRequest } from './intake.js';
import { LocalQueue } from './local-queue.js';
import { AppMetrics } from './metrics.js';
import type { ReviewQueue } from './queue.js';
import { completeAbandoned, processReviewJob, type JobDependencies } from './review-job.js';
import type { Engine } from './run-review.js';
import { MemorySeenKeys, type SeenKeys } from './seen-keys.js';

export interface AppOptions {
  /** Defaults to the real engine, loaded on first use. */
  engine?: Engine | (() => Promise<Engine>);
  /** Defaults to the in-process queue journaled in `stateDir`. */
  queue?: ReviewQueue;
  seen?: SeenKeys;
  /** Parallel review runs per process, for the default queue; default THREADLINT_CONCURRENCY, else 2. */
  concurrency?: number;
  /** The default queue's journal folder; default THREADLINT_STATE_DIR, else ./.threadlint-state. */
  stateDir?: string;
  metrics?: AppMetrics;
  contextCache?: ContextCache;
  /** Worker threads the engine analyses on (0, the default: in this thread). */
  analysisThreads?: number;
}

export type ThreadlintApp = ApplicationFunction & {
  readonly queue: ReviewQueue;
  readonly metrics: AppMetrics;
  /** Resolves when no job is queued or running. */
  idle(): Promise<void>;
  /** Stops taking jobs, drains within `graceMs`, hands the rest back. */
  stop(graceMs: number): Promise<void>;
};

const PULL_REQUEST_EVENTS = [
  'pull_request.opened',
  'pull_request.synchronize',
  'pull_request.reopened',
  'pull_request.ready_for_review',
] as const;

async function loadRealEngine(): Promise<Engine> {
  return import('../lint/index.js');
}

export function createThreadlintApp(options: AppOptions = {}): ThreadlintApp {
  const concurrency = options.concurrency ?? (Number(process.env.THREADLINT_CONCURRENCY) || 2);
  const queue =
    options.queue ?? new LocalQueue({ stateDir: options.stateDir ?? process.env.THREADLINT_STATE_DIR ?? '.threadlint-state', concurrency });
  const seen = options.seen ?? new MemorySeenKeys();
  const metrics = options.metrics ?? new AppMetrics(() => queue.counts());
  const contextCache = options.contextCache ?? new ContextCache();
  const engineSource = options.engine ?? loadRealEngine;
  let enginePromise: Promise<Engine> | undefined;
  const engine = (): Promise<Engine> =>
    (enginePromise ??= typeof engineSource === 'function' ? engineSource() : Promise.resolve(engineSource));

  const accept = async (context: Context, log: Logger, request: Omit<ReviewRequest, 'owner' | 'repo' | 'installationId' | 'deliveryId'>) => {
    const installationId = (context.payload as { installation?: { id?: number } }).installation?.id;
    if (typeof installationId !== 'number') {
      log.warn({ delivery: context.id }, 'threadlint: webhook without an installation; nothing to review');
      return;
    }
    const { owner, repo } = context.repo();
    try {
      await acceptReview(context.octokit as GitHub, { ...request, owner, repo, installationId, deliveryId: context.id }, { queue, seen, log });
    } catch (error) {
      // Logged with the delivery id by the intake; this message carries no payload.
      throw new Error(`threadlint could not accept delivery ${context.id}: ${describeError(error)}`);
    }
  };

  const app: ApplicationFunction = async (probot: Probot) => {
    const log = probot.log;
    const isFirst = async (context: Context): Promise<boolean> => {
      if (await firstDelivery(seen, context.id)) return true;
      log.info({ delivery: context.id }, 'threadlint: redelivered webhook ignored');
      return false;
    };

    probot.on([...PULL_REQUEST_EVENTS], async (context) => {
      const pr = context.payload.pull_request;
      if (pr.draft) {
        log.info({ delivery: context.id, pr: pr.number }, 'threadlint: draft pull request skipped until ready_for_review');
        return;
      }
      if (pr.state !== 'open' || !(await isFirst(context))) return;
      await accept(context, log, { pullNumber: pr.number, headSha: pr.head.sha, rerun: false });
    });

    probot.on(['check_run.rerequested', 'check_suite.rerequested'], async (context) => {
      const payload = context.payload;
      const pulls = 'check_run' in payload ? payload.check_run.pull_requests : payload.check_suite.pull_requests;
      if ('check_run' in payload && payload.check_run.name !== 'threadlint') return;
      if (!(await isFirst(context))) return;
      if (pulls.length === 0) log.info({ delivery: context.id }, 'threadlint: re-run requested, but no pull request in the payload');
      for (const pull of pulls) {
        // A check run listed for a PR of another repository (a fork's base) is not ours to review.
        if (pull.base.repo.id !== payload.repository.id) continue;
        await accept(context, log, { pullNumber: pull.number, headSha: pull.head.sha, rerun: true });
      }
    });

    const deps: JobDependencies = {
      github: async (installationId) => (await probot.auth(installationId)) as unknown as GitHub,
      engine,
      log,
      latestHead: (pullKey) => queue.latestHead(pullKey),
      contextCache,
      analysisThreads: options.analysisThreads ?? 0,
      metrics,
    };
    await queue.start((job) => processReviewJob(job, deps), {
      onFailed: (data, error) => completeAbandoned(data, error, deps),
      onError: (error, what) => log.error(errorFields(error), `threadlint: queue error (${what})`),
    });
  };

  return Object.assign(app, {
    queue,
    metrics,
    idle: () => queue.idle(),
    stop: (graceMs: number) => queue.close(graceMs),
  });
}

/** The app `probot run ./dist/app/index.js` loads; `npm start` runs main.js, which adds durability and operations. */
const threadlint: ThreadlintApp = createThreadlintApp();
export default threadlint;
