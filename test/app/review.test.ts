/**
 * The app end to end against a scripted GitHub (nock), with the real engine and real
 * webhook payloads: what it asks GitHub and exactly what it sends.
 */
import nock from 'nock';
import type { ThreadlintApp } from '../../src/app/index.js';
import {
  CHECK_RUN_ID,
  HEAD_SHA,
  PR,
  REPO_PATH,
  Recorder,
  capturingLogger,
  checkRunRerequestedPayload,
  checkSuiteRerequestedPayload,
  mockBlobs,
  mockConfig,
  mockCreateCheckRun,
  mockCreateReview,
  mockFullRun,
  mockListFiles,
  mockNoConfig,
  mockThreads,
  mockTree,
  mockUpdateCheckRun,
  pullRequestPayload,
  testApp,
  testProbot,
  type LogLine,
  type PrFile,
} from './helpers/fake-github.js';

const RUN_CALLED = `import threading


def work():
    pass


t = threading.Thread(target=work)
t.run()
`;
/** No threading at all, so no rule, present or future, has anything to say. */
const CLEAN = `def add(a, b):
    return a + b
`;
/** The engine's fingerprint of the TL301 finding in app/worker.py. */
const FP_RUN_CALLED = '9e61227c7771745e';

let recorder: Recorder;
let logLines: LogLine[];

beforeEach(() => {
  nock.disableNetConnect();
  recorder = new Recorder();
  logLines = [];
});

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll(); // before the expectations, so one failure cannot leak mocks into the next test
  expect(recorder.problems).toEqual([]);
  expect(pending).toEqual([]);
});

async function deliver(name: string, payload: unknown, id = 'delivery-1', app?: ThreadlintApp): Promise<ThreadlintApp> {
  const threadlint = app ?? testApp();
  const probot = testProbot({ log: capturingLogger(logLines) });
  await probot.load(threadlint);
  await probot.receive({ id, name, payload } as never);
  await threadlint.idle();
  return threadlint;
}

const EXPECTED_COMMENT_BODY = [
  '**TL301** thread-run-called (error): `t.run()` runs the thread\'s target in the calling thread; use `.start()` to run it on a new thread.',
  '_Why:_ `Thread.run()` is the body a started thread executes; calling it directly runs it synchronously.',
  'Suggested fix: Replace `.run()` with `.start()`\n```suggestion\nt.start()\n```',
  '[TL301 guidance](https://github.com/threadlint/threadlint/blob/main/rules/TL301.md)',
  `<!-- threadlint:fp=${FP_RUN_CALLED} -->`,
].join('\n\n');

