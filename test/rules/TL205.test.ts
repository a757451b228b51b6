import { lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL205'] };

describe('TL205 notify-without-lock', () => {
  test.each([
    [py`
      import threading
      c = threading.Condition()
      def f():
          c.notify()
    `, ['4:5 TL205']],
    // `import threading as th`, `self` attribute, notify_all and notifyAll.
    [py`
      import threading as th
      class Q:
          def __init__(self):
              self.cv = th.Condition()
          def put(self):
              self.cv.notify_all()
              self.cv.notifyAll()
    `, ['6:9 TL205', '7:9 TL205']],
    // `from threading import Condition as C`, held lock is not its lock; released before.
    [py`
      from threading import Condition as C, Lock
      lk = Lock()
      other = Lock()
      cv = C(lk)
      def f():
          with other:
              cv.notify()
          cv.acquire()
          cv.release()
          cv.notify()
    `, ['7:9 TL205', '10:5 TL205']],
    // Held: `with C:`, acquire/try/finally, the underlying lock, a sibling Condition.
    [py`
      import threading
      lk = threading.Lock()
      a = threading.Condition(lk)
      b = threading.Condition(lock=lk)
      def f():
          with a:
              a.notify()
          a.acquire()
          try:
              a.notify()
          finally:
              a.release()
          with lk:
              a.notify()
          with b:
              a.notify_all()
    `, []],
    // Helpers called under the lock; `_locked` names; parameters; unknown receivers.
    [py`
      import threading
      cv = threading.Condition()
      def _wake():
          cv.notify()
      def wake_locked():
          cv.notify()
      def caller():
          with cv:
              _wake()
      def given(c: threading.Condition, observer):
          c.notify()
          observer.notify("x")
    `, []],
    // Built on a lock the analysis cannot type: any lock held may be that one.
    [py`
      import threading
      class Q:
          def __init__(self, mutex):
              self.mutex = mutex
              self.not_empty = threading.Condition(self.mutex)
          def put(self):
              with self.mutex:
                  self.not_empty.notify()
    `, []],
    // Class-body lock and Condition (grpc's ChannelCache): `self._lock`, `Cache._lock` and `_lock` are one lock.
    [py`
      import threading
      class Cache:
          _lock: threading.RLock = threading.RLock()
          _condition: threading.Condition = threading.Condition(lock=_lock)
          def get(self):
              with self._lock:
                  self._condition.notify()
          @staticmethod
          def evict():
              with Cache._lock:
                  Cache._condition.notify_all()
          def bad(self):
              self._condition.notify()
    `, ['13:9 TL205']],
    // A checked acquire holds the lock in its branch (RULES.md revision 2), not after it or in its else.
    [py`
      import threading
      class Pool:
          def __init__(self):
              self._lock = threading.Lock()
              self._cv = threading.Condition(self._lock)
          def poke(self):
              if self._lock.acquire(False):
                  try:
                      self._cv.notify_all()
                  finally:
                      self._lock.release()
          def poke_flag(self):
              ok = self._cv.acquire(timeout=1)
              if ok:
                  try:
                      self._cv.notify()
                  finally:
                      self._cv.release()
          def after(self):
              if self._cv.acquire(False):
                  self._cv.release()
              else:
                  self._cv.notify()
              self._cv.notify()
    `, ['23:13 TL205', '24:9 TL205']],
  ])('%s', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('messages name the Condition, and the lock it is built on', async () => {
    const source = py`
      import threading
      lk = threading.Lock()
      plain = threading.Condition()
      built = threading.Condition(lk)
      def f():
          plain.notify()
          built.notify_all()
    `;
    const findings = await lint(source, only);
    expect(findings.map((f) => f.message)).toEqual([
      '`plain.notify()` is called without holding `plain`: Python raises RuntimeError("cannot notify on un-acquired lock"). Call it inside `with plain:`.',
      '`built.notify_all()` is called without holding `built`: Python raises RuntimeError("cannot notify on un-acquired lock"). ' +
        'Call it inside `with built:` (or `with lk:`, the lock it is built on).',
    ]);
    expect(findings.map((f) => f.fix)).toEqual([undefined, undefined]);
  });
});
