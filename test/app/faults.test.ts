/**
 * The fault matrix: each failure an operator can meet, against a fake GitHub on
 * loopback and the app as it runs in production (HTTP server, request policy,
 * timeouts, queue, real engine). After every case: no check run left unfinished, no
 * comment posted twice, every finding commented or annotated, and the error named in
 * the check run and in the log.
 */
import { FakeGitHub, type FakeFile } from './helpers/fake-github-server.js';
import { startHarness, type Harness } from './helpers/app-harness.js';
import { pullRequestPayload } from './helpers/fake-github.js';

const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const PR = 2;
const HEAD = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
/** Two TL301 findings; the marker must never reach a log line. */
const SOURCE = `import threading

SOURCE_MARKER_7f3a = 1


def work():
    pass


t = threading.Thread(target=work)
t.run()
u = threading.Thread(target=work)
u.run()
`;
const FILES: FakeFile[] = [{ filename: 'app/worker.py', content: SOURCE }];

let fake: FakeGitHub;
let harness: Harness | undefined;

beforeEach(async () => {
  fake = await new FakeGitHub().start();
  fake.setPull(OWNER, REPO, PR, HEAD, FILES);
});

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
  await fake.stop();
});

/** What every fault must end in. */
function expectSettled(options: { comments?: number } = {}): void {
  const runs = [...fake.checkRuns.values()];
  expect(runs.map((r) => r.status)).toEqual(runs.map(() => 'completed'));
  const bodies = fake.commentsOn(PR).map((c) => `${c.path}:${c.line}`);
  expect(new Set(bodies).size).toBe(bodies.length);
  if (options.comments !== undefined) expect(bodies).toHaveLength(options.comments);
  expect(harness!.logText()).not.toContain('SOURCE_MARKER_7f3a');
  expect(fake.problems).toEqual([]);
}

async function review(options: { requestTimeoutMs?: number } = {}): Promise<Response> {
  harness ??= await startHarness(fake, options);
  const response = await harness.deliver('pull_request', pullRequestPayload('opened'));
  await harness.app.idle();
  return response;
}

test('the happy path: check run queued at acceptance, one review, completed with every finding', async () => {
  const response = await review();
  expect(response.status).toBe(200);
  const [run] = fake.runsFor(HEAD);
  expect(run.history).toEqual(['queued', 'in_progress', 'completed']);
  expect(run.external_id).toBe(`${OWNER}/${REPO}#${PR}@${HEAD}`);
  expect(run.conclusion).toBe('failure');
  expect(run.annotations).toHaveLength(2);
  expect(fake.reviews).toHaveLength(1);
  expectSettled({ comments: 2 });
});

describe('writes whose outcome is unknown', () => {
  test('a review GitHub stored but answered 502 is found by its marker, not posted again', async () => {
    fake.fail({ method: 'POST', path: /\/pulls\/2\/reviews$/, afterActing: true, status: 502 });
    await review();
    expect(fake.reviews).toHaveLength(1);
    expect(fake.callsTo('POST', /\/pulls\/2\/reviews$/)).toHaveLength(1);
    expect(fake.callsTo('GET', /\/pulls\/2\/reviews/)).toHaveLength(1);
    const [run] = fake.runsFor(HEAD);
    expect(run.output.summary).toContain('2 new inline comments');
    expectSettled({ comments: 2 });
  });

  test('a review that timed out and was not stored is posted once more', async () => {
    fake.fail({ method: 'POST', path: /\/pulls\/2\/reviews$/, hang: true });
    await review({ requestTimeoutMs: 1000 });
    expect(fake.callsTo('POST', /\/pulls\/2\/reviews$/)).toHaveLength(2);
    expect(fake.reviews).toHaveLength(1);
    expectSettled({ comments: 2 });
  });

  test('a check run create whose answer was lost is found by external_id: one check run, completed', async () => {
    fake.fail({ method: 'POST', path: /\/check-runs$/, afterActing: true, status: 502 });
    await review();
    expect(fake.runsFor(HEAD)).toHaveLength(1);
    expect(fake.callsTo('POST', /\/check-runs$/)).toHaveLength(1);
    expectSettled({ comments: 2 });
  });
});

