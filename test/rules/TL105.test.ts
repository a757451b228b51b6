import { applyFix, lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL105'] };

describe('TL105 lock-reacquire-deadlock', () => {
  test.each([
    // Nested `with` on a module lock: reported from the inner `with` keyword.
    [py`
      import threading
      lock = threading.Lock()
      def f():
          with lock:
              with lock:
                  pass
    `, ['5:9 TL105']],
    // `from threading import Lock as L`; inner acquire() call.
    [py`
      from threading import Lock as L
      lk = L()
      def f():
          with lk:
              lk.acquire()
              lk.release()
    `, ['5:9 TL105']],
    // acquire() statement then a nested with, and `with a, a:`.
    [py`
      import threading as th
      a = th.Lock()
      def f():
          a.acquire()
          try:
              with a:
                  pass
          finally:
              a.release()
      def g():
          with a, a:
              pass
    `, ['6:9 TL105', '11:13 TL105']],
    // A method holding self._lock calls a method that takes it.
    [py`
      import threading
      class S:
          def __init__(self):
              self._lock = threading.Lock()
          def add(self):
              with self._lock:
                  self._log()
          def _log(self):
              with self._lock:
                  pass
    `, ['7:13 TL105']],
    // Lock-typed annotation on an attribute assigned later (`Optional[Lock]`).
    [py`
      import threading
      from typing import Optional
      class S:
          _lock: Optional[threading.Lock] = None
          def start(self):
              self._lock = threading.Lock()
          def f(self):
              with self._lock:
                  with self._lock:
                      pass
    `, ['9:13 TL105']],
    // RLock, released in between, non-blocking and timed inner acquires.
    [py`
      import threading
      r = threading.RLock()
      l = threading.Lock()
      def f():
          with r:
              with r:
                  pass
          l.acquire()
          l.release()
          with l:
              if l.acquire(False):
                  l.release()
              if l.acquire(timeout=1):
                  l.release()
    `, []],
    // Parameters, asyncio, nested defs, unknown receivers.
    [py`
      import asyncio, threading
      al = asyncio.Lock()
      lock = threading.Lock()
      def p(lk: threading.Lock, other):
          with lk:
              with lk:
                  pass
          with other:
              with other:
                  pass
      async def q():
          async with al:
              async with al:
                  pass
      def r():
          with lock:
              def later():
                  with lock:
                      pass
          return later
    `, []],
    // A signal lock: released by another thread, re-acquired to wait for it.
    [py`
      import threading
      done = threading.Lock()
      def worker():
          done.release()
      def main():
          done.acquire()
          threading.Thread(target=worker).start()
          done.acquire()
          done.release()
      def main2(mutex=threading.Lock()):
          pass
    `, []],
    [py`
      import _thread, threading
      def test():
          mutex = threading.Lock()
          mutex.acquire()
          _thread.start_new_thread(mutex.release, ())
          _thread.start_new_thread(lambda m: m.release(), (mutex,))
          mutex.acquire()
    `, []],
    // Released inside the `with`, then taken back (appengine's scheduled_executor).
    [py`
      import threading
      lk = threading.Lock()
      def loop(pool, job):
          with lk:
              while True:
                  lk.release()
                  pool.submit(job)
                  lk.acquire()
    `, []],
  ])('%s', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('message and `threading.Lock()` → `threading.RLock()` fix', async () => {
    const source = py`
      import threading
      class Inventory:
          def __init__(self):
              self._lock = threading.Lock()
          def add(self, name):
              with self._lock:
                  self.count(name)
          def count(self, name):
              with self._lock:
                  return 0
    `;
    const [finding] = await lint(source, only);
    expect(finding.message).toBe(
      '`self.count()` takes `self._lock` (line 9 in `count`) while this thread already holds it from `with self._lock:` (line 6): ' +
        '`self._lock` is a threading.Lock, which is not reentrant, so the thread waits for itself forever. ' +
        'Use an RLock, or move the work into a helper that expects the lock held.',
    );
    expect(finding.fix?.description).toBe('Make `self._lock` an RLock');
    expect(applyFix(source, finding)).toBe(source.replace('threading.Lock()', 'threading.RLock()'));
  });

  test('alias and from-import forms of the fix', async () => {
    const alias = 'import threading as th\nlk = th.Lock()\ndef f():\n    with lk:\n        with lk:\n            pass\n';
    const imported = 'from threading import Lock, RLock as R\nlk = Lock()\ndef f():\n    with lk:\n        with lk:\n            pass\n';
    const noRlock = 'from threading import Lock\nlk = Lock()\ndef f():\n    with lk:\n        with lk:\n            pass\n';
    const [a] = await lint(alias, only);
    const [b] = await lint(imported, only);
    const [c] = await lint(noRlock, only);
    expect(applyFix(alias, a)).toBe(alias.replace('th.Lock()', 'th.RLock()'));
    expect(applyFix(imported, b)).toBe(imported.replace('lk = Lock()', 'lk = R()'));
    expect(c.fix).toBeUndefined();
  });

  test('no fix when the lock is constructed in two places', async () => {
    const source = py`
      import threading
      class P:
          def __init__(self):
              self._lock = threading.Lock()
          def reset(self):
              self._lock = threading.Lock()
          def drain(self):
              with self._lock:
                  with self._lock:
                      pass
    `;
    const findings = await lint(source, only);
    expect(positions(findings)).toEqual(['9:13 TL105']);
    expect(findings[0].fix).toBeUndefined();
  });
});

describe('re-entry through a signal handler, a logging handler, a base class', () => {
  test.each([
    // A SIGHUP handler reloads under the lock the serving loop holds.
    [py`
      import signal
      import threading
      class Service:
          def __init__(self):
              self._lock = threading.Lock()
              self.config = {}
          def reload(self, signum, frame):
              with self._lock:
                  self.config = {}
          def serve(self):
              while True:
                  with self._lock:
                      self.step()
          def step(self):
              pass
          def install(self):
              signal.signal(signal.SIGHUP, self.reload)
    `, ['8:9 TL105']],
    // A logging call made while holding the lock a Handler of the file takes in emit.
    [py`
      import logging
      import threading
      log = logging.getLogger(__name__)
      _journal_lock = threading.Lock()
      journal = []
      class JournalHandler(logging.Handler):
          def emit(self, record):
              with _journal_lock:
                  journal.append(self.format(record))
      def compact():
          with _journal_lock:
              journal.clear()
              log.info("journal compacted")
    `, ['13:9 TL105']],
    // A signal handler that logs through that handler while the main thread holds its lock.
    [py`
      import logging
      import signal
      import threading
      log = logging.getLogger("svc")
      _io_lock = threading.Lock()
      class FileSink(logging.Handler):
          def emit(self, record):
              with _io_lock:
                  print(self.format(record))
      def on_term(signum, frame):
          log.warning("terminating")
      def rotate():
          with _io_lock:
              pass
      signal.signal(signal.SIGTERM, on_term)
    `, ['11:5 TL105']],
    // super() runs the base method, which takes the same lock.
    [py`
      import threading
      class Writer:
          def __init__(self):
              self._lock = threading.Lock()
              self._buf = []
          def flush(self):
              with self._lock:
                  self._buf.clear()
      class LineWriter(Writer):
          def flush(self):
              with self._lock:
                  self._buf.append("\\n")
                  super().flush()
    `, ['13:13 TL105']],
    // A base method holding the lock calls a hook that a subclass of the file overrides with the lock.
    [py`
      import threading
      class Pipeline:
          def __init__(self):
              self._lock = threading.Lock()
          def process(self, item):
              with self._lock:
                  self._hook(item)
          def _hook(self, item):
              pass
      class AuditedPipeline(Pipeline):
          def _hook(self, item):
              with self._lock:
                  print(item)
    `, ['7:13 TL105']],
  ])('%s', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test.each([
    // The handler takes a lock only worker threads hold; an RLock; a handler that only sets an event.
    [py`
      import signal
      import threading
      _state_lock = threading.Lock()
      _reentrant = threading.RLock()
      stopping = threading.Event()
      def _worker():
          with _state_lock:
              pass
      def on_usr1(signum, frame):
          with _state_lock:
              pass
      def on_usr2(signum, frame):
          with _reentrant:
              pass
      def on_term(signum, frame):
          stopping.set()
      def main():
          with _reentrant:
              threading.Thread(target=_worker).start()
      signal.signal(signal.SIGUSR1, on_usr1)
      signal.signal(signal.SIGUSR2, on_usr2)
      signal.signal(signal.SIGTERM, on_term)
    `],
    // A signal look-alike (blinker) whose receiver takes a lock the main code holds.
    [py`
      import threading
      from blinker import signal
      _lock = threading.Lock()
      def on_saved(sender):
          with _lock:
              pass
      def save():
          with _lock:
              pass
      signal("saved").connect(on_saved)
    `],
    // Logging under a lock the handler does not take; a receiver not shown to be a logger; an RLock in emit.
    [py`
      import logging
      import threading
      log = logging.getLogger(__name__)
      _a = threading.Lock()
      _b = threading.RLock()
      class Sink(logging.Handler):
          def emit(self, record):
              with _b:
                  pass
      class Other(logging.Handler):
          def emit(self, record):
              with _a:
                  pass
      def work(reporter):
          with _a:
              reporter.info("not a logger")
          with _b:
              log.info("reentrant")
    `],
    // super() into a base that takes another lock; an override in a class that does not derive from it.
    [py`
      import threading
      class Base:
          def __init__(self):
              self._lock = threading.Lock()
              self._io = threading.Lock()
          def flush(self):
              with self._io:
                  pass
          def process(self):
              with self._lock:
                  self._hook()
          def _hook(self):
              pass
      class Child(Base):
          def flush(self):
              with self._lock:
                  super().flush()
      class Unrelated:
          def __init__(self):
              self._lock = threading.Lock()
          def _hook(self):
              with self._lock:
                  pass
    `],
  ])('%s', async (source) => {
    expect(positions(await lint(source, only))).toEqual([]);
  });

  test('messages name the path of re-entry; the fix makes the lock an RLock', async () => {
    const source = py`
      import signal
      import threading
      _lock = threading.Lock()
      def on_hup(signum, frame):
          with _lock:
              pass
      def serve():
          with _lock:
              pass
      signal.signal(signal.SIGHUP, on_hup)
    `;
    const [finding] = await lint(source, only);
    expect(finding.message).toBe(
      'the signal handler `on_hup` (registered at line 10) takes `_lock` when the signal arrives while the main thread may hold it in `serve` from `with _lock:` (line 8): ' +
        '`_lock` is a threading.Lock, which is not reentrant, so the thread waits for itself forever. Use an RLock, or move the work into a helper that expects the lock held.',
    );
    expect(applyFix(source, finding)).toContain('_lock = threading.RLock()');
  });
});
