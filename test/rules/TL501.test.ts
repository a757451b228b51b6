import { lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL501'] };

const PURE = py`
  import math
  def crunch(xs):
      total = 0
      for x in xs:
          total += math.floor(x) ** 2
      return total
`;

describe('TL501 cpu-bound-in-threads', () => {
  test.each([
    // Executor map / submit (`with … as ex`), reported at the handing call.
    [PURE + py`
      from concurrent.futures import ThreadPoolExecutor
      with ThreadPoolExecutor() as ex:
          ex.map(crunch, [[1], [2]])
          ex.submit(crunch, [3])
    `, ['9:5 TL501', '10:5 TL501']],
    // `import concurrent.futures as cf`, threads in a comprehension, `import threading as th`.
    [PURE + py`
      import concurrent.futures as cf
      import threading as th
      cf.ThreadPoolExecutor().submit(crunch, [1])
      ts = [th.Thread(target=crunch, args=([i],)) for i in range(4)]
    `, ['9:1 TL501', '10:7 TL501']],
    // partial and lambda targets, two threads from one function, `from math import sqrt`, a pure helper.
    [py`
      import functools
      from math import sqrt
      from threading import Thread
      def helper(n):
          return sqrt(n) + abs(n)
      def work(n):
          return [helper(i) for i in range(n)]
      def main():
          Thread(target=functools.partial(work, 5)).start()
          Thread(target=lambda: work(6)).start()
    `, ['9:5 TL501', '10:5 TL501']],
    // Process pool, one background thread, I/O, unknown calls, methods, spin-wait, no loop.
    [PURE + py`
      import threading, time
      from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
      def io(xs):
          for x in xs:
              print(x)
      def sleepy(xs):
          for x in xs:
              time.sleep(x)
      def unknown(xs):
          return [transform(x) for x in xs]
      def method(xs, out):
          for x in xs:
              out.append(x)
      def spin(flag):
          while flag[0]:
              pass
      def flat(x):
          return x * 2
      with ProcessPoolExecutor() as px:
          px.map(crunch, [[1]])
      threading.Thread(target=crunch, args=([1],)).start()
      with ThreadPoolExecutor() as ex:
          for f in (io, sleepy, unknown, method, spin, flat):
              ex.submit(f, [1])
          ex.submit(io, [1])
          ex.submit(sleepy, [1])
          ex.submit(unknown, [1])
          ex.submit(method, [1], [])
          ex.submit(spin, [True])
          ex.submit(flat, 1)
    `, []],
    // A shadowed builtin is not the builtin.
    [py`
      from concurrent.futures import ThreadPoolExecutor
      def sum(xs):
          return fetch(xs)
      def work(xs):
          return [sum(x) for x in xs]
      ThreadPoolExecutor().map(work, [])
    `, []],
  ])('%s', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('message names the function and the alternatives', async () => {
    const source = PURE + 'from concurrent.futures import ThreadPoolExecutor\nThreadPoolExecutor().map(crunch, [])\n';
    const [finding] = await lint(source, only);
    expect(finding.message).toBe(
      '`crunch` only computes (a loop of arithmetic and builtins, no I/O or waiting), so running it on several threads gives no parallelism under the GIL. ' +
        'Use `ProcessPoolExecutor`, or `concurrent.futures.InterpreterPoolExecutor` on Python 3.14+.',
    );
    expect(finding.fix).toBeUndefined();
  });
});

test('is silent under the free-threading profile, where threads do run Python in parallel', async () => {
  const { lint } = await import('../helpers/lint.js');
  const source = 'import threading\n\ndef crunch(n):\n    total = 0\n    for i in range(n):\n        total += i * i\n    return total\n\nthreads = [threading.Thread(target=crunch, args=(10**7,)) for _ in range(4)]\n';
  expect((await lint(source, { select: ['TL501'] })).map((f) => f.ruleId)).toEqual(['TL501']);
  expect(await lint(source, { select: ['TL501'], config: { profile: 'free-threading' } })).toEqual([]);
});