describe('pull_request.opened with a TL301 finding', () => {
  test('one check run, one review with a suggestion, annotations, conclusion failure', async () => {
    const files: PrFile[] = [{ filename: 'app/worker.py', content: RUN_CALLED }];
    mockFullRun(recorder.scope(), files, { review: true });

    await deliver('pull_request', pullRequestPayload('opened'));

    expect(recorder.bodiesOf('POST', `${REPO_PATH}/check-runs`)).toEqual([
      {
        name: 'threadlint',
        head_sha: HEAD_SHA,
        external_id: `Codertocat/Hello-World#${PR}@${HEAD_SHA}`,
        status: 'queued',
        output: { title: 'Queued', summary: 'threadlint will review ec26c3e shortly.' },
      },
    ]);
    expect(recorder.bodiesOf('POST', `${REPO_PATH}/pulls/${PR}/reviews`)).toEqual([
      {
        commit_id: HEAD_SHA,
        event: 'COMMENT',
        body: `threadlint found 1 error on this push. The check run lists every finding.\n\n<!-- threadlint:review=Codertocat/Hello-World#${PR}@${HEAD_SHA} -->`,
        comments: [{ path: 'app/worker.py', line: 9, side: 'RIGHT', body: EXPECTED_COMMENT_BODY }],
      },
    ]);
    const [start, update] = recorder.bodiesOf('PATCH', `${REPO_PATH}/check-runs/${CHECK_RUN_ID}`);
    expect(start).toEqual({ status: 'in_progress', started_at: expect.any(String), output: { title: 'Reviewing', summary: 'threadlint is reviewing this commit.' } });
    expect(update).toEqual({
      status: 'completed',
      conclusion: 'failure',
      completed_at: expect.any(String),
      output: {
        title: '1 error in 1 file',
        summary: expect.any(String),
        annotations: [
          {
            path: 'app/worker.py',
            start_line: 9,
            end_line: 9,
            start_column: 1,
            end_column: 8,
            annotation_level: 'failure',
            title: 'TL301 (error)',
            message:
              "`t.run()` runs the thread's target in the calling thread; use `.start()` to run it on a new thread.\n\nhttps://github.com/threadlint/threadlint/blob/main/rules/TL301.md",
          },
        ],
      },
    });
    expect(update.output.summary).toBe(
      [
        'threadlint analysed 1 changed Python file at `ec26c3e`: **1 error**.',
        '',
        '| Rule | Severity | Findings | Guidance |',
        '| --- | --- | ---: | --- |',
        '| TL301 thread-run-called | error | 1 | [`run()` called on a Thread: the target runs in the calling thread and no thread starts.](https://github.com/threadlint/threadlint/blob/main/rules/TL301.md) |',
        '',
        'Review: 1 new inline comment. Every finding is listed as an annotation below.',
        '',
        'Conclusion: failure: at least one finding is at or above `fail_on: error`.',
      ].join('\n'),
    );
    expect(recorder.graphqlOperations().sort()).toEqual(['threadlintBlobs', 'threadlintThreads']);
    // the per-delivery log names the delivery, repository, PR and head
    const done = logLines.find((l) => l.msg === 'threadlint: 1 error in 1 file')!;
    expect(done.bindings).toMatchObject({ delivery: 'delivery-1', repo: 'Codertocat/Hello-World', pr: PR, sha: HEAD_SHA });
    expect(done.fields).toEqual({ conclusion: 'failure', findings: 1, comments: 1, requests: 8, contextFiles: 0 });
    expect(recorder.requests).toHaveLength(10); // plus creating the check run and marking it in progress
  });
});

/** Updates of the check run after the job marked it in progress. */
const checkRunUpdates = () => recorder.bodiesOf('PATCH', `${REPO_PATH}/check-runs/${CHECK_RUN_ID}`).filter((b) => b.status !== 'in_progress');
const reviews = () => recorder.bodiesOf('POST', `${REPO_PATH}/pulls/${PR}/reviews`);

describe('events', () => {
  test.each(['reopened', 'ready_for_review', 'synchronize'])('pull_request.%s reviews the head', async (action) => {
    mockFullRun(recorder.scope(), [{ filename: 'worker.py', content: RUN_CALLED }], { review: true });
    await deliver('pull_request', pullRequestPayload(action));
    expect(reviews().map((r) => r.comments.map((c: { path: string; line: number }) => `${c.path}:${c.line}`))).toEqual([['worker.py:9']]);
    expect(checkRunUpdates().map((u) => u.conclusion)).toEqual(['failure']);
  });

  test('a draft gets no check run and no request at all', async () => {
    recorder.scope(); // any request would be unmatched and fail the run
    await deliver('pull_request', pullRequestPayload('opened', { draft: true }));
    expect(recorder.requests).toEqual([]);
    expect(logLines.map((l) => l.msg)).toContain('threadlint: draft pull request skipped until ready_for_review');
  });

  test('check_suite.rerequested re-runs the analysis for the listed pull request', async () => {
    mockFullRun(recorder.scope(), [{ filename: 'worker.py', content: CLEAN }]);
    await deliver('check_suite', checkSuiteRerequestedPayload());
    expect(recorder.bodiesOf('POST', `${REPO_PATH}/check-runs`).map((b) => b.head_sha)).toEqual([HEAD_SHA]);
    expect(checkRunUpdates().map((u) => [u.conclusion, u.output.title])).toEqual([
      ['success', 'No threading issues found in 1 Python file'],
    ]);
    expect(reviews()).toEqual([]);
  });

  test('check_run.rerequested re-runs the analysis for the listed pull request', async () => {
    mockFullRun(recorder.scope(), [{ filename: 'worker.py', content: CLEAN }]);
    await deliver('check_run', checkRunRerequestedPayload());
    expect(checkRunUpdates().map((u) => u.conclusion)).toEqual(['success']);
  });

  test('a redelivered webhook (same delivery id) runs once', async () => {
    mockFullRun(recorder.scope(), [{ filename: 'worker.py', content: RUN_CALLED }], { review: true });
    const app = testApp();
    const probot = testProbot({ log: capturingLogger(logLines) });
    await probot.load(app);
    await probot.receive({ id: 'same', name: 'pull_request', payload: pullRequestPayload('opened') } as never);
    await probot.receive({ id: 'same', name: 'pull_request', payload: pullRequestPayload('opened') } as never);
    await app.idle();
    expect(reviews()).toHaveLength(1);
    expect(recorder.bodiesOf('POST', `${REPO_PATH}/check-runs`)).toHaveLength(1);
  });
});

