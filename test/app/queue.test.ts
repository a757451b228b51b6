/**
 * The in-process queue and its journal on their own: the concurrency bound, retries
 * with backoff and the give-up hook, damaged journal entries, and job data refused
 * field by field.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobKeyOf, parseJobData, type ReviewJobData } from '../../src/app/jobs.js';
import { LocalQueue } from '../../src/app/local-queue.js';
import type { JobAttempt } from '../../src/app/queue.js';

const job = (n: number): ReviewJobData => ({
  key: jobKeyOf(`o/r#${n}`, 'a'.repeat(40)),
  pullKey: `o/r#${n}`,
  owner: 'o',
  repo: 'r',
  pullNumber: n,
  headSha: 'a'.repeat(40),
  installationId: 1,
  deliveryId: `d${n}`,
  acceptedAt: n,
});

const stateDir = () => mkdtempSync(join(tmpdir(), 'threadlint-queue-'));

test('runs at most `concurrency` jobs at once; a key already queued is not queued again', async () => {
  const queue = new LocalQueue({ stateDir: stateDir(), concurrency: 2 });
  let running = 0;
  let peak = 0;
  await queue.start(async () => {
    peak = Math.max(peak, ++running);
    await new Promise((resolve) => setTimeout(resolve, 10));
    running--;
  });
  const added = await Promise.all([1, 2, 3, 4, 5, 1].map((n) => queue.add(job(n))));
  await queue.idle();
  expect(peak).toBe(2);
  expect(added).toEqual([true, true, true, true, true, false]);
});

test('a failing job is retried with backoff, then handed to onFailed; the journal is empty after', async () => {
  const dir = stateDir();
  const queue = new LocalQueue({ stateDir: dir, retry: { attempts: 3, backoffMs: 20 } });
  const attempts: { attempt: number; final: boolean; at: number }[] = [];
  const failed: string[] = [];
  await queue.start(
    async (j: JobAttempt) => {
      attempts.push({ attempt: j.attempt, final: j.finalAttempt, at: Date.now() });
      throw new Error('GitHub is down');
    },
    { onFailed: (data, error) => void failed.push(`${data.key}: ${(error as Error).message}`) },
  );
  await queue.add(job(1));
  await queue.idle();
  expect(attempts.map((a) => [a.attempt, a.final])).toEqual([
    [1, false],
    [2, false],
    [3, true],
  ]);
  expect(attempts[2].at - attempts[1].at).toBeGreaterThanOrEqual(attempts[1].at - attempts[0].at); // doubled
  expect(failed).toEqual([`o/r#1@${'a'.repeat(40)}: GitHub is down`]);
  expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toEqual([]);
});

test('a damaged journal file is set aside and reported; the good ones run, oldest first', async () => {
  const dir = stateDir();
  const writer = new LocalQueue({ stateDir: dir });
  await writer.add(job(2));
  await writer.add(job(1));
  writeFileSync(join(dir, 'job-0123abcd.json'), '{"data": {"key": 5}}');
  const damaged: string[] = [];
  const ran: number[] = [];
  const reader = new LocalQueue({ stateDir: dir, concurrency: 1, onDamaged: (file) => damaged.push(file) });
  await reader.start(async (j) => void ran.push(j.data.pullNumber));
  await reader.idle();
  expect(ran).toEqual([1, 2]);
  expect(damaged).toEqual(['job-0123abcd.json']);
  expect(readdirSync(dir).sort()).toEqual(['job-0123abcd.json.damaged']);
});

test('an unwritable state folder is an error naming the folder', async () => {
  const file = join(stateDir(), 'a-file');
  writeFileSync(file, '');
  const queue = new LocalQueue({ stateDir: join(file, 'state') });
  await expect(queue.add(job(1))).rejects.toThrow(/^THREADLINT_STATE_DIR .*a-file\/state is not a writable folder: ENOTDIR/);
});

test('job data is checked field by field', () => {
  expect(parseJobData(job(1))).toEqual(job(1));
  expect(parseJobData({ ...job(1), pullNumber: '1' })).toBeUndefined();
  expect(parseJobData({ ...job(1), headSha: '' })).toBeUndefined();
  expect(parseJobData(null)).toBeUndefined();
  expect(jobKeyOf('o/r#1', 'abc', 'delivery:1 x')).toBe('o/r#1@abc~delivery_1_x');
});
