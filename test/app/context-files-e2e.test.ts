/**
 * Context files end to end through the App: a pull request that changes one file of a
 * package breaks a lock discipline established in another, unchanged file. The App reads
 * the repository at head for facts, reports on the changed line only, and names the
 * unchanged site in the message. Each case is a folder under
 * test/fixtures/projects/ctx-* (see test/helpers/context-cases.ts).
 */
import { contextCases, headTree, ScratchRepo, type ContextCase } from '../helpers/context-cases.js';
import { runCli } from '../cli/helpers.js';
import { startHarness, type Harness } from './helpers/app-harness.js';
import { FakeGitHub, type FakeCheckRun, type FakeFile, type FakeReview } from './helpers/fake-github-server.js';
import { pullRequestPayload } from './helpers/fake-github.js';

const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const PR = 2;
const HEAD = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';

let fake: FakeGitHub | undefined;
let harness: Harness | undefined;
let scratch: ScratchRepo | undefined;

afterEach(async () => {
  await harness?.stop();
  await fake?.stop();
  scratch?.remove();
  harness = fake = scratch = undefined;
});

/** The pull request's changed files as GitHub lists them: head content and the real patch. */
function changedFiles(c: ContextCase, repo: ScratchRepo): FakeFile[] {
  return Object.entries(c.head).map(([filename, content]) => ({
    filename,
    content,
    status: filename in c.base ? 'modified' : 'added',
    patch: repo.patch(filename),
  }));
}

interface Reviewed {
  run: FakeCheckRun;
  comments: FakeReview['comments'];
}

/** One `pull_request.opened` reviewed by the App against a repository holding `tree` at head. */
async function review(c: ContextCase, options: { without?: string[]; config?: string } = {}): Promise<Reviewed> {
  scratch = new ScratchRepo(c);
  const tree = headTree(c, options.without);
  for (const path of Object.keys(c.head)) delete tree[path];
  fake = await new FakeGitHub({ repoFiles: tree, configs: options.config ? { [`${OWNER}/${REPO}`]: options.config } : undefined }).start();
  fake.setPull(OWNER, REPO, PR, HEAD, changedFiles(c, scratch));
  harness = await startHarness(fake);
  await harness.deliver('pull_request', pullRequestPayload('opened'));
  await harness.app.idle();
  expect(fake.problems).toEqual([]);
  const runs = fake.runsFor(HEAD);
  expect(runs).toHaveLength(1);
  return { run: runs[0], comments: fake.commentsOn(PR) };
}

const cases = contextCases();

test('there is at least one context case', () => {
  expect(cases.length).toBeGreaterThan(0);
});

describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  test('one review comment and one annotation on the changed line, naming the site in the unchanged file', async () => {
    const { run, comments } = await review(c);
    expect(run.conclusion).toBe('failure');
    expect(run.annotations.map((a) => `${a.path}:${a.start_line} ${String(a.title).split(' ')[0]}`)).toEqual(c.expect.map((e) => `${e.path}:${e.line} ${e.rule}`));
    expect(comments.map((cm) => `${cm.path}:${cm.line}`)).toEqual(c.expect.map((e) => `${e.path}:${e.line}`));
    for (const [i, e] of c.expect.entries()) {
      for (const text of e.mentions) {
        expect(String(run.annotations[i].message)).toContain(text);
        expect(comments[i].body).toContain(text);
      }
    }
    // Nothing anywhere on a file the pull request did not change.
    const changed = new Set(Object.keys(c.head));
    expect([...run.annotations.map((a) => String(a.path)), ...comments.map((cm) => cm.path)].filter((p) => !changed.has(p))).toEqual([]);
    expect(run.output.summary).toMatch(/Context: \d+ other Python files of the repository were read for cross-file facts/);

    // The CLI on the same repository (`check --base` of the pull request's base) says the same.
    const cli = await runCli(['check', '--base', 'HEAD', '--format', 'json', '--no-cache', '--jobs', '1'], scratch!.dir);
    const fromCli = (JSON.parse(cli.stdout) as { path: string; line: number; message: string; helpUri: string }[]).map((f) => `${f.path}:${f.line} ${f.message}\n\n${f.helpUri}`);
    expect(run.annotations.map((a) => `${a.path}:${a.start_line} ${a.message}`)).toEqual(fromCli);
  });

  test('with `context: false` the unchanged files are not read and there is no finding', async () => {
    const { run, comments } = await review(c, { config: 'context: false\n' });
    expect(fake!.graphqlCalls('threadlintContext')).toEqual([]);
    expect(run.annotations).toEqual([]);
    expect(comments).toEqual([]);
    expect(run.conclusion).toBe('success');
  });

  test('without the unchanged files that establish the discipline there is no finding', async () => {
    const { run, comments } = await review(c, { without: c.establishedIn });
    expect(run.annotations).toEqual([]);
    expect(comments).toEqual([]);
    expect(run.conclusion).toBe('success');
  });
});