describe('what gets analysed', () => {
  test('a pull request without Python files: success, no contents fetched, no review', async () => {
    mockFullRun(recorder.scope(), [
      { filename: 'README.md', content: '# hi\n' },
      { filename: 'old.py', status: 'removed', patch: '@@ -1 +0,0 @@\n-x = 1' },
    ]);
    await deliver('pull_request', pullRequestPayload('opened'));
    expect(recorder.graphqlOperations()).toEqual([]);
    expect(reviews()).toEqual([]);
    const [update] = checkRunUpdates();
    expect([update.conclusion, update.output.title]).toEqual(['success', 'No threading issues found in 0 Python files']);
    expect(update.output.summary).toContain('2 other changed files (removed, or outside `paths`) not analysed.');
  });

  test('a file GitHub sent without a patch: annotations only, listed in the summary', async () => {
    mockFullRun(recorder.scope(), [{ filename: 'big.py', content: RUN_CALLED, patch: null, changes: 4000 }]);
    await deliver('pull_request', pullRequestPayload('opened'));
    expect(reviews()).toEqual([]);
    const [update] = checkRunUpdates();
    expect(update.conclusion).toBe('failure');
    expect(update.output.annotations.map((a: { path: string; start_line: number }) => `${a.path}:${a.start_line}`)).toEqual(['big.py:9']);
    expect(update.output.summary).toContain(
      '| `big.py` | GitHub sent no patch (diff too large): analysed, findings reported as annotations only |',
    );
    expect(update.output.summary).toContain('1 outside the diff (annotations only)');
  });

  test('a renamed file is reviewed at its new path', async () => {
    const patch = '@@ -6,4 +6,4 @@ def work():\n \n \n t = threading.Thread(target=work)\n-t.start()\n+t.run()';
    mockFullRun(
      recorder.scope(),
      [{ filename: 'pkg/new_name.py', previous_filename: 'pkg/old_name.py', status: 'renamed', content: RUN_CALLED, patch }],
      { review: true },
    );
    await deliver('pull_request', pullRequestPayload('synchronize'));
    expect(reviews()[0].comments.map((c: { path: string; line: number }) => [c.path, c.line])).toEqual([['pkg/new_name.py', 9]]);
  });

  test('a finding on an unchanged line is neither commented nor annotated (filter_mode added)', async () => {
    const patch = '@@ -8,2 +8,3 @@\n t = threading.Thread(target=work)\n t.run()\n+print("done")';
    mockFullRun(recorder.scope(), [{ filename: 'w.py', status: 'modified', content: RUN_CALLED + 'print("done")\n', patch }]);
    await deliver('pull_request', pullRequestPayload('synchronize'));
    expect(reviews()).toEqual([]);
    expect(checkRunUpdates().map((u) => [u.conclusion, u.output.annotations])).toEqual([['success', undefined]]);
  });

  test('120 changed files: two pages listed, three blob queries, 25 comments, annotations in three updates', async () => {
    const files = Array.from({ length: 120 }, (_, i) => ({ filename: `pkg/m${String(i).padStart(3, '0')}.py`, content: RUN_CALLED }));
    mockFullRun(recorder.scope(), files, { review: true, updates: 3 });
    await deliver('pull_request', pullRequestPayload('opened'));
    expect(recorder.requests.filter((r) => r.path.includes('/files')).map((r) => r.path)).toEqual([
      `${REPO_PATH}/pulls/${PR}/files?per_page=100`,
      `${REPO_PATH}/pulls/${PR}/files?per_page=100&page=2`,
    ]);
    expect(recorder.graphqlOperations().filter((o) => o === 'threadlintBlobs')).toHaveLength(3);
    expect(reviews()[0].comments).toHaveLength(25);
    const updates = checkRunUpdates();
    expect(updates.map((u) => u.output.annotations.length)).toEqual([50, 50, 20]);
    expect(updates.map((u) => u.conclusion)).toEqual([undefined, undefined, 'failure']); // completed with the last batch
    expect(updates[0].output.summary).toContain('Review: 25 new inline comments; 95 over the `max_comments` limit.');
  });
});

