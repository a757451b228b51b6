/**
 * The review queue in one process: at most `concurrency` jobs at once, retries with
 * backoff, every unfinished job in the journal (`journal.ts`) so a restart runs what a
 * dead or stopped process left.
 */
import { Journal, type JournalEntry } from './journal.js';
import type { ReviewJobData } from './jobs.js';
import { DEFAULT_RETRY, HandBack, type Processor, type QueueCounts, type QueueHooks, type ReviewQueue, type RetryPolicy } from './queue.js';

export interface LocalQueueOptions {
  /** The state folder; jobs are journaled there. */
  stateDir: string;
  concurrency?: number;
  retry?: RetryPolicy;
  /** Reports an unreadable journal file. */
  onDamaged?: (file: string, why: string) => void;
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

export class LocalQueue implements ReviewQueue {
  readonly kind = 'local';
  private readonly journal: Journal;
  private readonly concurrency: number;
  private readonly retry: RetryPolicy;
  private readonly waiting: JournalEntry[] = [];
  private readonly running = new Map<string, Running>();
  private readonly delayed = new Map<string, NodeJS.Timeout>();
  private readonly keys = new Set<string>();
  private readonly latest = new Map<string, string>();
  private readonly idleWaiters: (() => void)[] = [];
  private processor?: Processor;
  private hooks: QueueHooks = {};
  private stopping = false;
  private opened?: Promise<void>;

  constructor(private readonly options: LocalQueueOptions) {
    this.journal = new Journal(options.stateDir);
    this.concurrency = Math.max(1, options.concurrency ?? 2);
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  private open(): Promise<void> {
    return (this.opened ??= this.journal.open());
  }

  async add(data: ReviewJobData): Promise<boolean> {
    if (this.stopping) throw new Error('threadlint is shutting down and takes no new jobs');
    if (this.keys.has(data.key)) return false;
    this.keys.add(data.key);
    const entry: JournalEntry = { data, failedAttempts: 0 };
    try {
      await this.open();
      await this.journal.put(entry);
    } catch (error) {
      this.keys.delete(data.key);
      throw error;
    }
    this.waiting.push(entry);
    this.pump();
    return true;
  }

  async setLatestHead(pullKey: string, headSha: string): Promise<void> {
    this.latest.set(pullKey, headSha);
  }

  async latestHead(pullKey: string): Promise<string | undefined> {
    return this.latest.get(pullKey);
  }

  async start(processor: Processor, hooks: QueueHooks = {}): Promise<void> {
    this.processor = processor;
    this.hooks = hooks;
    await this.open();
    for (const entry of await this.journal.list(this.options.onDamaged)) {
      if (this.keys.has(entry.data.key)) continue;
      this.keys.add(entry.data.key);
      if (!this.latest.has(entry.data.pullKey)) this.latest.set(entry.data.pullKey, entry.data.headSha);
      this.waiting.push(entry);
    }
    this.pump();
  }

  private pump(): void {
    while (this.processor && !this.stopping && this.running.size < this.concurrency && this.waiting.length > 0) {
      this.run(this.waiting.shift()!);
    }
    this.notifyIdle();
  }

  private run(entry: JournalEntry): void {
    const controller = new AbortController();
    const attempt = entry.failedAttempts + 1;
    const done = (async () => {
      try {
        await this.processor!({
          data: entry.data,
          attempt,
          finalAttempt: attempt >= this.retry.attempts,
          signal: controller.signal,
          saveCheckRunId: async (id) => {
            entry.data = { ...entry.data, checkRunId: id };
            await this.journal.put(entry);
          },
        });
        await this.finish(entry);
      } catch (error) {
        await this.failed(entry, error);
      }
    })();
    this.running.set(entry.data.key, { controller, done });
    void done.finally(() => {
      this.running.delete(entry.data.key);
      this.pump();
    });
  }

  private async finish(entry: JournalEntry): Promise<void> {
    this.keys.delete(entry.data.key);
    await this.journal.remove(entry.data.key).catch((error: unknown) => this.hooks.onError?.(error, 'removing a finished job from the journal'));
  }

  private async failed(entry: JournalEntry, error: unknown): Promise<void> {
    if (error instanceof HandBack) {
      // Stays in the journal; runs again now, or at the next start when stopping.
      if (!this.stopping) this.waiting.unshift(entry);
      return;
    }
    entry.failedAttempts++;
    if (entry.failedAttempts < this.retry.attempts) {
      await this.journal.put(entry).catch((error: unknown) => this.hooks.onError?.(error, 'journaling a retry'));
      if (this.stopping) return;
      const timer = setTimeout(() => {
        this.delayed.delete(entry.data.key);
        this.waiting.push(entry);
        this.pump();
      }, this.retry.backoffMs * 2 ** (entry.failedAttempts - 1));
      this.delayed.set(entry.data.key, timer);
      return;
    }
    await this.finish(entry);
    try {
      await this.hooks.onFailed?.(entry.data, error);
    } catch (failure) {
      this.hooks.onError?.(failure, 'completing a failed job');
    }
  }

  async close(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const timer of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    const all = () => Promise.allSettled([...this.running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([all(), graceOver]);
    clearTimeout(timer);
    for (const running of this.running.values()) running.controller.abort(new HandBack('threadlint is shutting down'));
    await all();
    this.notifyIdle();
  }

  async counts(): Promise<QueueCounts> {
    return { waiting: this.waiting.length + this.delayed.size, active: this.running.size };
  }

  private isIdle(): boolean {
    return this.waiting.length === 0 && this.running.size === 0 && this.delayed.size === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle() && !this.stopping) return;
    if (this.running.size > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  idle(): Promise<void> {
    if (this.isIdle() || (this.stopping && this.running.size === 0)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async health(): Promise<string | undefined> {
    return undefined;
  }
}
