import { lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL207'] };

/** A class with a lock, a worker thread whose target `_run` takes the lock, and `body` as a method. */
const worker = (body: string, run = 'with self._lock:\n    self.n += 1') =>
  [
    'import threading, time, queue',
    'class W:',
    '    def __init__(self):',
    '        self._lock = threading.Lock()',
    '        self._ev = threading.Event()',
    '        self.n = 0',
    '        self._t = threading.Thread(target=self._run)',
    '    def _run(self):',
    ...run.split('\n').map((l) => (l.startsWith('def ') ? `    ${l}` : `        ${l}`)),
    '    def stop(self):',
    ...body.split('\n').map((l) => `        ${l}`),
    '',
  ].join('\n');

describe('TL207 blocking-under-lock', () => {
  test.each([
    // The joined thread's target takes the lock: error; with a timeout: warning.
    [worker('with self._lock:\n    self._t.join()'), ['13:13 TL207 error']],
    [worker('with self._lock:\n    self._t.join(5)'), ['13:13 TL207 warning']],
    [worker('with self._lock:\n    self._t.join(timeout=None)'), ['13:13 TL207 error']],
    [worker('self._lock.acquire()\ntry:\n    self._t.join()\nfinally:\n    self._lock.release()'), ['14:13 TL207 error']],
    // Through a same-file callee of the target.
    [worker('with self._lock:\n    self._t.join()', 'self._step()\ndef _step(self):\n    with self._lock:\n        pass'), ['15:13 TL207 error']],
    // The target does not take it, takes it without blocking, or the join is outside the lock.
    [worker('with self._lock:\n    self._t.join()', 'self.n += 1'), []],
    [worker('with self._lock:\n    self._t.join()', 'if self._lock.acquire(timeout=1):\n    self._lock.release()'), []],
    [worker('with self._lock:\n    self._ev.set()\nself._t.join()'), []],
    // An Event set only under the lock; set once without it; set through a callback.
    [worker('with self._lock:\n    self._ev.wait()', 'with self._lock:\n    self._ev.set()'), ['13:13 TL207 error']],
    [worker('with self._lock:\n    self._ev.wait(1)', 'with self._lock:\n    self._ev.set()'), ['13:13 TL207 warning']],
    [worker('with self._lock:\n    self._ev.wait()', 'self._ev.set()'), []],
    [worker('with self._lock:\n    self._ev.wait()', 'loop.call_soon(self._ev.set)'), []],
    [worker('with self._lock:\n    self._ev.wait()', 'with self._lock:\n    pass\nhand_over(self._ev)'), []],
    // Sleeping under a lock another function takes: warning; under its only taker, a semaphore, or `sleep(0)`: nothing.
    [worker('with self._lock:\n    time.sleep(1)'), ['13:13 TL207 warning']],
    [worker('with self._lock:\n    time.sleep(0)'), []],
    [worker('with self._lock:\n    time.sleep(1)', 'self.n += 1'), []],
    // Look-alikes: a string join, an unknown receiver, a local thread of unknown target.
    [worker('with self._lock:\n    ", ".join(self.names)'), []],
    [worker('with self._lock:\n    self.other.join()'), []],
    [worker('with self._lock:\n    t = make_thread()\n    t.join()'), []],
  ])('%#', async (source, expected) => {
    expect((await lint(source, only)).map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.severity}`)).toEqual(expected);
  });

  test.each([
    [
      'a Condition wait releases the lock it owns',
      py`
        import threading
        class Pool:
            def __init__(self):
                self._lock = threading.Lock()
                self._cv = threading.Condition(self._lock)
                self._idle = []
            def get(self):
                with self._lock:
                    while not self._idle:
                        self._cv.wait()
                    return self._idle.pop()
            def put(self, c):
                with self._cv:
                    self._idle.append(c)
                    self._cv.notify()
      `,
      [],
    ],
    [
      'waiting on another Condition whose notifier needs the held lock',
      py`
        import threading
        class Pool:
            def __init__(self):
                self._lock = threading.Lock()
                self._cv = threading.Condition()
            def get(self):
                with self._lock:
                    with self._cv:
                        self._cv.wait()
            def put(self):
                with self._lock:
                    with self._cv:
                        self._cv.notify()
      `,
      ['9:17 TL207'],
    ],
    [
      'a blocking get whose every put needs the lock; a get_nowait does not wait',
      py`
        import threading, queue
        lock = threading.Lock()
        jobs = queue.Queue()
        def feed(x):
            with lock:
                jobs.put(x)
        def take():
            with lock:
                jobs.get_nowait()
                return jobs.get()
      `,
      ['10:16 TL207'],
    ],
    [
      'a put on an unbounded queue never blocks',
      py`
        import threading, queue
        lock = threading.Lock()
        jobs = queue.Queue()
        def feed(x):
            with lock:
                jobs.put(x)
        def take():
            with lock:
                return jobs.get_nowait()
      `,
      [],
    ],
    [
      'a submitted task, and a module-level executor',
      py`
        import threading
        from concurrent.futures import ThreadPoolExecutor, as_completed
        lock = threading.Lock()
        pool = ThreadPoolExecutor(2)
        def task(x):
            with lock:
                return x
        def run(xs):
            with lock:
                fs = [pool.submit(task, x) for x in xs]
                for f in as_completed(fs):
                    f.result()
      `,
      ['11:18 TL207'],
    ],
  ])('%s', async (_title, source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('the messages name the lock, where it is taken and the code that needs it', async () => {
    const [join, sleep] = await lint(worker('with self._lock:\n    self._t.join()\nwith self._lock:\n    time.sleep(2)'), only);
    expect(join.message).toBe(
      '`self._t.join()` waits while holding `self._lock` (taken at line 12), and the thread it joins runs `_run`, which takes `self._lock` (line 9): when it gets there, neither side can go on (a deadlock). Release `self._lock` before waiting.',
    );
    expect(sleep.message).toBe(
      '`time.sleep(2)` sleeps while holding `self._lock` (taken at line 14), which `_run` also takes (line 9): every thread that needs `self._lock` stalls for the whole sleep. Sleep after releasing it, or wait on a Condition of that lock, which releases it while waiting.',
    );
    expect(join.fix).toBeUndefined();
  });
});
