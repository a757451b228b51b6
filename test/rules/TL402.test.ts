import { analyze } from '../../src/lint/analyze.js';
import { DEFAULT_CONFIG } from '../../src/engine/types.js';
import { parseUnifiedDiff } from '../../src/diff/parse.js';
import { diffByNewPath } from '../../src/diff/filter.js';
import { lint, positions } from '../helpers/lint.js';

const only = { select: ['TL402'] };

/** Lint several files together: the rule compares them. */
async function lintFiles(files: Record<string, string>): Promise<string[]> {
  const result = await analyze(
    Object.entries(files).map(([path, content]) => ({ path, content })),
    { config: DEFAULT_CONFIG, select: ['TL402'] },
  );
  return result.findings.map((f) => `${f.path}:${f.line}:${f.column}`);
}

describe('TL402 missing-task-done', () => {
  test.each([
    // Import forms and bindings.
    ['import queue\nq = queue.Queue()\nq.join()\n', ['3:1 TL402']],
    ['import queue as qu\nq = qu.LifoQueue()\nq.join()\n', ['3:1 TL402']],
    ['from queue import Queue\nq = Queue()\nq.join()\n', ['3:1 TL402']],
    ['from queue import PriorityQueue as P\ndef f():\n    q = P()\n    q.join()\n', ['4:5 TL402']],
    ['import multiprocessing\nq = multiprocessing.JoinableQueue()\nq.join()\n', ['3:1 TL402']],
    ['from queue import Queue\nclass A:\n    q = Queue()\n    def f(self):\n        self.q.join()\n', ['5:9 TL402']],
    ['from queue import Queue\nclass A:\n    def __init__(self):\n        self.q = Queue()\n    def f(self):\n        self.q.join()\n', ['6:9 TL402']],
    // A task_done on another queue does not count.
    ['from queue import Queue\na = Queue()\nb = Queue()\nb.task_done()\na.join()\n', ['5:1 TL402']],
    // A parameter or anything passed out may get its task_done elsewhere: only with none at all.
    ['import queue\ndef f(q: queue.Queue):\n    q.join()\n', ['3:5 TL402']],
    ['import queue, threading\nq = queue.Queue()\nthreading.Thread(target=work, args=(q,)).start()\nq.join()\n', ['4:1 TL402']],
    // Not flagged.
    ['from queue import Queue\nq = Queue()\nq.task_done()\nq.join()\n', []],
    ['from queue import Queue\nq = Queue()\ndef w():\n    q.get()\n    q.task_done()\nq.join()\n', []],
    ['import queue\ndef f(q: queue.Queue):\n    q.join()\ndef g(p):\n    p.task_done()\n', []],
    ['import queue, threading\nq = queue.Queue()\nthreading.Thread(target=work, args=(q,)).start()\nq.join()\nother.task_done()\n', []],
    ['from queue import Queue\nclass A:\n    def __init__(self):\n        self.q = Queue()\n    def f(self, srv):\n        self.q.join()\n        srv.q.task_done()\n', []],
    ['import queue\nq = queue.SimpleQueue()\nq.join()\n', []],
    ['import multiprocessing\nq = multiprocessing.Queue()\nq.join()\n', []],
    ['import threading\nt = threading.Thread(target=f)\nt.join()\n', []],
    ['import threading\n", ".join(x)\n', []],
    ['import queue\nq.join()\n', []],
    ['import queue\nq = queue.Queue()\nq.join(1)\n', []],
    ['import queue\nq = queue.Queue()\nq.join()  # threadlint: ignore[TL402]\n', []],
  ])('%j', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('the message names the queue and what to add', async () => {
    const [finding] = await lint('import queue\njobs = queue.Queue()\njobs.join()\n', only);
    expect(finding.message).toBe(
      '`jobs.join()` waits until every item put on `jobs` is marked done, but no `jobs.task_done()` exists in the analysed code: it never returns. Call `jobs.task_done()` once for each item the consumer takes with `get()` (in a `finally:` so failures count too).',
    );
    expect(finding.fix).toBeUndefined();
    expect(finding.severity).toBe('error');
    expect([finding.line, finding.column, finding.endLine, finding.endColumn, finding.statementLine, finding.statementEndLine]).toEqual([3, 1, 3, 12, 3, 3]);
  });

  test('a task_done under the same name in another file counts', async () => {
    expect(
      await lintFiles({
        'app/main.py': 'from queue import Queue\nclass App:\n    def __init__(self):\n        self.jobs = Queue()\n    def wait(self):\n        self.jobs.join()\n',
        'app/worker.py': 'import threading\ndef run(app):\n    app.jobs.get()\n    app.jobs.task_done()\n',
      }),
    ).toEqual([]);
  });

  test('a task_done under another name in another file does not, unless the queue escapes', async () => {
    const main = 'from queue import Queue\njobs = Queue()\njobs.join()\n';
    const worker = 'import queue\ndef run(inbox: queue.Queue):\n    inbox.task_done()\n';
    expect(await lintFiles({ 'main.py': main, 'worker.py': worker })).toEqual(['main.py:3:1']);
    const escaping = 'from queue import Queue\nfrom worker import run\njobs = Queue()\nrun(jobs)\njobs.join()\n';
    expect(await lintFiles({ 'main.py': escaping, 'worker.py': worker })).toEqual([]);
    expect(await lintFiles({ 'main.py': escaping })).toEqual(['main.py:5:1']);
  });

  test('suppression on the join line holds for the project-wide finding', async () => {
    expect(await lintFiles({ 'main.py': 'from queue import Queue\njobs = Queue()\njobs.join()  # noqa: TL402\n' })).toEqual([]);
  });
});

describe('TL402 when reviewing a diff (only changed files are analysed)', () => {
  const escaping = [
    'import queue, threading',
    'from workers import consume',
    'def run(items):',
    '    q = queue.Queue()',
    '    threading.Thread(target=consume, args=(q,)).start()',
    '    for i in items:',
    '        q.put(i)',
    '    q.join()',
    '',
  ].join('\n');
  const local = escaping.replace('    threading.Thread(target=consume, args=(q,)).start()\n', '');
  const diffFor = (source: string) => {
    const body = source.split('\n').slice(0, -1);
    const text = `diff --git a/jobs.py b/jobs.py\nnew file mode 100644\n--- /dev/null\n+++ b/jobs.py\n@@ -0,0 +1,${body.length} @@\n${body.map((l) => `+${l}`).join('\n')}\n`;
    return diffByNewPath(parseUnifiedDiff(text));
  };
  const run = async (source: string, withDiff: boolean) =>
    (await analyze([{ path: 'jobs.py', content: source }], { config: DEFAULT_CONFIG, select: ['TL402'], diff: withDiff ? diffFor(source) : undefined })).findings.map((f) => f.line);

  test('a queue handed to code outside the run is flagged in whole-file mode only', async () => {
    expect(await run(escaping, false)).toEqual([8]);
    expect(await run(escaping, true)).toEqual([]);
  });

  test('a queue that never leaves its function is flagged either way', async () => {
    expect(await run(local, false)).toEqual([7]);
    expect(await run(local, true)).toEqual([7]);
  });
});
