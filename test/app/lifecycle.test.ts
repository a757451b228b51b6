/**
 * Shutdown, restart and several instances: a drain finishes what it can within the
 * grace period and hands the rest back with its check run `queued`; a restart (without
 * Redis, from the journal) or another instance (with Redis) finishes it; a newer push
 * supersedes older work. Both queues, the local one and BullMQ on the real Redis.
 */
import { readdirSync } from 'node:fs';
import { LocalQueue } from '../../src/app/local-queue.js';
import type { ReviewQueue } from '../../src/app/queue.js';
import { RedisQueue } from '../../src/app/redis-queue.js';
import { RedisSeenKeys } from '../../src/app/seen-keys.js';
import { startHarness, type Harness } from './helpers/app-harness.js';
import { FakeGitHub } from './helpers/fake-github-server.js';
import { pullRequestPayload } from './helpers/fake-github.js';
import { REDIS_URL, keysUnder, removeKeys, testPrefix } from './helpers/redis.js';

const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const PR = 2;
const HEAD = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const SOURCE = 'import threading\n\n\ndef work():\n    pass\n\n\nt = threading.Thread(target=work)\nt.run()\n';

let fake: FakeGitHub;
const harnesses: Harness[] = [];
const prefixes: string[] = [];

beforeEach(async () => {
  fake = await new FakeGitHub().start();
  fake.setPull(OWNER, REPO, PR, HEAD, [{ filename: 'app/worker.py', content: SOURCE }]);
});

afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.stop(100).catch(() => undefined);
  await fake.stop();
  for (const prefix of prefixes.splice(0)) await removeKeys(prefix);
});

const journalFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.json'));

function expectOneCompletedReview(): void {
  const runs = fake.runsFor(HEAD);
  expect(runs.map((r) => r.status)).toEqual(['completed']);
  expect(runs[0].conclusion).toBe('failure');
  expect(fake.commentsOn(PR)).toHaveLength(1);
  expect(fake.problems).toEqual([]);
}

type QueueFactory = (stateDir: string, prefix: string) => ReviewQueue;
const local: QueueFactory = (stateDir) => new LocalQueue({ stateDir, retry: { attempts: 3, backoffMs: 50 } });
const redis: QueueFactory = (_stateDir, prefix) => new RedisQueue({ url: REDIS_URL, prefix, retry: { attempts: 3, backoffMs: 50 }, stalledIntervalMs: 1000 });

async function harness(makeQueue: QueueFactory, stateDir: string, prefix: string): Promise<Harness> {
  const queue = makeQueue(stateDir, prefix);
  const seen = queue instanceof RedisQueue ? new RedisSeenKeys(queue.redis, prefix) : undefined;
  const h = await startHarness(fake, { queue, stateDir, seen });
  harnesses.push(h);
  return h;
}

