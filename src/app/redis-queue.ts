/**
 * The review queue on Redis, with BullMQ: jobs survive restarts and are shared by
 * every instance; a job whose worker died (no lock renewal for `stalledIntervalMs`) is
 * picked up again by another worker; failed attempts are retried with exponential
 * backoff; on shutdown running jobs finish within the grace period or go back to
 * `wait` for another instance. Keys live under `prefix` (default `threadlint`).
 */
import { Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { parseJobData, type ReviewJobData } from './jobs.js';
import { DEFAULT_RETRY, HandBack, type Processor, type QueueCounts, type QueueHooks, type ReviewQueue, type RetryPolicy } from './queue.js';

export const QUEUE_NAME = 'reviews';

export interface RedisQueueOptions {
  url: string;
  prefix?: string;
  concurrency?: number;
  retry?: RetryPolicy;
  /** A job whose worker died is picked up again within this long. Default 30 s. */
  stalledIntervalMs?: number;
  /** How long a newest-head record lives. Default 7 days. */
  latestTtlSeconds?: number;
}

export function redisConnection(url: string): Redis {
  // BullMQ's workers block on Redis; they need commands to wait for a reconnect, not fail.
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

export class RedisQueue implements ReviewQueue {
  readonly kind = 'redis';
  readonly prefix: string;
  readonly redis: Redis;
  private readonly queue: Queue;
  private worker?: Worker;
  private workerConnection?: Redis;
  private readonly retry: RetryPolicy;
  private readonly controllers = new Map<string, AbortController>();

  constructor(private readonly options: RedisQueueOptions) {
    this.prefix = options.prefix ?? 'threadlint';
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.redis = redisConnection(options.url);
    this.queue = new Queue(QUEUE_NAME, {
      connection: this.redis,
      prefix: this.prefix,
      defaultJobOptions: {
        attempts: this.retry.attempts,
        backoff: { type: 'exponential', delay: this.retry.backoffMs },
        removeOnComplete: { age: 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    });
  }

  async add(data: ReviewJobData): Promise<boolean> {
    const existing = await this.queue.getJob(data.key);
    if (existing && !(await existing.isCompleted()) && !(await existing.isFailed())) return false;
    if (existing) await existing.remove().catch(() => undefined);
    const job = await this.queue.add('review', data, { jobId: data.key });
    return (job.data as ReviewJobData).deliveryId === data.deliveryId;
  }

  private latestKey(pullKey: string): string {
    return `${this.prefix}:latest:${pullKey}`;
  }

  async setLatestHead(pullKey: string, headSha: string): Promise<void> {
    await this.redis.set(this.latestKey(pullKey), headSha, 'EX', this.options.latestTtlSeconds ?? 7 * 24 * 3600);
  }

  async latestHead(pullKey: string): Promise<string | undefined> {
    return (await this.redis.get(this.latestKey(pullKey))) ?? undefined;
  }

  async start(processor: Processor, hooks: QueueHooks = {}): Promise<void> {
    // BullMQ moves a job on the second stalled check after its lock expired, so a dead
    // worker's job waits between one and two check intervals: checking (and locking) at
    // half the promised interval keeps the promise.
    const interval = Math.max(250, Math.round((this.options.stalledIntervalMs ?? 30_000) / 2));
    this.worker = new Worker(
      QUEUE_NAME,
      async (job: Job, token?: string, signal?: AbortSignal) => {
        const data = parseJobData(job.data);
        if (!data) throw new UnrecoverableError('damaged job data: not a review job');
        const controller = new AbortController();
        const combined = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
        this.controllers.set(job.id!, controller);
        const attempt = job.attemptsMade + 1;
        try {
          await processor({
            data,
            attempt,
            finalAttempt: attempt >= (job.opts.attempts ?? 1),
            signal: combined,
            saveCheckRunId: async (id) => {
              await job.updateData({ ...data, checkRunId: id });
            },
          });
        } catch (error) {
          if (error instanceof HandBack) {
            await job.moveToWait(token);
            throw new WaitingError();
          }
          throw error;
        } finally {
          this.controllers.delete(job.id!);
        }
      },
      {
        connection: (this.workerConnection = redisConnection(this.options.url)),
        prefix: this.prefix,
        concurrency: Math.max(1, this.options.concurrency ?? 2),
        lockDuration: interval,
        stalledInterval: interval,
        maxStalledCount: 2,
        autorun: false,
      },
    );
    this.worker.on('failed', (job, error) => {
      if (!job) return;
      const data = parseJobData(job.data);
      const final = error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled more than/i.test(error.message);
      if (data && final) void Promise.resolve(hooks.onFailed?.(data, error)).catch((e: unknown) => hooks.onError?.(e, 'completing a failed job'));
    });
    // Connection errors: ioredis reconnects by itself, /healthz reports Redis, the log says so.
    this.worker.on('error', (error) => hooks.onError?.(error, 'BullMQ worker'));
    void this.worker.run();
    await this.worker.waitUntilReady();
  }

  async close(graceMs: number): Promise<void> {
    if (this.worker) {
      const closing = this.worker.close();
      const timer = setTimeout(() => {
        for (const controller of this.controllers.values()) controller.abort(new HandBack('threadlint is shutting down'));
      }, graceMs);
      await closing;
      clearTimeout(timer);
    }
    await this.queue.close();
    await this.workerConnection?.quit().catch(() => undefined);
    await this.redis.quit().catch(() => undefined);
  }

  async counts(): Promise<QueueCounts> {
    const c = await this.queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active');
    return { waiting: (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0 };
  }

  async idle(): Promise<void> {
    for (;;) {
      const c = await this.counts();
      if (c.waiting === 0 && c.active === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async health(): Promise<string | undefined> {
    try {
      await this.redis.ping();
      return undefined;
    } catch (error) {
      return `Redis: ${(error as Error).message}`;
    }
  }

  /** Removes every key of this queue's prefix (tests). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
    const keys = await this.redis.keys(`${this.prefix}:*`);
    if (keys.length > 0) await this.redis.del(...keys);
  }
}
