import { analyze } from '../../src/lint/analyze.js';
import { diffByNewPath } from '../../src/diff/filter.js';
import { parseUnifiedDiff } from '../../src/diff/parse.js';
import { DEFAULT_CONFIG, type SourceFile } from '../../src/engine/types.js';
import { lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL106'] };

async function project(files: SourceFile[], diff?: string) {
  const result = await analyze(files, {
    config: DEFAULT_CONFIG,
    select: ['TL106'],
    diff: diff === undefined ? undefined : diffByNewPath(parseUnifiedDiff(diff)),
  });
  return result.findings.map((f) => `${f.path}:${f.line}:${f.column} ${f.message}`);
}

const LOCKS = py`
  import threading

  cache_lock = threading.Lock()
  db_lock = threading.Lock()


  def refresh():
      with cache_lock:
          with db_lock:
              pass
`;

const WORKER = py`
  import threading
  from app.locks import cache_lock, db_lock


  def flush():
      with db_lock:
          with cache_lock:
              pass
`;

describe('TL106 lock-order-inversion', () => {
  test.each([
    // Nested `with`, reported at the later path's inner `with`.
    [py`
      import threading
      a = threading.Lock()
      b = threading.Lock()
      def one():
          with a:
              with b:
                  pass
      def two():
          with b:
              with a:
                  pass
    `, ['10:9 TL106']],
    // `import threading as th`, acquire() pairs and `with a, b:` items.
    [py`
      import threading as th
      a = th.Lock()
      b = th.RLock()
      def one():
          with a, b:
              pass
      def two():
          b.acquire()
          try:
              a.acquire()
              a.release()
          finally:
              b.release()
    `, ['10:9 TL106']],
    // Through a call to a same-file method that takes the inner lock.
    [py`
      from threading import Lock as L
      class Journal:
          def __init__(self):
              self._entries = L()
              self._index = L()
          def append(self):
              with self._entries:
                  self._reindex()
          def _reindex(self):
              with self._index:
                  pass
          def compact(self):
              with self._index:
                  with self._entries:
                      pass
    `, ['14:13 TL106']],
    // Same order everywhere; parameters; non-blocking inner acquire; other objects' locks.
    [py`
      import threading
      a = threading.Lock()
      b = threading.Lock()
      def one():
          with a:
              with b:
                  pass
      def two():
          with a, b:
              pass
      def three(x, y):
          with x:
              with y:
                  pass
      def four(x, y):
          with y:
              with x:
                  pass
      def five():
          with b:
              if a.acquire(False):
                  a.release()
      class N:
          def __init__(self):
              self.lock = threading.Lock()
          def link(self, other):
              with self.lock:
                  with other.lock:
                      pass
    `, []],
    // A signal lock released by another function is not an order.
    [py`
      import threading
      a = threading.Lock()
      go = threading.Lock()
      def waiter():
          with a:
              go.acquire()
      def other():
          go.acquire()
          with a:
              pass
      def releaser():
          go.release()
    `, []],
    // Re-entering an RLock already held waits for no one (devappserver's set_num_instances).
    [py`
      import threading
      class M:
          def __init__(self):
              self._change = threading.RLock()
              self._cond = threading.Condition()
          def count(self):
              with self._change:
                  with self._cond:
                      return 0
          def resize(self):
              with self._change:
                  with self._cond:
                      return self.count()
    `, []],
  ])('%s', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('the message names both locks and the other path', async () => {
    const source = py`
      import threading
      a = threading.Lock()
      b = threading.Lock()
      def one():
          with a:
              with b:
                  pass
      def two():
          with b:
              with a:
                  pass
    `;
    const [finding] = await lint(source, { ...only, path: 'pkg/bank.py' });
    expect(finding.message).toBe(
      'This takes `a` while holding `b` (line 9), but line 6 takes `b` while holding `a`. ' +
        'Two threads running both paths can each hold one lock and wait forever for the other: acquire the locks in one global order.',
    );
    expect([finding.line, finding.column, finding.endLine, finding.endColumn]).toEqual([10, 9, 10, 15]);
  });

  test('compares two files analysed together (the lock imported from its module)', async () => {
    expect(await project([{ path: 'app/locks.py', content: LOCKS }, { path: 'app/worker.py', content: WORKER }])).toEqual([
      'app/worker.py:7:9 This takes `cache_lock` while holding `db_lock` (line 6), but app/locks.py:9 takes `db_lock` while holding `cache_lock`. ' +
        'Two threads running both paths can each hold one lock and wait forever for the other: acquire the locks in one global order.',
    ]);
  });

  test('a module that only imports its locks (no threading import) is compared too', async () => {
    const importOnly = WORKER.replace('import threading\n', '');
    expect(importOnly).not.toContain('threading');
    expect((await project([{ path: 'app/locks.py', content: LOCKS }, { path: 'app/worker.py', content: importOnly }])).map((f) => f.split(' ')[0])).toEqual([
      'app/worker.py:6:9',
    ]);
  });

  test('relative and module-attribute imports name the same locks', async () => {
    const relative = WORKER.replace('from app.locks import', 'from .locks import');
    const moduleAttr = py`
      import threading
      import app.locks


      def flush():
          with app.locks.db_lock:
              with app.locks.cache_lock:
                  pass
    `;
    expect((await project([{ path: 'app/locks.py', content: LOCKS }, { path: 'app/worker.py', content: relative }])).map((f) => f.split(' ')[0])).toEqual([
      'app/worker.py:7:9',
    ]);
    expect((await project([{ path: 'app/locks.py', content: LOCKS }, { path: 'app/worker.py', content: moduleAttr }])).map((f) => f.split(' ')[0])).toEqual([
      'app/worker.py:7:9',
    ]);
  });

  test('an imported name no analysed file declares as a lock stays silent', async () => {
    expect(await project([{ path: 'app/worker.py', content: WORKER }])).toEqual([]);
  });

  test('with a diff, the finding sits on the changed path and names the other as path:line', async () => {
    const diff = [
      'diff --git a/app/locks.py b/app/locks.py',
      '--- a/app/locks.py',
      '+++ b/app/locks.py',
      '@@ -7,2 +7,4 @@',
      ' def refresh():',
      '-    pass',
      '+    with cache_lock:',
      '+        with db_lock:',
      '+            pass',
      '',
    ].join('\n');
    expect(await project([{ path: 'app/locks.py', content: LOCKS }, { path: 'app/worker.py', content: WORKER }], diff)).toEqual([
      'app/locks.py:9:9 This takes `db_lock` while holding `cache_lock` (line 8), but app/worker.py:7 takes `cache_lock` while holding `db_lock`. ' +
        'Two threads running both paths can each hold one lock and wait forever for the other: acquire the locks in one global order.',
    ]);
  });

  test('with a diff that touches neither path, nothing is reported', async () => {
    const diff = ['--- a/app/locks.py', '+++ b/app/locks.py', '@@ -1,1 +1,2 @@', ' import threading', '+import os', ''].join('\n');
    expect(await project([{ path: 'app/locks.py', content: LOCKS }, { path: 'app/worker.py', content: WORKER }], diff)).toEqual([]);
  });
});
