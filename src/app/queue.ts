/**
 * The review queue's one interface, two implementations: BullMQ on Redis
 * (`redis-queue.ts`: several instances, stalled-job recovery) and one process with a
 * journal on disk (`local-queue.ts`). Both: a job per head, retries with backoff, a
 * newer head of the same pull request recorded so older work can step aside, and a
 * drain on shutdown that hands unfinished jobs back.
 */
import type { ReviewJobData } from './jobs.js';

/** One attempt at a job, as the processor sees it. */
export interface JobAttempt {
  readonly data: ReviewJobData;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** No retry follows if this attempt fails. */
  readonly finalAttempt: boolean;
  /** Aborted when the process shuts down and the job should be handed back. */
  readonly signal: AbortSignal;
  /** Stores the check run id with the job, so a later attempt or another process finds it. */
  saveCheckRunId(id: number): Promise<void>;
}

/** Thrown by a processor that was interrupted: the job goes back to the queue, not counted as an attempt. */
export class HandBack extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'HandBack';
  }
}

export type Processor = (job: JobAttempt) => Promise<void>;

export interface QueueHooks {
  /** Every retry was used up, or the job could not be run at all: the last error. */
  onFailed?: (data: ReviewJobData, error: unknown) => Promise<void> | void;
  /** The queue itself failed (Redis connection, the journal): reported, never dropped. */
  onError?: (error: unknown, what: string) => void;
}

export interface QueueCounts {
  waiting: number;
  active: number;
}

export interface ReviewQueue {
  readonly kind: 'redis' | 'local';
  /** Queues the job unless one with its key is already queued or running. */
  add(data: ReviewJobData): Promise<boolean>;
  /** Records the newest head of a pull request; older jobs of it see themselves superseded. */
  setLatestHead(pullKey: string, headSha: string): Promise<void>;
  latestHead(pullKey: string): Promise<string | undefined>;
  /** Starts taking jobs (and re-runs what a dead process left). */
  start(processor: Processor, hooks?: QueueHooks): Promise<void>;
  /** Stops taking jobs; waits up to `graceMs` for running ones, then hands them back. */
  close(graceMs: number): Promise<void>;
  counts(): Promise<QueueCounts>;
  /** Resolves when nothing is queued or running (tests, the load script). */
  idle(): Promise<void>;
  /** For /healthz: undefined when healthy, else what is wrong. */
  health(): Promise<string | undefined>;
}

/** Job-level retry policy shared by both implementations. */
export interface RetryPolicy {
  attempts: number;
  /** First delay; doubled per attempt. */
  backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, backoffMs: 5000 };