describe('GitHub failing', () => {
  test('the completing PATCH failing past its retries: the job is retried and completes, no comment twice', async () => {
    // in_progress passes; the completion fails on its first try and its 4 retries (and the "retrying" PATCH)
    fake.fail({ method: 'PATCH', path: /\/check-runs\/\d+$/, after: 1, status: 500, times: 6 });
    await review();
    const [run] = fake.runsFor(HEAD);
    expect(run.status).toBe('completed');
    expect(run.annotations).toHaveLength(2);
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toContain('2 already commented on an earlier push');
    expect(fake.reviews).toHaveLength(1);
    const retried = harness!.logs.find((l) => l.msg === 'threadlint: review failed; it will be retried');
    expect(retried).toMatchObject({ delivery: expect.any(String), err: { status: 500 }, attempt: 1 });
    expectSettled({ comments: 2 });
  });

  test('a request that never answers times out and the review completes', async () => {
    fake.fail({ method: 'GET', path: /\/pulls\/2\/files/, hang: true });
    await review({ requestTimeoutMs: 1000 });
    const [run] = fake.runsFor(HEAD);
    expect(run.conclusion).toBe('failure');
    expect(fake.callsTo('GET', /\/pulls\/2\/files/)).toHaveLength(2);
    expectSettled({ comments: 2 });
  });

  test('a 401 on the installation token: retried with backoff, the error logged with the delivery id', async () => {
    fake.fail({ method: 'POST', path: /access_tokens$/, status: 401, body: { message: 'Bad credentials' } });
    harness = await startHarness(fake);
    await harness.deliver('pull_request', pullRequestPayload('opened'), 'delivery-401');
    await harness.app.idle();
    expectSettled({ comments: 2 });
    expect(fake.runsFor(HEAD)).toHaveLength(1);
    const warned = harness.logs.find((l) => /check run not created yet/.test(l.msg));
    expect(warned).toMatchObject({ delivery: 'delivery-401', err: { status: 401 } });
  });

  test('a 403 secondary rate limit on creating the check run waits for retry-after', async () => {
    fake.fail({
      method: 'POST',
      path: /\/check-runs$/,
      status: 403,
      times: 2,
      headers: { 'retry-after': '1' },
      body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
    });
    await review();
    const creates = fake.callsTo('POST', /\/check-runs$/);
    expect(creates).toHaveLength(3);
    expect(creates[2].at - creates[1].at).toBeGreaterThanOrEqual(950);
    expect(fake.runsFor(HEAD)).toHaveLength(1);
    expectSettled({ comments: 2 });
  });

  test('a 429 honours retry-after', async () => {
    fake.fail({ method: 'GET', path: /\/pulls\/2\/files/, status: 429, headers: { 'retry-after': '1' }, body: { message: 'Too many requests' } });
    await review();
    const lists = fake.callsTo('GET', /\/pulls\/2\/files/);
    expect(lists).toHaveLength(2);
    expect(lists[1].at - lists[0].at).toBeGreaterThanOrEqual(950);
    expectSettled({ comments: 2 });
  });

  test('a permanent error mid-run completes the check run as failure naming the error', async () => {
    fake.fail({ method: 'GET', path: /\/pulls\/2\/files/, status: 404, times: 10, body: { message: 'Not Found' } });
    await review();
    const [run] = fake.runsFor(HEAD);
    expect([run.conclusion, run.output.title]).toEqual(['failure', 'threadlint could not finish']);
    expect(run.output.summary).toContain('HTTP 404: Not Found');
    expect(harness!.logs.some((l) => l.level === 50 && l.delivery && l.err?.status === 404)).toBe(true);
    expectSettled({ comments: 0 });
  });
});

