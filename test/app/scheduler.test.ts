import { ReviewScheduler, type ReviewJob } from '../../src/app/scheduler.js';

function job(pullKey: string, headSha: string, log: string[], gate?: Promise<void>): ReviewJob {
  return {
    pullKey,
    headSha,
    run: async (handle) => {
      log.push(`run ${headSha}`);
      await gate;
      log.push(`done ${headSha} superseded=${handle.supersededBy() ?? 'no'}`);
    },
    skip: async (by) => {
      log.push(`skip ${headSha} by ${by}`);
    },
  };
}

test('a newer head supersedes queued and running work of the same pull request', async () => {
  const log: string[] = [];
  const scheduler = new ReviewScheduler({ concurrency: 1 });
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  expect(scheduler.enqueue(job('r#1', 'a', log, gate))).toBe(true);
  await new Promise((r) => setImmediate(r)); // a starts; b and c arrive while it runs
  expect(scheduler.enqueue(job('r#1', 'b', log))).toBe(true);
  expect(scheduler.enqueue(job('r#1', 'c', log))).toBe(true);
  expect(scheduler.enqueue(job('r#1', 'c', log))).toBe(false); // same head already queued
  open();
  await scheduler.idle();
  expect(log).toEqual(['run a', 'done a superseded=c', 'skip b by c', 'run c', 'done c superseded=no']);
  expect(scheduler.size).toBe(0);
});

test('runs at most `concurrency` jobs at once', async () => {
  const scheduler = new ReviewScheduler({ concurrency: 2 });
  let running = 0;
  let peak = 0;
  for (let i = 0; i < 5; i++) {
    scheduler.enqueue({
      pullKey: `r#${i}`,
      headSha: 's',
      run: async () => {
        peak = Math.max(peak, ++running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
      },
      skip: async () => undefined,
    });
  }
  await scheduler.idle();
  expect(peak).toBe(2);
});

test('an error in a job is reported and does not stop the queue', async () => {
  const errors: unknown[] = [];
  const log: string[] = [];
  const scheduler = new ReviewScheduler({ onError: (e) => errors.push(e) });
  scheduler.enqueue({ pullKey: 'r#1', headSha: 'a', run: async () => { throw new Error('boom'); }, skip: async () => undefined });
  scheduler.enqueue(job('r#2', 'b', log));
  await scheduler.idle();
  expect(errors.map(String)).toEqual(['Error: boom']);
  expect(log).toEqual(['run b', 'done b superseded=no']);
});

test('work queued before it could start is skipped when a newer head arrives', async () => {
  const log: string[] = [];
  const scheduler = new ReviewScheduler({ concurrency: 1 });
  scheduler.enqueue(job('r#1', 'a', log));
  scheduler.enqueue(job('r#1', 'b', log));
  await scheduler.idle();
  expect(log).toEqual(['skip a by b', 'run b', 'done b superseded=no']);
});