describe('configuration', () => {
  test('an invalid config completes the check run action_required with the exact error and posts no review', async () => {
    const scope = recorder.scope();
    mockCreateCheckRun(scope);
    const yaml = 'rules:\n  TL301: loud\n';
    mockConfig(scope, yaml, 2); // once through the config plugin, once raw for the line number
    mockUpdateCheckRun(scope);
    await deliver('pull_request', pullRequestPayload('opened'));
    const [update] = checkRunUpdates();
    expect(update.conclusion).toBe('action_required');
    expect(update.output.title).toBe('Invalid threadlint configuration');
    expect(update.output.summary).toMatch(/```\n\.github\/threadlint\.yml:2: rules\.TL301: .+\n```/);
    expect(reviews()).toEqual([]);
  });

  test('suggestions: false and review_event: REQUEST_CHANGES', async () => {
    const scope = recorder.scope();
    mockCreateCheckRun(scope);
    mockConfig(scope, 'suggestions: false\nreview_event: REQUEST_CHANGES\n');
    const files = [{ filename: 'app/worker.py', content: RUN_CALLED }];
    mockListFiles(scope, files);
    mockTree(scope, files);
    mockBlobs(scope, files, 1);
    mockThreads(scope);
    mockCreateReview(scope);
    mockUpdateCheckRun(scope);
    await deliver('pull_request', pullRequestPayload('opened'));
    const [review] = reviews();
    expect(review.event).toBe('REQUEST_CHANGES');
    expect(review.comments[0].body).not.toContain('suggestion');
    expect(review.comments[0].body).toContain(`<!-- threadlint:fp=${FP_RUN_CALLED} -->`);
  });
});

describe('earlier pushes', () => {
  test('a finding already commented on is not commented again; gone findings get their thread resolved', async () => {
    const scope = recorder.scope();
    mockFullRun(scope, [{ filename: 'app/worker.py', content: RUN_CALLED }], {
      threads: [
        { id: 'T_same', path: 'app/worker.py', body: `old\n\n<!-- threadlint:fp=${FP_RUN_CALLED} -->` },
        { id: 'T_gone', path: 'app/worker.py', body: 'fixed since\n\n<!-- threadlint:fp=0123456789abcdef -->' },
        { id: 'T_replied', path: 'app/worker.py', body: 'x <!-- threadlint:fp=aaaaaaaaaaaaaaaa -->', replies: [{ login: 'octocat' }] },
        { id: 'T_other_file', path: 'not_analysed.py', body: 'x <!-- threadlint:fp=bbbbbbbbbbbbbbbb -->' },
      ],
    });
    scope.post('/graphql', (b) => typeof b.query === 'string' && b.query.includes('threadlintResolve')).reply(200, {
      data: { r0: { thread: { id: 'T_gone', isResolved: true } } },
    });
    await deliver('pull_request', pullRequestPayload('synchronize'));
    expect(reviews()).toEqual([]);
    const resolve = recorder.requests.find((r) => r.path === '/graphql' && r.body.query.includes('threadlintResolve'))!;
    expect(resolve.body.variables).toEqual({ t0: 'T_gone' });
    const [update] = checkRunUpdates();
    expect(update.output.summary).toContain('Review: 0 new inline comments; 1 already commented on an earlier push.');
    expect(update.output.summary).toContain('Resolved 1 review thread whose finding is gone.');
  });
});

