import { lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL305'] };

describe('TL305 unbounded-thread-creation', () => {
  test.each([
    ['import threading\nfor x in items:\n    threading.Thread(target=f, args=(x,)).start()\n', ['3:5 TL305']],
    ['import threading as th\nfor x in items:\n    t = th.Thread(target=f, args=(x,))\n    t.start()\n    threads.append(t)\n', ['3:9 TL305']],
    ['from threading import Thread\nwhile True:\n    conn = sock.accept()\n    Thread(target=serve, args=(conn,), daemon=True).start()\n', ['4:5 TL305']],
    ['from threading import Thread as T\ndef go(n):\n    for i in range(n):\n        T(target=f).start()\n', ['4:9 TL305']],
    ['from threading import Thread\nfor i in range(64):\n    Thread(target=f).start()\n', ['3:5 TL305']],
    ['from threading import Thread\nfor i in range(0, 100, 2):\n    Thread(target=f).start()\n', ['3:5 TL305']],
    ['from threading import Thread\nfor row in rows:\n    for i in range(4):\n        Thread(target=f).start()\n', ['4:9 TL305']],
    ['from threading import Thread\n[Thread(target=f, args=(x,)).start() for x in items]\n', ['2:2 TL305']],
    ['import threading\nclass W(threading.Thread):\n    pass\nfor job in jobs:\n    w = W()\n    w.start()\n', ['5:9 TL305']],
    ['import threading\nclass Pool:\n    def grow(self, jobs):\n        for job in jobs:\n            self.t = threading.Thread(target=job)\n            self.t.start()\n', ['5:22 TL305']],
    // A fixed number of threads.
    ['from threading import Thread\nfor i in range(4):\n    Thread(target=f).start()\n', []],
    ['from threading import Thread\nfor i in range(32):\n    Thread(target=f).start()\n', []],
    ['from threading import Thread\nfor i in range(2, 10):\n    Thread(target=f).start()\n', []],
    ['from threading import Thread\nN = 8\nfor i in range(N):\n    Thread(target=f).start()\n', []],
    ['from threading import Thread\ndef go():\n    n = 8\n    for i in range(n):\n        Thread(target=f).start()\n', []],
    ['from threading import Thread\nfor fn in (read, write):\n    Thread(target=fn).start()\n', []],
    ['from threading import Thread\nfor fn in [read, write, flush]:\n    Thread(target=fn).start()\n', []],
    ['from threading import Thread\nCASES = ((1, 2), (3, 4))\nfor a, b in CASES:\n    Thread(target=f, args=(a, b)).start()\n', []],
    // Joined in the same round: one thread at a time.
    ['from threading import Thread\nfor x in items:\n    t = Thread(target=f, args=(x,))\n    t.start()\n    t.join()\n', []],
    // Built in the loop but started elsewhere, or not a thread.
    ['from threading import Thread\nfor x in items:\n    threads.append(Thread(target=f, args=(x,)))\n', []],
    ['from threading import Thread\nthreads = [Thread(target=f, args=(x,)) for x in items]\n', []],
    ['import multiprocessing\nfor x in items:\n    multiprocessing.Process(target=f).start()\n', []],
    ['for x in items:\n    Thread(target=f).start()\n', []],
    ['from threading import Thread\nfor x in items:\n    Thread(target=f).start()  # threadlint: ignore[TL305]\n', []],
  ])('%j', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('a constant that changes is not a bound', async () => {
    const source = 'from threading import Thread\nN = 8\nN += more\nfor i in range(N):\n    Thread(target=f).start()\n';
    expect(positions(await lint(source, only))).toEqual(['5:5 TL305']);
  });

  test('message and position of the constructor', async () => {
    const source = py`
      import threading

      def fetch_all(urls):
          for url in urls:
              t = threading.Thread(target=fetch, args=(url,))
              t.start()
    `;
    const [f] = await lint(source, only);
    expect([f.line, f.column, f.endLine, f.endColumn]).toEqual([5, 13, 5, 56]);
    expect(f.message).toBe(
      'A thread is started for every round of this `for` loop, so the thread count grows with the input; submit the work to a `ThreadPoolExecutor(max_workers=N)` instead.',
    );
  });
});
