/**
 * The Probot app: wires webhook events to review runs and nothing more. Handlers only
 * enqueue work on the scheduler and return, so the webhook is answered at once; the
 * review itself runs afterwards (see scheduler.ts, run-review.ts).
 *
 * Drafts get no check run until `ready_for_review`. Re-runs come from
 * `check_run.rerequested` / `check_suite.rerequested` and use the payload's
 * `pull_requests` (GitHub fills it only for pull requests from the same repository).
 */
import type { ApplicationFunction, Context, Logger } from 'probot';
import { runReview, skipSuperseded, type Engine, type ReviewTarget } from './run-review.js';
import { ReviewScheduler } from './scheduler.js';
import type { GitHub } from './github.js';

export interface AppOptions {
  /** Defaults to the real engine, loaded on first use. */
  engine?: Engine | (() => Promise<Engine>);
  scheduler?: ReviewScheduler;
  /** Parallel review runs per process; default from THREADLINT_CONCURRENCY, else 2. */
  concurrency?: number;
}

export type ThreadlintApp = ApplicationFunction & { scheduler: ReviewScheduler };

const PULL_REQUEST_EVENTS = [
  'pull_request.opened',
  'pull_request.synchronize',
  'pull_request.reopened',
  'pull_request.ready_for_review',
] as const;

/** Deliveries already seen in this process: a redelivered webhook is not run twice. */
class RecentDeliveries {
  private readonly seen = new Set<string>();
  constructor(private readonly max = 5000) {}
  /** True the first time an id is seen. */
  add(id: string): boolean {
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    if (this.seen.size > this.max) this.seen.delete(this.seen.values().next().value!);
    return true;
  }
}

async function loadRealEngine(): Promise<Engine> {
  return import('../lint/index.js');
}

export function createThreadlintApp(options: AppOptions = {}): ThreadlintApp {
  const concurrency = options.concurrency ?? (Number(process.env.THREADLINT_CONCURRENCY) || 2);
  const scheduler = options.scheduler ?? new ReviewScheduler({ concurrency });
  const engineSource = options.engine ?? loadRealEngine;
  let enginePromise: Promise<Engine> | undefined;
  const engine = (): Promise<Engine> =>
    (enginePromise ??= typeof engineSource === 'function' ? engineSource() : Promise.resolve(engineSource));

  const enqueue = (github: GitHub, baseLog: Logger, target: ReviewTarget, delivery: string): void => {
    const { owner, repo } = target.repo;
    const log = baseLog.child({ delivery, repo: `${owner}/${repo}`, pr: target.pullNumber, sha: target.headSha });
    const queued = scheduler.enqueue({
      pullKey: `${owner}/${repo}#${target.pullNumber}`,
      headSha: target.headSha,
      run: async (handle) => {
        await runReview(target, { github, log, engine: await engine(), supersededBy: handle.supersededBy });
      },
      skip: async (by) => {
        log.info(`threadlint: superseded by ${by} before it started`);
        await skipSuperseded(github, target, by);
      },
    });
    log.info(queued ? 'threadlint: review queued' : 'threadlint: same head already queued; not queued again');
  };

  const app: ApplicationFunction = (probot) => {
    const deliveries = new RecentDeliveries();
    const firstDelivery = (context: Context): boolean => {
      if (deliveries.add(context.id)) return true;
      context.log.info({ delivery: context.id }, 'threadlint: redelivered webhook ignored');
      return false;
    };

    probot.on([...PULL_REQUEST_EVENTS], async (context) => {
      const pr = context.payload.pull_request;
      if (pr.draft) {
        context.log.info({ pr: pr.number }, 'threadlint: draft pull request skipped until ready_for_review');
        return;
      }
      if (pr.state !== 'open' || !firstDelivery(context)) return;
      const target = { repo: context.repo(), pullNumber: pr.number, headSha: pr.head.sha };
      enqueue(context.octokit as GitHub, context.log, target, context.id);
    });

    probot.on(['check_run.rerequested', 'check_suite.rerequested'], async (context) => {
      const payload = context.payload;
      const pulls = 'check_run' in payload ? payload.check_run.pull_requests : payload.check_suite.pull_requests;
      if ('check_run' in payload && payload.check_run.name !== 'threadlint') return;
      if (!firstDelivery(context)) return;
      if (pulls.length === 0) context.log.info('threadlint: re-run requested, but no pull request in the payload');
      const repo = context.repo();
      for (const pull of pulls) {
        // A check run listed for a PR of another repository (a fork's base) is not ours to review.
        if (pull.base.repo.id !== payload.repository.id) continue;
        enqueue(context.octokit as GitHub, context.log, { repo, pullNumber: pull.number, headSha: pull.head.sha }, context.id);
      }
    });
  };
  return Object.assign(app, { scheduler });
}

/** The app `probot run ./dist/app/index.js` (npm start) loads. */
const threadlint: ThreadlintApp = createThreadlintApp();
export default threadlint;