describe('failures', () => {
  test('a 500 on creating the check run: looked up by external_id before it is created again', async () => {
    const scope = recorder.scope();
    scope.post(`${REPO_PATH}/check-runs`).reply(500, { message: 'Server Error' });
    const listed = `${REPO_PATH}/commits/${HEAD_SHA}/check-runs`;
    scope.get(listed).query(true).times(2).reply(200, { total_count: 0, check_runs: [] });
    mockFullRun(scope, [{ filename: 'worker.py', content: CLEAN }]);
    await deliver('pull_request', pullRequestPayload('opened'));
    expect(recorder.bodiesOf('POST', `${REPO_PATH}/check-runs`)).toHaveLength(2);
    expect(recorder.requests.filter((r) => r.path.startsWith(listed))).toHaveLength(2);
    expect(checkRunUpdates().map((u) => u.conclusion)).toEqual(['success']);
  });

  test('a 422 on the review keeps every finding in the annotations', async () => {
    const scope = recorder.scope();
    mockCreateCheckRun(scope);
    mockNoConfig(scope);
    const files = [{ filename: 'worker.py', content: RUN_CALLED }];
    mockListFiles(scope, files);
    mockTree(scope, files);
    mockBlobs(scope, files, 1);
    mockThreads(scope);
    mockCreateReview(scope, 422);
    mockUpdateCheckRun(scope);
    await deliver('pull_request', pullRequestPayload('opened'));
    const [update] = checkRunUpdates();
    expect(update.conclusion).toBe('failure');
    expect(update.output.annotations).toHaveLength(1);
    expect(update.output.summary).toContain('GitHub refused the review (HTTP 422: ');
    expect(update.output.summary).toContain('Review: 0 new inline comments.');
  });

  test('an error mid-run completes the check run as failure with the reason, never leaving it in progress', async () => {
    const scope = recorder.scope();
    mockCreateCheckRun(scope);
    mockNoConfig(scope);
    scope.get(`${REPO_PATH}/pulls/${PR}/files`).query(true).reply(404, { message: 'Not Found' });
    mockUpdateCheckRun(scope);
    await deliver('pull_request', pullRequestPayload('opened'));
    const [update] = checkRunUpdates();
    expect([update.status, update.conclusion, update.output.title]).toEqual(['completed', 'failure', 'threadlint could not finish']);
    expect(update.output.summary).toContain('threadlint failed while reviewing ec26c3e: HTTP 404: Not Found');
  });

  test('a crash on one file is named in the check run and the other files are still reviewed', async () => {
    const engine = await import('../../src/lint/index.js');
    const crashing = {
      ...engine,
      analyze: async (files: Parameters<typeof engine.analyze>[0], options: Parameters<typeof engine.analyze>[1]) => {
        const result = await engine.analyze(files.filter((f) => f.path !== 'bad.py'), options);
        return { ...result, notes: [...result.notes, { path: 'bad.py', kind: 'crash' as const, message: 'analysis failed: boom' }] };
      },
    };
    mockFullRun(
      recorder.scope(),
      [
        { filename: 'bad.py', content: CLEAN },
        { filename: 'worker.py', content: RUN_CALLED },
      ],
      { review: true },
    );
    await deliver('pull_request', pullRequestPayload('opened'), 'd', testApp({ engine: crashing }));
    expect(reviews()[0].comments.map((c: { path: string }) => c.path)).toEqual(['worker.py']);
    expect(checkRunUpdates()[0].output.summary).toContain('| `bad.py` | crash: analysis failed: boom |');
  });
});

