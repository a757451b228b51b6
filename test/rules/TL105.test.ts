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