describe.each([
  ['local queue', local],
  ['Redis queue', redis],
])('%s', (_name, makeQueue) => {
  let stateDir: string;
  let prefix: string;
  beforeEach(async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    stateDir = mkdtempSync(join(tmpdir(), 'threadlint-lifecycle-'));
    prefix = testPrefix();
    prefixes.push(prefix);
  });

  test('a drain lets a running review finish within the grace period', async () => {
    const first = await harness(makeQueue, stateDir, prefix);
    const hold = fake.hold('GET', /\/pulls\/2\/files/);
    await first.deliver('pull_request', pullRequestPayload('opened'));
    await hold.arrived;
    const stopping = first.stop(5000, { keepState: true });
    setTimeout(hold.release, 100);
    await stopping;
    harnesses.splice(harnesses.indexOf(first), 1);
    expectOneCompletedReview();
    if (makeQueue === local) expect(journalFiles(stateDir)).toEqual([]);
  });

  test('past the grace period the job is handed back, its check run queued, and the next start finishes it', async () => {
    const first = await harness(makeQueue, stateDir, prefix);
    const hold = fake.hold('GET', /\/pulls\/2\/files/);
    await first.deliver('pull_request', pullRequestPayload('opened'));
    await hold.arrived;
    const stopping = first.stop(50, { keepState: true });
    setTimeout(hold.release, 300);
    await stopping;
    harnesses.splice(harnesses.indexOf(first), 1);
    const [run] = fake.runsFor(HEAD);
    expect(run.history).toEqual(['queued', 'in_progress', 'queued']);
    expect(run.output.title).toBe('Queued again');
    if (makeQueue === local) expect(journalFiles(stateDir)).toHaveLength(1);
    expect(first.logs.some((l) => l.msg === 'threadlint: interrupted by shutdown; handing the job back to the queue' && l.delivery)).toBe(true);

    const second = await harness(makeQueue, stateDir, prefix);
    await second.app.idle();
    expectOneCompletedReview();
    expect(fake.runsFor(HEAD)[0].history).toEqual(['queued', 'in_progress', 'queued', 'in_progress', 'completed']);
    if (makeQueue === local) expect(journalFiles(stateDir)).toEqual([]);
  });

  test('a newer push supersedes the running review of the older head', async () => {
    const NEW = 'f'.repeat(40);
    const h = await harness(makeQueue, stateDir, prefix);
    const hold = fake.hold('GET', /\/pulls\/2\/files/);
    await h.deliver('pull_request', pullRequestPayload('opened'));
    await hold.arrived;
    fake.setPull(OWNER, REPO, PR, NEW, [{ filename: 'app/worker.py', content: SOURCE }]);
    await h.deliver('pull_request', pullRequestPayload('synchronize', { sha: NEW }));
    hold.release();
    await h.app.idle();
    const [old] = fake.runsFor(HEAD);
    expect([old.status, old.conclusion, old.output.title]).toEqual(['completed', 'neutral', 'Superseded by fffffff']);
    const [current] = fake.runsFor(NEW);
    expect([current.status, current.conclusion]).toEqual(['completed', 'failure']);
    expect(fake.reviews.map((r) => r.commit_id)).toEqual([NEW]);
  });
});

test('without Redis, a job a dead process left in the journal is finished at the next start', async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const stateDir = mkdtempSync(join(tmpdir(), 'threadlint-orphan-'));
  // The dead process: it accepted the webhook, created the check run and journaled the job.
  const dead = new LocalQueue({ stateDir });
  const key = `${OWNER}/${REPO}#${PR}@${HEAD}`;
  const created = await fetch(`${fake.url}/repos/${OWNER}/${REPO}/check-runs`, {
    method: 'POST',
    body: JSON.stringify({ name: 'threadlint', head_sha: HEAD, external_id: key, status: 'in_progress' }),
  }).then((r) => r.json() as Promise<{ id: number }>);
  await dead.add({ key, pullKey: `${OWNER}/${REPO}#${PR}`, owner: OWNER, repo: REPO, pullNumber: PR, headSha: HEAD, installationId: 1, deliveryId: 'd-dead', acceptedAt: Date.now(), checkRunId: created.id });
  expect(journalFiles(stateDir)).toHaveLength(1);

  const h = await startHarness(fake, { stateDir });
  harnesses.push(h);
  await h.app.idle();
  expectOneCompletedReview();
  expect(journalFiles(stateDir)).toEqual([]);
  expect(h.logs.find((l) => l.msg === 'threadlint: 1 error in 1 file')).toMatchObject({ delivery: 'd-dead' });
});

test('with Redis, two instances share deliveries: the same delivery sent to both is reviewed once', async () => {
  const prefix = testPrefix();
  prefixes.push(prefix);
  const [a, b] = [await harness(redis, '', prefix), await harness(redis, '', prefix)];
  await Promise.all([a.deliver('pull_request', pullRequestPayload('opened'), 'shared-1'), b.deliver('pull_request', pullRequestPayload('opened'), 'shared-1')]);
  await Promise.all([a.app.idle(), b.app.idle()]);
  expectOneCompletedReview();
  expect((await keysUnder(prefix)).some((k) => k.includes(':seen:delivery:shared-1'))).toBe(true);
});