test('the engine is told what changed, so rules that compare files know the reviewed side', async () => {
  const engine = await import('../../src/lint/index.js');
  const seen: Parameters<typeof engine.analyze>[1][] = [];
  const recording = {
    ...engine,
    analyze: async (...args: Parameters<typeof engine.analyze>) => {
      seen.push(args[1]);
      return engine.analyze(...args);
    },
  };
  mockFullRun(recorder.scope(), [{ filename: 'worker.py', content: RUN_CALLED }], { review: true });
  await deliver('pull_request', pullRequestPayload('opened'), 'd', testApp({ engine: recording }));
  expect(seen).toHaveLength(1);
  expect(seen[0].config.filter_mode).toBe('nofilter');
  expect([...seen[0].diff!.keys()]).toEqual(['worker.py']);
  expect(seen[0].diff!.get('worker.py')!.addedLines.has(9)).toBe(true);
});

describe('request budget', () => {
  // create check run (queued), mark it in progress, config (repo + org .github), list pages, tree, blob queries, threads, review, check run updates
  test.each([
    [1, 10],
    [10, 10],
    [120, 15],
  ])('a pull request of %i changed Python files, each with a finding, costs %i requests', async (count, expected) => {
    const files = Array.from({ length: count }, (_, i) => ({ filename: `pkg/m${i}.py`, content: RUN_CALLED }));
    mockFullRun(recorder.scope(), files, { review: true, updates: Math.ceil(count / 50) });
    await deliver('pull_request', pullRequestPayload('opened'));
    expect(recorder.requests).toHaveLength(expected);
  });
});

test('a push that lands while a run is analysing supersedes it: neutral, no review for the old head', async () => {
  const NEW_SHA = 'e'.repeat(40);
  const scope = recorder.scope();
  const files = [{ filename: 'app/worker.py', content: RUN_CALLED }];
  // old head: started, superseded after analysis
  scope.post(`${REPO_PATH}/check-runs`, (b) => b.head_sha === HEAD_SHA).reply(201, { id: 7 });
  scope.patch(`${REPO_PATH}/check-runs/7`, (b) => b.status === 'in_progress').reply(200, { id: 7 });
  mockNoConfig(scope);
  mockListFiles(scope, files);
  mockTree(scope, files);
  mockBlobs(scope, files, 1);
  mockThreads(scope);
  scope.patch(`${REPO_PATH}/check-runs/7`).reply(200, { id: 7 });
  // new head: the full run
  mockFullRun(scope, files, { review: true, sha: NEW_SHA });
  const engine = await import('../../src/lint/index.js');
  const probot = testProbot({ log: capturingLogger(logLines) });
  let pushed = false;
  const app = testApp({
    engine: {
      ...engine,
      analyze: async (...args: Parameters<typeof engine.analyze>) => {
        if (!pushed) {
          pushed = true;
          await probot.receive({ id: 'd2', name: 'pull_request', payload: pullRequestPayload('synchronize', { sha: NEW_SHA }) } as never);
        }
        return engine.analyze(...args);
      },
    },
  });
  await probot.load(app);
  await probot.receive({ id: 'd1', name: 'pull_request', payload: pullRequestPayload('opened') } as never);
  await app.idle();
  expect(recorder.bodiesOf('PATCH', `${REPO_PATH}/check-runs/7`).map((b) => [b.conclusion, b.output.title])).toEqual([
    [undefined, 'Reviewing'],
    ['neutral', 'Superseded by eeeeeee'],
  ]);
  expect(reviews().map((r) => r.commit_id)).toEqual([NEW_SHA]);
});
