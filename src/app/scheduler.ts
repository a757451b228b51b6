/**
 * Review work runs after the webhook is answered: handlers enqueue and return, so
 * GitHub gets its response well inside the 10-second delivery limit even for a
 * 3000-file pull request. Runs are bounded by a concurrency limit, the same head SHA
 * is never queued twice, and a newer push on the same pull request supersedes older
 * work that has not finished.
 */
import pLimit, { type LimitFunction } from 'p-limit';

export interface RunHandle {
  /** The newer head SHA this run was superseded by, if any. */
  supersededBy(): string | undefined;
}

export interface ReviewJob {
  /** Identifies the pull request: `owner/repo#number`. */
  pullKey: string;
  headSha: string;
  /** Does the work; checks `handle.supersededBy()` between stages. */
  run(handle: RunHandle): Promise<void>;
  /** Called instead of `run` when a newer push arrived before this one started. */
  skip(supersededBy: string): Promise<void>;
}

export interface SchedulerOptions {
  concurrency?: number;
  onError?: (error: unknown, job: ReviewJob) => void;
}

export class ReviewScheduler {
  private readonly limit: LimitFunction;
  private readonly latest = new Map<string, string>();
  private readonly active = new Set<string>();
  private readonly pending = new Set<Promise<void>>();
  private readonly onError: (error: unknown, job: ReviewJob) => void;

  constructor(options: SchedulerOptions = {}) {
    this.limit = pLimit(Math.max(1, options.concurrency ?? 2));
    this.onError = options.onError ?? (() => undefined);
  }

  /**
   * Queues the job unless the same pull request and head SHA is already queued or
   * running (a redelivery or a double event). Returns whether it was queued.
   */
  enqueue(job: ReviewJob): boolean {
    const key = `${job.pullKey}@${job.headSha}`;
    if (this.active.has(key)) return false;
    this.active.add(key);
    this.latest.set(job.pullKey, job.headSha);
    const handle: RunHandle = {
      supersededBy: () => {
        const newest = this.latest.get(job.pullKey);
        return newest !== undefined && newest !== job.headSha ? newest : undefined;
      },
    };
    const task = this.limit(async () => {
      try {
        const newer = handle.supersededBy();
        await (newer ? job.skip(newer) : job.run(handle));
      } catch (error) {
        this.onError(error, job);
      } finally {
        this.active.delete(key);
        if (this.latest.get(job.pullKey) === job.headSha && ![...this.active].some((k) => k.startsWith(`${job.pullKey}@`))) {
          this.latest.delete(job.pullKey);
        }
      }
    });
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
    return true;
  }

  /** Jobs queued or running. */
  get size(): number {
    return this.active.size;
  }

  /** Resolves when every queued job (including ones queued meanwhile) has finished. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
