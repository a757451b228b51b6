/**
 * Context files end to end through the App: a pull request that changes one file of a
 * package breaks a lock discipline established in another, unchanged file. The App reads
 * the repository at head for facts, reports on the changed line only, and names the
 * unchanged site in the message. Each case is a folder under
 * test/fixtures/projects/ctx-* (see test/helpers/context-cases.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalyzeOptions, SourceFile } from '../../src/lint/index.js';
import type { AnalysisCache } from '../../src/app/context-files.js';
import { contextCases, headTree, ScratchRepo, type ContextCase } from '../helpers/context-cases.js';
import { runCli } from '../cli/helpers.js';
import { startHarness, type Harness } from './helpers/app-harness.js';
import { FakeGitHub, type Fault, type FakeCheckRun, type FakeFile, type FakeReview } from './helpers/fake-github-server.js';
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

/** What each analysis was handed: files, context files, and the hits and misses of its cache. */
const analyses: { files: string[]; context: number; hits: number; misses: number }[] = [];

beforeEach(() => {
  analyses.length = 0;
});

async function recordingEngine() {
  const engine = await import('../../src/lint/index.js');
  return {
    ...engine,
    analyze: async (files: SourceFile[], options: AnalyzeOptions) => {
      const cache = options.cache as AnalysisCache | undefined;
      const [hits, misses] = [cache?.hits ?? 0, cache?.misses ?? 0];
      const result = await engine.analyze(files, options);
      analyses.push({ files: files.map((f) => f.path), context: options.context?.length ?? 0, hits: (cache?.hits ?? 0) - hits, misses: (cache?.misses ?? 0) - misses });
      return result;
    },
  };
}

interface ReviewOptions {
  /** Files left out of the repository. */
  without?: string[];
  /** Files added to the repository (unchanged by the pull request). */
  extra?: Record<string, string>;
  config?: string;
  faults?: Fault[];
  /** Worker threads for the analysis, as a server runs it. */
  analysisThreads?: number;
}

/** One `pull_request.opened` reviewed by the App, the repository at head being the case's (as `options` change it). */
async function review(c: ContextCase, options: ReviewOptions = {}): Promise<Reviewed> {
  scratch = new ScratchRepo(c);
  const tree = { ...headTree(c, options.without), ...options.extra };
  for (const path of Object.keys(c.head)) delete tree[path];
  fake = await new FakeGitHub({ repoFiles: tree, configs: options.config ? { [`${OWNER}/${REPO}`]: options.config } : undefined }).start();
  fake.setPull(OWNER, REPO, PR, HEAD, changedFiles(c, scratch));
  for (const fault of options.faults ?? []) fake.fail(fault);
  harness = await startHarness(fake, { engine: await recordingEngine(), analysisThreads: options.analysisThreads });
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
  }, 90_000); // the first review of the file loads the engine, and the CLI runs too

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

  test('a second push whose context files did not change fetches no blob and analyses only the changed files', async () => {
    await review(c);
    const contextFiles = analyses[0].context;
    expect(contextFiles).toBeGreaterThan(0);
    expect(fake!.graphqlCalls('threadlintContext')).toHaveLength(1);

    // The second push changes the pull request's files again (a line at the end of each).
    const next = 'b'.repeat(40);
    const files = Object.entries(c.head).map(([filename, content]) => {
      writeFileSync(join(scratch!.dir, filename), `${content}\n# Reviewed.\n`);
      return { filename, content: `${content}\n# Reviewed.\n`, status: filename in c.base ? ('modified' as const) : ('added' as const), patch: scratch!.patch(filename) };
    });
    fake!.setPull(OWNER, REPO, PR, next, files);
    await harness!.deliver('pull_request', pullRequestPayload('synchronize', { sha: next }));
    await harness!.app.idle();

    expect(fake!.problems).toEqual([]);
    expect(fake!.graphqlCalls('threadlintContext')).toHaveLength(1);
    expect(fake!.callsTo('GET', /\/git\/blobs\//)).toEqual([]);
    expect(analyses.map((a) => [a.context, a.hits, a.misses])).toEqual([
      [contextFiles, 0, contextFiles + files.length],
      [contextFiles, contextFiles, files.length],
    ]);
    // Same findings at the new head; the review comments are not posted twice.
    const [run] = fake!.runsFor(next);
    expect(run.annotations.map((a) => `${a.path}:${a.start_line}`)).toEqual(c.expect.map((e) => `${e.path}:${e.line}`));
    expect(fake!.commentsOn(PR)).toHaveLength(c.expect.length);
    expect(run.output.summary).toContain(`Context: ${contextFiles} other Python files of the repository were read for cross-file facts (0 fetched, the rest cached)`);
  });
});

describe('threads, bounds and faults (ctx-lock-order)', () => {
  const c = cases.find((k) => k.name === 'ctx-lock-order')!;
  const expected = c.expect.map((e) => `${e.path}:${e.line}`);
  const annotated = (run: FakeCheckRun) => run.annotations.map((a) => `${a.path}:${a.start_line}`);
  const contextLines = (run: FakeCheckRun) => (run.output.summary ?? '').split('\n').filter((l) => l.includes('Context:'));

  test('on analysis threads, as a server runs it: the same findings', async () => {
    const { run } = await review(c, { analysisThreads: 2 });
    expect(annotated(run)).toEqual(expected);
  });

  test('context blobs that cannot be read: the review goes on without them, says so, and fails nothing', async () => {
    const { run, comments } = await review(c, { faults: [{ method: 'POST', path: /^\/graphql$/, query: 'threadlintContext', status: 502, times: 20 }] });
    expect(annotated(run)).toEqual([]);
    expect(comments).toEqual([]);
    expect(run.conclusion).toBe('success');
    expect(contextLines(run)).toHaveLength(1);
    expect(contextLines(run)[0]).toMatch(/^Context: .*could not be read/);
  });

  test('the tree listing cannot be read: the review goes on without context and says so', async () => {
    const { run } = await review(c, { faults: [{ method: 'GET', path: /\/git\/trees\//, status: 500, times: 20 }] });
    expect(annotated(run)).toEqual([]);
    expect(run.conclusion).toBe('success');
    expect(contextLines(run)).toHaveLength(1);
    expect(contextLines(run)[0]).toMatch(/^Context: .*could not be read/);
  });

  test('a context file that does not parse is never reported on and does not make the check neutral', async () => {
    const { run, comments } = await review(c, { extra: { 'ingest/broken.py': 'def half(:\n    return (\n', 'ingest/legacy.py': 'print "py2"\n' } });
    expect(annotated(run)).toEqual(expected);
    expect(comments.map((cm) => `${cm.path}:${cm.line}`)).toEqual(expected);
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).not.toContain('broken.py');
    expect(run.output.summary).not.toContain('legacy.py');
  });
});