describe('annotations in batches', () => {
  const many = Array.from({ length: 60 }, (_, i) => `t${i} = threading.Thread(target=work)\nt${i}.run()\n`).join('');
  const BIG: FakeFile[] = [{ filename: 'app/many.py', content: `import threading\n\n\ndef work():\n    pass\n\n\n${many}` }];

  test('the check run is completed only with its last batch', async () => {
    fake.setPull(OWNER, REPO, PR, HEAD, BIG);
    await review();
    const [run] = fake.runsFor(HEAD);
    const patches = fake.callsTo('PATCH', new RegExp(`/check-runs/${run.id}$`)).slice(1); // after in_progress
    expect(patches.map((p) => [p.body.status, p.body.output.annotations.length])).toEqual([
      [undefined, 50],
      ['completed', 10],
    ]);
    expect(run.annotations).toHaveLength(60);
    expectSettled({ comments: 25 });
  });

  test('a later batch failing: the run still completes with every finding and names the error', async () => {
    fake.setPull(OWNER, REPO, PR, HEAD, BIG);
    // in_progress and the first batch pass; the last batch is refused
    fake.fail({ method: 'PATCH', path: /\/check-runs\/\d+$/, after: 2, status: 422, body: { message: 'Invalid annotation' } });
    await review();
    const [run] = fake.runsFor(HEAD);
    expect(run.status).toBe('completed');
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toContain('**threadlint could not finish**: HTTP 422: Invalid annotation');
    expect(run.annotations).toHaveLength(60);
    expect(new Set(run.annotations.map((a) => `${a.path}:${a.start_line}`)).size).toBe(60);
    expectSettled({ comments: 25 });
  });
});

describe('intake', () => {
  test('a redelivered payload under a new delivery id is not reviewed again', async () => {
    harness = await startHarness(fake);
    await harness.deliver('pull_request', pullRequestPayload('opened'), 'd-1');
    await harness.deliver('pull_request', pullRequestPayload('opened'), 'd-1');
    await harness.deliver('pull_request', pullRequestPayload('synchronize'), 'd-2');
    await harness.app.idle();
    expect(fake.runsFor(HEAD)).toHaveLength(1);
    expect(fake.reviews).toHaveLength(1);
    expect(harness.logs.filter((l) => l.msg === 'threadlint: same head already accepted; not queued again').map((l) => l.delivery)).toEqual(['d-2']);
    expectSettled({ comments: 2 });
  });

  test('a head whose job is still queued when its acceptance is forgotten: the extra check run ends neutral', async () => {
    const forgetful = { claim: async () => true, release: async () => undefined };
    harness = await startHarness(fake, { seen: forgetful });
    const hold = fake.hold('GET', /\/pulls\/2\/files/);
    await harness.deliver('pull_request', pullRequestPayload('opened'), 'f-1');
    await hold.arrived;
    await harness.deliver('pull_request', pullRequestPayload('opened'), 'f-2');
    hold.release();
    await harness.app.idle();
    const runs = fake.runsFor(HEAD);
    expect(runs.map((r) => [r.conclusion, r.output.title])).toEqual([
      ['failure', '2 errors in 1 file'],
      ['neutral', 'Already queued'],
    ]);
    expectSettled({ comments: 2 });
  });

  test('a body over the limit is refused before it is read, whatever content-length says', async () => {
    harness = await startHarness(fake, { maxBodyBytes: 64 * 1024 });
    const big = JSON.stringify({ ...pullRequestPayload('opened'), padding: 'x'.repeat(200 * 1024) });
    const declared = await fetch(`${harness.url}/api/github/webhooks`, {
      method: 'POST',
      headers: { 'x-github-event': 'pull_request', 'x-github-delivery': 'big-1', 'x-hub-signature-256': 'sha256=00' },
      body: big,
    });
    expect(declared.status).toBe(413);
    // chunked, no content-length: counted while reading
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(32 * 1024)));
        controller.close();
      },
    });
    const chunked = await fetch(`${harness.url}/api/github/webhooks`, {
      method: 'POST',
      headers: { 'x-github-event': 'pull_request', 'x-github-delivery': 'big-2', 'x-hub-signature-256': 'sha256=00' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(fake.calls).toEqual([]);
    expect(harness.logs.filter((l) => l.msg === 'threadlint: webhook refused').map((l) => [l.delivery, l.status])).toEqual([
      ['big-1', 413],
      ['big-2', 413],
    ]);
  });

  test('a bad signature is refused first: 401, GitHub never called, no payload in the log', async () => {
    harness = await startHarness(fake);
    const response = await harness.deliver('pull_request', pullRequestPayload('opened'), 'forged', () => 'sha256=' + '0'.repeat(64));
    expect(response.status).toBe(401);
    expect(fake.calls).toEqual([]);
    expect(harness.logText()).not.toContain('Hello-World');
    expect(harness.logs.find((l) => l.delivery === 'forged')).toMatchObject({ status: 401, error: 'signature does not match' });
    expect(harness.logText()).not.toContain('Codertocat');
  });

  test('a refused review logs no source text and keeps every finding as an annotation', async () => {
    fake.fail({ method: 'POST', path: /\/pulls\/2\/reviews$/, status: 422, body: { message: 'Unprocessable Entity', errors: ['Line could not be resolved'] } });
    await review();
    const [run] = fake.runsFor(HEAD);
    expect(run.output.summary).toContain('GitHub refused the review (HTTP 422');
    expect(run.annotations).toHaveLength(2);
    expect(harness!.logText()).not.toContain('t.run()');
    expectSettled({ comments: 0 });
  });

  test('a file over the size limit is skipped by its size before download and named; the rest is reviewed', async () => {
    const huge = `x = 1\n${'# padding\n'.repeat(850_000)}`;
    // GitHub sends no patch for a diff this big
    fake.setPull(OWNER, REPO, PR, HEAD, [...FILES, { filename: 'app/generated.py', content: huge, patch: null }]);
    await review();
    const [run] = fake.runsFor(HEAD);
    expect(run.output.summary).toMatch(/\| `app\/generated\.py` \| too large \(8500006 bytes, limit 2000000\): not downloaded \|/);
    const asked = fake.graphqlCalls('threadlintBlobs').flatMap((c) => Object.values(c.body.variables));
    expect(asked.some((v) => String(v).endsWith(':app/generated.py'))).toBe(false);
    expect(run.annotations).toHaveLength(2);
    expectSettled({ comments: 2 });
  });

  test('a file that could not be analysed makes the conclusion neutral at best, never success', async () => {
    const clean = 'def add(a, b):\n    return a + b\n';
    fake.setPull(OWNER, REPO, PR, HEAD, [
      { filename: 'ok.py', content: clean },
      { filename: 'big.py', content: `x = 1\n${'#\n'.repeat(1_100_000)}`, patch: null },
    ]);
    await review();
    const [run] = fake.runsFor(HEAD);
    expect(run.conclusion).toBe('neutral');
    expect(run.output.summary).toContain('neutral: nothing at or above `fail_on: error` in what was analysed, but some files could not be analysed');
    expectSettled({ comments: 0 });
  });
});

