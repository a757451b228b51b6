import { applyFix, lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL201'] };

/** A class whose worker thread loops until `_stop` is set; `body` is the shutdown method. */
function worker(body: string): string {
  return py`
    import threading, logging
    log = logging.getLogger(__name__)
    class Worker:
        def __init__(self):
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._loop)
        def _loop(self):
            while not self._stop.is_set():
                self._stop.wait(1)
  ` + body;
}

describe('TL201 blocking-call-without-timeout', () => {
  test.each([
    // (a) a shutdown path that joins a looping worker it never told to stop.
    [worker('    def stop(self):\n        log.info("bye")\n        self._thread.join()\n'), ['12:9 TL201']],
    [worker('    def _shutdown(self):\n        self._thread.join()\n'), ['11:9 TL201']],
    [worker('    def __del__(self):\n        if self._thread.is_alive():\n            self._thread.join()\n'), ['12:13 TL201']],
    // … signalled first: an Event set, a flag stored, a sentinel put, another method called.
    [worker('    def stop(self):\n        self._stop.set()\n        self._thread.join()\n'), []],
    [worker('    def stop(self):\n        self.running = False\n        self._thread.join()\n'), []],
    [worker('    def stop(self, wait=True):\n        self._wake()\n        wait and self._thread.join()\n'), []],
    [worker('    def close(self):\n        with self._lock:\n            self._closing = True\n        self._thread.join()\n'), []],
    // … a timeout, or a method that is not a shutdown path, or a `join` method (its caller's wait).
    [worker('    def stop(self):\n        self._thread.join(5)\n        self._thread.join(timeout=5)\n'), []],
    [worker('    def run_forever(self):\n        self._thread.join()\n'), []],
    [worker('    def join(self):\n        self._thread.join()\n'), []],
    // Finite work: the target does not loop.
    [py`
      import threading
      class Flush:
          def __init__(self, sink):
              self._t = threading.Thread(target=sink.flush)
              self._u = threading.Thread(target=self._once)
          def _once(self):
              pass
          def close(self):
              self._t.join()
              self._u.join()
    `, []],
    // atexit and signal handlers are shutdown paths; a Thread subclass joining itself.
    [py`
      import atexit, threading
      def _spin():
          while True:
              pass
      _t = threading.Thread(target=_spin)
      @atexit.register
      def _bye():
          _t.join()
      class Relay(threading.Thread):
          def run(self):
              while True:
                  pass
          def terminate(self):
              self.join()
    `, ['8:5 TL201', '14:9 TL201']],
    // acquire() is never TL201 (TL101 covers the unsafe forms); acquire + try/finally is the idiom.
    [py`
      import threading
      class Pipe:
          def __init__(self):
              self._lock = threading.Lock()
              self._sem = threading.Semaphore(0)
          def close(self):
              self._lock.acquire()
              try:
                  self._closed = True
              finally:
                  self._lock.release()
          def stop(self):
              self._sem.acquire()
    `, []],
    // Barrier.wait() is never TL201, with or without a constructor timeout.
    [py`
      import threading
      b = threading.Barrier(2, timeout=5)
      c = threading.Barrier(2)
      def stop():
          b.wait()
          c.wait()
    `, []],
    // (b) waits nothing in the file can satisfy: private attribute, private global, local.
    [py`
      import threading, queue
      _done = threading.Event()
      class Peer:
          def __init__(self):
              self._ready = threading.Event()
              self._cv = threading.Condition()
          def connect(self):
              self._ready.wait()
          def turn(self):
              with self._cv:
                  self._cv.wait()
      def main():
          _done.wait()
          replies = queue.Queue()
          return replies.get()
    `, ['8:9 TL201', '11:13 TL201', '13:5 TL201', '15:12 TL201']],
    // … satisfiable, handed on, public, a parameter, or built elsewhere: silent.
    [py`
      import threading, queue
      class Peer:
          def __init__(self, ready):
              self._ready = threading.Event()
              self.public = threading.Event()
              self._given = ready
              self._q = queue.Queue()
          def on_reply(self):
              self._ready.set()
          def connect(self):
              self._ready.wait()
              self.public.wait()
              self._q.get()
          def feed(self, register):
              register(self._q)
      def start(serve):
          ready = threading.Event()
          def run():
              ready.set()
              serve()
          threading.Thread(target=run).start()
          ready.wait()
      def given(ev: threading.Event):
          ev.wait()
    `, []],
    // An Event waited on in a shutdown path before anything asked for it.
    [py`
      import threading
      class Beat:
          def __init__(self):
              self._stopped = threading.Event()
          def _run(self):
              self._stopped.set()
          def stop(self):
              self._stopped.wait()
          def shutdown(self):
              self._kick()
              self._stopped.wait()
    `, ['8:9 TL201']],
  ])('%#', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('futures: a looping task waited on in a shutdown path; finished futures are never flagged', async () => {
    const source = py`
      from concurrent.futures import ThreadPoolExecutor, as_completed, wait
      class Poller:
          def __init__(self, poll):
              self._pool = ThreadPoolExecutor(2)
              self._poll = poll
              self._task = None
          def _forever(self):
              while True:
                  self._poll()
          def start(self):
              self._task = self._pool.submit(self._forever)
              self._all = [self._pool.submit(self._forever) for _ in range(2)]
          def close(self):
              self._task.result()
              wait(self._all)
          def shutdown(self):
              for f in as_completed(self._all):
                  if f is self._task:
                      f.result()
                  elif f.done():
                      f.exception()
              done, _ = wait(self._all, timeout=5)
              for f in done:
                  f.result()
    `;
    expect(positions(await lint(source, only))).toEqual(['14:9 TL201', '15:9 TL201', '17:18 TL201']);
  });

  test('messages name the shutdown path and what to do', async () => {
    const [finding] = await lint(worker('    def stop(self):\n        self._thread.join()\n'), only);
    expect(finding.message).toBe(
      '`self._thread.join()` in `stop()` waits forever if the thread never ends, and nothing before it asks for that: tell the thread to stop first (an Event its loop checks, a sentinel on its queue), or pass a timeout (`self._thread.join(timeout=…)`) and check `self._thread.is_alive()` after.',
    );
    const [never] = await lint('import threading\n_ev = threading.Event()\ndef f():\n    _ev.wait()\n', only);
    expect(never.message).toBe('`_ev.wait()` can never return: nothing in this file ever sets it. Add the missing `set()` where the work is done, or pass a timeout.');
    // RULES.md: a wait nothing can satisfy is an error; a shutdown-path wait stays a warning.
    expect([finding.severity, never.severity]).toEqual(['warning', 'error']);
    const [configured] = await lint('import threading\n_ev = threading.Event()\ndef f():\n    _ev.wait()\n', { ...only, config: { rules: { TL201: 'notice' } } });
    expect(configured.severity).toBe('notice');
  });

  describe('fixes: only where the code already copes with a timeout', () => {
    const pool = py`
      import threading
      from concurrent.futures import ThreadPoolExecutor
      class Poller:
          def __init__(self):
              self._pool = ThreadPoolExecutor(1)
              self._task = self._pool.submit(self._forever)
          def _forever(self):
              while True:
                  pass
    `;

    test('result() inside a try that catches TimeoutError gets the configured timeout', async () => {
      const source = pool + '    def close(self):\n        try:\n            self._task.result()\n        except TimeoutError:\n            pass\n';
      const [finding] = await lint(source, only);
      expect(applyFix(source, finding).split('\n')[11]).toBe('            self._task.result(timeout=30)');
      const [custom] = await lint(source, { ...only, config: { default_timeout: 2.5 } });
      expect(applyFix(source, custom)).toContain('.result(timeout=2.5)');
    });

    test('join() followed by an is_alive() check gets a timeout', async () => {
      const source = worker('    def close(self):\n        self._thread.join()\n        if self._thread.is_alive():\n            log.warning("stuck")\n');
      const [finding] = await lint(source, only);
      expect(applyFix(source, finding).split('\n')[10]).toBe('        self._thread.join(timeout=30)');
    });

    test.each([
      ['result() whose TimeoutError nothing handles', pool + '    def close(self):\n        self._task.result()\n'],
      ['result() under a handler for another error', pool + '    def close(self):\n        try:\n            self._task.result()\n        except KeyError:\n            pass\n'],
      ['join() whose timeout nothing checks', worker('    def stop(self):\n        self._thread.join()\n        self._cleanup()\n')],
    ])('no timeout added to a wait that may legitimately run long: %s', async (_name, source) => {
      const findings = await lint(source, only);
      expect(findings.map((f) => [f.ruleId, !!f.fix])).toEqual([['TL201', false]]);
    });

    test('as_completed and wait never get a timeout: a long-running loop over them would fail', async () => {
      const source = py`
        from concurrent.futures import ThreadPoolExecutor, as_completed
        def _forever():
            while True:
                pass
        pool = ThreadPoolExecutor(2)
        futures = [pool.submit(_forever) for _ in range(2)]
        def shutdown():
            try:
                for f in as_completed(futures):
                    pass
            except TimeoutError:
                pass
      `;
      const findings = await lint(source, only);
      expect(findings.map((f) => [f.line, !!f.fix])).toEqual([[9, false]]);
    });
  });

  test('silent in test code', async () => {
    const source = worker('    def stop(self):\n        self._thread.join()\n');
    expect(await lint(source, { ...only, path: 'tests/test_worker.py' })).toEqual([]);
    expect(positions(await lint(source, { ...only, path: 'pkg/worker.py' }))).toEqual(['11:9 TL201']);
  });
});
