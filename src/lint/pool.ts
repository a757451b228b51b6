/**
 * Where file jobs run: in this thread, or on a pool of worker threads (tinypool) so a run
 * uses every core and a server's event loop stays free. A worker that crashes or
 * overruns its hard time limit is thrown away and replaced; the file is reported as not
 * analysed and the other files are unaffected.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Tinypool from 'tinypool';
import { DEFAULT_BUDGET_MS, type FileAnalysis } from '../engine/file.js';
import { runFileJob, type FileJob } from './file-job.js';

export interface JobRunner {
  run(job: FileJob): Promise<FileAnalysis>;
  /** Whether jobs leave this thread (the caller need not yield between them). */
  readonly parallel: boolean;
}

export const inThisThread: JobRunner = { run: runFileJob, parallel: false };

/** The compiled worker entry; tests run from the TypeScript sources and use the build. */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return join(dirname(here), 'worker.js');
  const built = join(dirname(here), '..', '..', 'dist', 'lint', 'worker.js');
  if (!existsSync(built)) throw new Error(`worker threads need the build (${built}); run \`npm run build\``);
  return built;
}

let shared: { threads: number; pool: Tinypool } | undefined;

function pool(threads: number): Tinypool {
  if (shared?.threads !== threads) {
    void shared?.pool.destroy();
    shared = {
      threads,
      pool: new Tinypool({
        filename: workerFile(),
        minThreads: Math.min(1, threads),
        maxThreads: threads,
        idleTimeout: 30_000,
        // A worker that grew large on a huge file is replaced instead of keeping the memory.
        maxMemoryLimitBeforeRecycle: 512 * 1024 * 1024,
        resourceLimits: { maxOldGenerationSizeMb: 2048 },
      }),
    };
  }
  return shared.pool;
}

/** A runner on `threads` worker threads (shared by every run of this process). */
export function workerPool(threads: number): JobRunner {
  return {
    parallel: true,
    async run(job) {
      const budget = job.budgetMs ?? DEFAULT_BUDGET_MS;
      // The budget stops a file cooperatively; this stops a worker that cannot stop.
      const hardLimit = Number.isFinite(budget) ? 2 * budget + 5_000 : undefined;
      const signal = hardLimit === undefined ? undefined : AbortSignal.timeout(hardLimit);
      try {
        return (await pool(threads).run(job, { signal })) as FileAnalysis;
      } catch (error) {
        const stopped = signal?.aborted === true;
        const message = stopped
          ? `analysis stopped: the worker did not finish within ${Math.round(hardLimit! / 1000)} s and was replaced`
          : `analysis failed in its worker thread, which was replaced: ${error instanceof Error ? error.message : String(error)}`;
        return { path: job.file.path, findings: [], notes: [{ path: job.file.path, kind: stopped ? 'budget' : 'crash', message }], facts: {}, suppressions: [], analysed: false };
      }
    },
  };
}

/** Stop the worker threads (a CLI run ends; a server shuts down). */
export async function closeWorkers(): Promise<void> {
  const current = shared;
  shared = undefined;
  await current?.pool.destroy();
}