describe('configuration', () => {
  test('an `_extends` chain longer than 5 is refused with a clear error', async () => {
    await fake.stop();
    const configs: Record<string, string> = { [`${OWNER}/${REPO}`]: '_extends: c1\n' };
    for (let i = 1; i <= 7; i++) configs[`${OWNER}/c${i}`] = `_extends: c${i + 1}\n`;
    fake = await new FakeGitHub({ configs }).start();
    fake.setPull(OWNER, REPO, PR, HEAD, FILES);
    await review();
    const [run] = fake.runsFor(HEAD);
    expect(run.conclusion).toBe('action_required');
    expect(run.output.summary).toContain('`_extends` chain is longer than 5 files');
    expect(fake.callsTo('GET', /\/contents\//)).toHaveLength(6);
    expectSettled({ comments: 0 });
  });

  test('an `_extends` chain of 5 is followed', async () => {
    await fake.stop();
    const configs: Record<string, string> = { [`${OWNER}/${REPO}`]: '_extends: c1\n' };
    for (let i = 1; i <= 4; i++) configs[`${OWNER}/c${i}`] = `_extends: c${i + 1}\n`;
    configs[`${OWNER}/c5`] = 'rules:\n  TL301: off\n';
    fake = await new FakeGitHub({ configs }).start();
    fake.setPull(OWNER, REPO, PR, HEAD, FILES);
    await review();
    const [run] = fake.runsFor(HEAD);
    expect(run.conclusion).toBe('success');
    expectSettled({ comments: 0 });
  });
});
