/**
 * The app as it is deployed: real processes of `node dist/app/main.js` on loopback.
 * Two instances on one Redis, the first SIGKILLed mid-review: the second completes the
 * check run after the stalled-job interval. One instance without Redis: SIGTERM drains
 * and hands the job back; the next start finishes it from the journal. Production
 * without a webhook secret does not start.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appEnv, ensureBuilt, killAll, runToExit, startAppProcess } from './helpers/app-process.js';
import { FakeGitHub } from './helpers/fake-github-server.js';
import { pullRequestPayload } from './helpers/fake-github.js';
import { REDIS_URL, removeKeys, testPrefix } from './helpers/redis.js';

/** Per test: processes start in a second or two; the kill waits for a stalled-job interval. */
const TIMEOUT = 90_000;

const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const HEAD = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const SOURCE = 'import threading\n\n\ndef work():\n    pass\n\n\nt = threading.Thread(target=work)\nt.run()\n';

let fake: FakeGitHub;
const prefixes: string[] = [];

beforeAll(() => ensureBuilt(), 180_000);

beforeEach(async () => {
  fake = await new FakeGitHub().start();
  fake.setPull(OWNER, REPO, 2, HEAD, [{ filename: 'app/worker.py', content: SOURCE }]);
});

afterEach(async () => {
  killAll();
  await fake.stop();
  for (const prefix of prefixes.splice(0)) await removeKeys(prefix);
});

async function until<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test('two instances on one Redis: the first is SIGKILLed mid-review, the second completes the check run', async () => {
  const prefix = testPrefix();
  prefixes.push(prefix);
  const stalledMs = 2000;
  const env = appEnv(fake.url, { REDIS_URL, THREADLINT_REDIS_PREFIX: prefix, THREADLINT_STALLED_INTERVAL_MS: String(stalledMs) });
  const first = await startAppProcess(env);
  const hold = fake.hold('POST', /\/pulls\/2\/reviews$/);
  expect((await first.deliver('pull_request', pullRequestPayload('opened'), 'kill-1')).status).toBe(200);
  await hold.arrived; // the first instance analysed the PR and is posting its review
  const second = await startAppProcess(env);
  const killedAt = Date.now();
  first.child.kill('SIGKILL');
  expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
  hold.release(); // the dead process's request is dropped by the fake

  const run = await until(() => fake.runsFor(HEAD).find((r) => r.status === 'completed'), 30_000);
  const resumed = fake.callsTo('PATCH', /\/check-runs\/\d+$/).filter((c) => c.body.status === 'in_progress')[1];
  console.log(
    `kill -9 → job picked up by the second instance after ${resumed.at - killedAt} ms, check run completed after ${run.completedAt! - killedAt} ms (stalled interval ${stalledMs} ms)`,
  );
  expect(fake.runsFor(HEAD)).toHaveLength(1);
  expect(run.history).toEqual(['queued', 'in_progress', 'in_progress', 'completed']);
  expect(run.conclusion).toBe('failure');
  expect(fake.reviews).toHaveLength(1);
  expect(fake.commentsOn(2)).toHaveLength(1);
  await second.waitFor((l) => l.msg === 'threadlint: 1 error in 1 file' && l.delivery === 'kill-1');
  expect(fake.problems).toEqual([]);
}, TIMEOUT);

test('without Redis: SIGTERM drains, hands the job back with its check run queued, and the next start finishes it', async () => {
  const state = mkdtempSync(join(tmpdir(), 'threadlint-state-'));
  const env = appEnv(fake.url, { THREADLINT_STATE_DIR: state, THREADLINT_SHUTDOWN_GRACE_MS: '300' });
  const first = await startAppProcess(env);
  const hold = fake.hold('GET', /\/pulls\/2\/files/);
  await first.deliver('pull_request', pullRequestPayload('opened'), 'term-1');
  await hold.arrived;
  first.child.kill('SIGTERM');
  await first.waitFor((l) => l.msg === 'threadlint: draining');
  setTimeout(hold.release, 600); // still in flight after the grace period
  expect(await first.exited).toEqual({ code: 0, signal: null });
  expect(first.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['threadlint: interrupted by shutdown; handing the job back to the queue', 'threadlint: drained; exiting']));
  expect(fake.runsFor(HEAD)[0].history).toEqual(['queued', 'in_progress', 'queued']);

  const second = await startAppProcess(env);
  await second.waitFor((l) => l.msg === 'threadlint: 1 error in 1 file' && l.delivery === 'term-1');
  const [run] = fake.runsFor(HEAD);
  expect([run.status, run.conclusion]).toEqual(['completed', 'failure']);
  expect(fake.commentsOn(2)).toHaveLength(1);
}, TIMEOUT);

test('production refuses to start without a webhook secret, or with an unreadable key', async () => {
  const noSecret = { ...appEnv(fake.url), WEBHOOK_SECRET: '' };
  const refused = await runToExit(noSecret);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('WEBHOOK_SECRET is required in production');
  const badKey = await runToExit({ ...appEnv(fake.url), PRIVATE_KEY: 'not a key' });
  expect(badKey.code).toBe(1);
  expect(badKey.stderr).toMatch(/private key/i);
  expect(fake.calls).toEqual([]);
}, TIMEOUT);
