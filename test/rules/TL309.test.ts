import { lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL309'] };

describe('TL309 pool-starvation-deadlock', () => {
  test.each([
    // Module-level pool, `.result()` in the task.
    [py`
      from concurrent.futures import ThreadPoolExecutor
      pool = ThreadPoolExecutor(max_workers=2)
      def child(x):
          return x
      def parent(x):
          return pool.submit(child, x).result()
      pool.submit(parent, 1)
    `, ['6:12 TL309']],
    // `import concurrent.futures as cf`, `self.pool`, blocking in a helper the task calls.
    [py`
      import concurrent.futures as cf
      class R:
          def __init__(self):
              self.pool = cf.ThreadPoolExecutor()
          def build(self, rows):
              return [self.pool.submit(self._row, r) for r in rows]
          def _row(self, r):
              return self._fmt(r)
          def _fmt(self, r):
              f = self.pool.submit(str, r)
              return f.exception(timeout=5)
    `, ['11:16 TL309']],
    // `with ThreadPoolExecutor() as ex`, nested task, `wait` and `as_completed` (one finding per function).
    [py`
      from concurrent.futures import ThreadPoolExecutor, wait, as_completed
      def main(items):
          with ThreadPoolExecutor() as ex:
              def task(x):
                  fs = [ex.submit(str, i) for i in x]
                  wait(fs)
                  for f in as_completed(fs):
                      f.result()
              for i in items:
                  ex.submit(task, i)
    `, ['6:13 TL309']],
    // `functools.partial` and lambda targets; `list(ex.map(...))` inside the task.
    [py`
      import functools
      from concurrent.futures import ThreadPoolExecutor
      ex = ThreadPoolExecutor()
      def a(x, y):
          return list(ex.map(str, x))
      def b(x):
          for r in ex.map(str, x):
              pass
      ex.submit(functools.partial(a, [1], 2))
      ex.submit(lambda: b([1]))
    `, ['5:17 TL309', '7:14 TL309']],
    // A different executor, no wait, waiting outside the pool, a parameter pool, process pools.
    [py`
      from concurrent.futures import ThreadPoolExecutor, ProcessPoolExecutor
      outer = ThreadPoolExecutor()
      inner = ThreadPoolExecutor()
      procs = ProcessPoolExecutor()
      def t1(x):
          return inner.submit(str, x).result()
      def t2(x):
          return outer.submit(str, x)
      def t3(x):
          return procs.submit(str, x).result()
      def t4(ex, x):
          return ex.submit(str, x).result()
      fs = [outer.submit(t1, 1), outer.submit(t2, 2), procs.submit(t3, 3), outer.submit(t4, outer, 4)]
      print([f.result() for f in fs])
    `, []],
  ])('%s', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('message names the call, the pool and where the task is submitted', async () => {
    const source = py`
      from concurrent.futures import ThreadPoolExecutor
      pool = ThreadPoolExecutor(max_workers=4)
      def cell(v):
          return str(v)
      def row(r):
          return [pool.submit(cell, v).result() for v in r]
      def table(rows):
          return [pool.submit(row, r) for r in rows]
    `;
    const [finding] = await lint(source, only);
    expect(finding.message).toBe(
      '`pool.submit(cell, v).result()` waits for a task submitted to `pool` from `row`, which itself runs on `pool` (submitted at line 8). ' +
        'When every worker runs `row`, the children wait in the queue forever. Run the inner step inline, or give it a separate executor.',
    );
    expect(finding.fix).toBeUndefined();
  });
});
