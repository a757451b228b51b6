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

async function review(): Promise<Response> {
  harness ??= await startHarness(fake);
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
