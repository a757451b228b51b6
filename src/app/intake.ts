/**
 * Accepting a review request from a webhook: once per delivery id and once per head
 * (a redelivered payload under a new id is the same work), the check run created
 * `queued` at once so a waiting pull request shows it is waiting, then the job queued.
 *
 * The check run is created here with one quick try (no long waits inside the webhook
 * answer); if that fails the job creates it when it starts, after looking it up by
 * `external_id`. If the job cannot be queued at all, the check run is completed with
 * the error rather than left waiting.
 */
import type { Logger } from 'probot';
import { completeCheckRun, createQueuedCheckRun } from './check-run.js';
import { describeError, errorFields } from './errors.js';
import type { GitHub } from './github.js';
import { jobKeyOf, pullKeyOf, type ReviewJobData } from './jobs.js';
import type { ReviewQueue } from './queue.js';
import type { SeenKeys } from './seen-keys.js';

/** Deliveries are remembered this long (GitHub redelivers on request, within days). */
export const DELIVERY_TTL_SECONDS = 3 * 24 * 3600;
/** A head accepted once is not accepted again for this long, unless a re-run asks. */
export const HEAD_TTL_SECONDS = 6 * 3600;
/** The check run create inside the webhook answer gets this long (GitHub waits 10 s for the answer). */
export const QUICK_CREATE_MS = 4000;

export interface ReviewRequest {
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
  installationId: number;
  deliveryId: string;
  /** A re-run asked for by a person: the same head is reviewed again. */
  rerun: boolean;
}

export interface IntakeDependencies {
  queue: ReviewQueue;
  seen: SeenKeys;
  log: Logger;
}

export type Accepted = 'queued' | 'duplicate';

/** Claims the delivery id; false when it was seen before (a redelivery). */
export async function firstDelivery(seen: SeenKeys, deliveryId: string): Promise<boolean> {
  return seen.claim(`delivery:${deliveryId}`, DELIVERY_TTL_SECONDS);
}

export async function acceptReview(github: GitHub, request: ReviewRequest, deps: IntakeDependencies): Promise<Accepted> {
  const pullKey = pullKeyOf(request.owner, request.repo, request.pullNumber);
  const key = jobKeyOf(pullKey, request.headSha, request.rerun ? request.deliveryId : undefined);
  const log = deps.log.child({ delivery: request.deliveryId, repo: `${request.owner}/${request.repo}`, pr: request.pullNumber, sha: request.headSha, job: key });
  const claim = `head:${key}`;
  if (!(await deps.seen.claim(claim, HEAD_TTL_SECONDS))) {
    log.info('threadlint: same head already accepted; not queued again');
    return 'duplicate';
  }
  const repo = { owner: request.owner, repo: request.repo };
  const data: ReviewJobData = {
    key,
    pullKey,
    owner: request.owner,
    repo: request.repo,
    pullNumber: request.pullNumber,
    headSha: request.headSha,
    installationId: request.installationId,
    deliveryId: request.deliveryId,
    acceptedAt: Date.now(),
  };
  try {
    data.checkRunId = await createQueuedCheckRun(github, repo, request.headSha, key, { quickMs: QUICK_CREATE_MS });
  } catch (error) {
    log.warn(errorFields(error), 'threadlint: check run not created yet; the job creates it');
  }
  try {
    await deps.queue.setLatestHead(pullKey, request.headSha);
    const queued = await deps.queue.add(data);
    log.info(queued ? 'threadlint: review queued' : 'threadlint: same head already queued; not queued again');
    if (!queued && data.checkRunId !== undefined) {
      // The job that is already queued has a check run of its own; this one must not wait forever.
      const summary = `Another run of threadlint is already reviewing ${request.headSha.slice(0, 7)}; its check run has the result.`;
      await completeCheckRun(github, repo, data.checkRunId, 'neutral', { title: 'Already queued', summary }).catch((e: unknown) =>
        log.error(errorFields(e), 'threadlint: could not complete the duplicate check run'),
      );
    }
    return queued ? 'queued' : 'duplicate';
  } catch (error) {
    log.error(errorFields(error), 'threadlint: review could not be queued');
    await deps.seen.release(claim).catch(() => undefined);
    if (data.checkRunId !== undefined) {
      const summary = `threadlint could not queue the review of ${request.headSha.slice(0, 7)}: ${describeError(error)}\n\nUse "Re-run" on this check to try again.`;
      await completeCheckRun(github, repo, data.checkRunId, 'failure', { title: 'threadlint could not queue this review', summary }).catch((e: unknown) =>
        log.error(errorFields(e), 'threadlint: could not complete the check run'),
      );
    }
    throw error;
  }
}
