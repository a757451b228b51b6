import { lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL103'] };

describe('TL103 useless-lock', () => {
  test.each([
    // a lock built where it is used
    ['import threading\nwith threading.Lock():\n    g()\n', ['2:6 TL103']],
    ['import threading as th\ndef f():\n    with th.RLock():\n        g()\n', ['3:10 TL103']],
    ['from threading import Lock as L\nwith open(p) as fh, L():\n    g()\n', ['2:21 TL103']],
    ['from threading import Lock\nwith Lock() as taken:\n    g()\n', ['2:6 TL103']],
    ['import threading\nthreading.Lock().acquire()\n', ['2:1 TL103']],
    ['import multiprocessing\nmultiprocessing.Lock().acquire()\n', ['2:1 TL103']],
    // a local lock used only in its own call
    ['import threading\ndef f():\n    lock = threading.Lock()\n    with lock:\n        g()\n', ['3:5 TL103']],
    ['from threading import RLock\ndef f():\n    lock = RLock()\n    lock.acquire()\n    try:\n        g()\n    finally:\n        lock.release()\n', ['3:5 TL103']],
    ['import threading\nclass A:\n    def f(self):\n        lock = threading.Lock()\n        with lock:\n            self.n += 1\n', ['4:9 TL103']],
    ['import threading\ndef f(items):\n    lock = threading.Lock()\n    return [g(x) for x in items if lock.locked()]\n', ['3:5 TL103']],
    // shared: module, class, self, passed, returned, captured, stored
    ['import threading\nlock = threading.Lock()\ndef f():\n    with lock:\n        g()\n', []],
    ['import threading\nclass A:\n    lock = threading.Lock()\n', []],
    ['import threading\nclass A:\n    def __init__(self):\n        self._lock = threading.Lock()\n', []],
    ['import threading\ndef f():\n    lock = threading.Lock()\n    self._lock = lock\n', []],
    ['import threading\ndef f():\n    lock = threading.Lock()\n    t = threading.Thread(target=work, args=(lock,))\n    with lock:\n        t.start()\n', []],
    ['import threading\ndef f():\n    lock = threading.Lock()\n    return lock\n', []],
    ['import threading\ndef f():\n    lock = threading.Lock()\n    def work():\n        with lock:\n            g()\n    threading.Thread(target=work).start()\n', []],
    ['import threading\ndef f():\n    lock = threading.Lock()\n    run(lambda: lock.acquire())\n', []],
    ['import threading\ndef f(pool):\n    lock = threading.Lock()\n    pool.submit(work, lock=lock)\n', []],
    ['import threading\ndef f():\n    lock = threading.Lock()\n    locks.append(lock)\n', []],
    ['import threading\ndef f():\n    global lock\n    lock = threading.Lock()\n    with lock:\n        g()\n', []],
    ['import threading\ndef f():\n    lock = threading.Lock()\n    cond = threading.Condition(lock)\n    with lock:\n        g()\n', []],
    ['import threading\ndef f():\n    lock = threading.Lock()\n    if x:\n        lock = shared\n    with lock:\n        g()\n', []],
    // never used: nothing to say
    ['import threading\ndef f():\n    lock = threading.Lock()\n', []],
    // look-alikes
    ['import asyncio\nasync def f():\n    lock = asyncio.Lock()\n    async with lock:\n        g()\n', []],
    ['import asyncio\nwith asyncio.Lock():\n    g()\n', []],
    ['import threading\ndef f():\n    sem = threading.Semaphore(2)\n    with sem:\n        g()\n', []],
    ['import threading\nwith threading.Lock():  # threadlint: ignore[TL103]\n    g()\n', []],
  ])('%j', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('messages say why the lock excludes nobody; no fix is offered', async () => {
    const source = py`
      import threading
      def update(self):
          lock = threading.Lock()
          with lock:
              self.n += 1
      with threading.Lock():
          pass
    `;
    const findings = await lint(source, only);
    expect(findings.map((f) => [f.line, f.message, f.fix])).toEqual([
      [
        3,
        '`lock` is a new lock on every call of `update()` and never leaves it, so each call locks its own lock and no other thread is kept out. Share one lock instead (module level or `self._lock`).',
        undefined,
      ],
      [
        6,
        '`with threading.Lock():` locks a brand-new lock that no other thread can reach, so it excludes nobody. Create the lock once and share it (module level or `self._lock`), then `with` that lock.',
        undefined,
      ],
    ]);
  });
});
