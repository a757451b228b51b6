/**
 * Context files (`context: true`, the default): the rest of the repository at the head
 * is read for cross-file facts and handed to the engine as `context`, never reported
 * on; bounded (over the bound: changed files only, said in the summary); cached by blob
 * and tree SHA, so the next push re-reads only what changed.
 */
import type { AnalyzeOptions, SourceFile } from '../../src/lint/index.js';
import { startHarness, type Harness } from './helpers/app-harness.js';
import { FakeGitHub } from './helpers/fake-github-server.js';
import { pullRequestPayload } from './helpers/fake-github.js';

const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const HEAD = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const SOURCE = 'import threading\n\n\ndef work():\n    pass\n\n\nt = threading.Thread(target=work)\nt.run()\n';
const REPO_FILES = {
  'pkg/locks.py': 'import threading\n\nLOCK = threading.Lock()\n',
  'pkg/util.py': 'def helper():\n    return 1\n',
  'README.md': '# not Python\n',
};

let fake: FakeGitHub | undefined;
let harness: Harness | undefined;
const seen: { files: string[]; context: string[] }[] = [];
const contents: Map<string, string>[] = [];
const threads: [number | undefined, number | undefined][] = [];

afterEach(async () => {
  await harness?.stop();
  await fake?.stop();
  harness = fake = undefined;
  seen.length = 0;
  contents.length = 0;
  threads.length = 0;
});

async function start(repoFiles: Record<string, string>, configs?: Record<string, string>, analysisThreads?: number): Promise<void> {
  fake = await new FakeGitHub({ repoFiles, configs }).start();
  fake.setPull(OWNER, REPO, 2, HEAD, [{ filename: 'app/worker.py', content: SOURCE }]);
  const engine = await import('../../src/lint/index.js');
  harness = await startHarness(fake, {
    engine: {
      ...engine,
      analyze: async (files: SourceFile[], options: AnalyzeOptions) => {
        seen.push({ files: files.map((f) => f.path), context: (options.context ?? []).map((f) => f.path).sort() });
        contents.push(new Map((options.context ?? []).map((f) => [f.path, String(f.content)])));
        threads.push([options.jobs, options.inThreadBelowBytes]);
        // analysed here, in this thread: the worker pool itself is the engine's to test
        return engine.analyze(files, { ...options, jobs: undefined, inThreadBelowBytes: undefined });
      },
    },
    analysisThreads,
  });
}

test('the repository’s other Python files go to the engine as context; findings stay on changed files', async () => {
  await start(REPO_FILES);
  await harness!.deliver('pull_request', pullRequestPayload('opened'));
  await harness!.app.idle();
  expect(seen).toEqual([{ files: ['app/worker.py'], context: ['pkg/locks.py', 'pkg/util.py'] }]);
  const [run] = fake!.runsFor(HEAD);
  expect(run.annotations.map((a) => a.path)).toEqual(['app/worker.py']);
  expect(run.output.summary).toContain('Context: 2 other Python files of the repository were read for cross-file facts (2 fetched, the rest cached)');
  expect(fake!.graphqlCalls('threadlintContext')).toHaveLength(1);
});

test('the next push re-reads only the context files that changed', async () => {
  await start(REPO_FILES);
  await harness!.deliver('pull_request', pullRequestPayload('opened'));
  await harness!.app.idle();
  const NEW = 'a'.repeat(40);
  fake!.setRepoFiles({ ...REPO_FILES, 'pkg/locks.py': 'import threading\n\nLOCK = threading.RLock()\n' });
  fake!.setPull(OWNER, REPO, 2, NEW, [{ filename: 'app/worker.py', content: SOURCE }]);
  await harness!.deliver('pull_request', pullRequestPayload('synchronize', { sha: NEW }));
  await harness!.app.idle();
  const blobsAsked = fake!.graphqlCalls('threadlintContext').map((c) => Object.keys(c.body.variables).filter((k) => /^o\d+$/.test(k)).length);
  expect(blobsAsked).toEqual([2, 1]);
  expect(seen.map((s) => s.context)).toEqual([
    ['pkg/locks.py', 'pkg/util.py'],
    ['pkg/locks.py', 'pkg/util.py'],
  ]);
  expect(contents.map((c) => c.get('pkg/locks.py')?.includes('RLock'))).toEqual([false, true]);
  expect(fake!.runsFor(NEW)[0].output.summary).toContain('(1 fetched, the rest cached)');
});

test('over the bound: no context, changed files only, said in the summary', async () => {
  const many: Record<string, string> = {};
  for (let i = 0; i < 5001; i++) many[`gen/m${i}.py`] = `X${i} = ${i}\n`;
  await start(many);
  await harness!.deliver('pull_request', pullRequestPayload('opened'));
  await harness!.app.idle();
  expect(seen).toEqual([{ files: ['app/worker.py'], context: [] }]);
  expect(fake!.graphqlCalls('threadlintContext')).toEqual([]);
  const [run] = fake!.runsFor(HEAD);
  expect(run.output.summary).toContain('Context: the repository has 5001 other Python files (0 MB), over the bound of 5000 files / 50 MB; only the changed files were analysed');
  expect(run.conclusion).toBe('failure');
});

test('context: false reads no context', async () => {
  await start(REPO_FILES, { [`${OWNER}/${REPO}`]: 'context: false\n' });
  await harness!.deliver('pull_request', pullRequestPayload('opened'));
  await harness!.app.idle();
  expect(seen).toEqual([{ files: ['app/worker.py'], context: [] }]);
  expect(fake!.graphqlCalls('threadlintContext')).toEqual([]);
});

test('with analysis threads, even a small run is sent to them, so the event loop stays free', async () => {
  await start(REPO_FILES, undefined, 2);
  await harness!.deliver('pull_request', pullRequestPayload('opened'));
  await harness!.app.idle();
  expect(threads).toEqual([[2, 0]]);
});
