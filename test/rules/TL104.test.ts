import { applyFix, lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL104'] };

describe('TL104 unsynchronized-shared-mutation', () => {
  test.each([
    // Module global through `global`, many threads via a pool opened with `with … as ex`.
    [py`
      from concurrent.futures import ThreadPoolExecutor
      n = 0
      def work():
          global n
          n += 1
      with ThreadPoolExecutor() as ex:
          ex.submit(work)
    `, ['5:5 TL104']],
    // `import threading as th`, thread targets created in a loop, `x = x + …`.
    [py`
      import threading as th
      total = 0
      def add(k):
          global total
          total = total + k
      for i in range(3):
          th.Thread(target=add, args=(i,)).start()
    `, ['5:5 TL104']],
    // `functools.partial` target started twice by one function.
    [py`
      import functools
      from threading import Thread
      hits = {"a": 0}
      def bump(key):
          hits[key] += 1
      def main():
          Thread(target=functools.partial(bump, "a")).start()
          Thread(target=functools.partial(bump, "a")).start()
    `, ['5:5 TL104']],
    // A lambda target reaches the function it calls.
    [py`
      import threading
      count = 0
      def tick():
          global count
          count -= 1
      for _ in range(2):
          threading.Thread(target=lambda: tick()).start()
    `, ['5:5 TL104']],
    // Thread subclass `run` against another writer of the same global.
    [py`
      import threading
      seen = 0
      class Watcher(threading.Thread):
          def run(self):
              global seen
              seen += 1
      def forget():
          global seen
          seen -= 1
    `, ['6:9 TL104']],
    // Inconsistent locking with `from threading import Lock as L`.
    [py`
      from threading import Lock as L
      class Account:
          def __init__(self):
              self.guard = L()
              self.balance = 0
          def deposit(self, x):
              with self.guard:
                  self.balance += x
          def withdraw(self, x):
              self.balance -= x
    `, ['10:9 TL104']],
    // Attribute of a module-level object.
    [py`
      import threading
      from concurrent.futures import ThreadPoolExecutor
      class State: pass
      state = State()
      state.done = 0
      def finish():
          state.done += 1
      pool = ThreadPoolExecutor()
      pool.map(finish, [])
    `, ['7:5 TL104']],
    // Guarded by `with`, by acquire/try/finally, helper under the lock, `_locked` name.
    [py`
      import threading
      n = 0
      lock = threading.Lock()
      def a():
          global n
          with lock:
              n += 1
      def b():
          global n
          lock.acquire()
          try:
              n += 1
          finally:
              lock.release()
      def _c():
          global n
          n += 1
      def c():
          with lock:
              _c()
      def d_locked():
          global n
          n += 1
      for _ in range(2):
          threading.Thread(target=a).start()
          threading.Thread(target=b).start()
          threading.Thread(target=c).start()
          threading.Thread(target=d_locked).start()
    `, []],
    // A lock of unknown type (a parameter, `_thread.allocate_lock()`) still counts as held.
    [py`
      import threading, _thread
      class S:
          def __init__(self):
              self._mutex = _thread.allocate_lock()
              self.n = 0
          def step(self):
              with self._mutex:
                  self.n += 1
          def go(self):
              for _ in range(2):
                  threading.Thread(target=self.step).start()
    `, []],
    // Construction, locals, unknown objects, single thread with no other writer.
    [py`
      import threading
      class Job:
          def __init__(self):
              self.lock = threading.Lock()
              self.runs = 0
              self.runs += 1
          def once(self, other):
              local = 0
              local += 1
              other.count += 1
              self.runs += 1
          def start(self):
              threading.Thread(target=self.once).start()
    `, []],
    // ProcessPoolExecutor: each process has its own globals.
    [py`
      from concurrent.futures import ProcessPoolExecutor
      n = 0
      def work(x):
          global n
          n += x
      with ProcessPoolExecutor() as ex:
          ex.map(work, [1, 2])
    `, []],
    // asyncio.Lock and coroutines are out of scope.
    [py`
      import asyncio, threading
      class C:
          def __init__(self):
              self.lock = asyncio.Lock()
              self.v = 0
          async def up(self):
              async with self.lock:
                  self.v += 1
          def down(self):
              self.v -= 1
    `, []],
    // Suppressed.
    [py`
      import threading
      n = 0
      def work():
          global n
          n += 1  # threadlint: ignore[TL104]
      for _ in range(2):
          threading.Thread(target=work).start()
    `, []],
  ])('%s', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('a module global: message and `with <module lock>:` fix', async () => {
    const source = py`
      import threading
      from concurrent.futures import ThreadPoolExecutor
      processed = 0
      lock = threading.Lock()
      def handle(item):
          global processed
          processed += 1
      with ThreadPoolExecutor() as pool:
          pool.map(handle, [1, 2])
    `;
    const [finding] = await lint(source, only);
    expect(finding.message).toBe(
      '`processed += 1` reads `processed`, changes it and writes it back with no lock held, and `handle` runs on several threads at once ' +
        '(submitted to an executor at line 9): two threads can read the same old value and one update is lost. Hold a lock around it (`with lock:`).',
    );
    expect(finding.fix?.description).toBe('Hold `lock` around the update');
    expect(applyFix(source, finding)).toBe(py`
      import threading
      from concurrent.futures import ThreadPoolExecutor
      processed = 0
      lock = threading.Lock()
      def handle(item):
          global processed
          with lock:
              processed += 1
      with ThreadPoolExecutor() as pool:
          pool.map(handle, [1, 2])
    `);
  });

  test("`self` state: the class's own lock, in the file's indentation (tabs)", async () => {
    const source = 'import threading\nclass Counter:\n\tdef __init__(self):\n\t\tself._lock = threading.RLock()\n\t\tself.n = 0\n\tdef inc(self):\n\t\twith self._lock:\n\t\t\tself.n += 1\n\tdef dec(self):\n\t\tself.n -= 1\n';
    const [finding] = await lint(source, only);
    expect(positions([finding])).toEqual(['10:3 TL104']);
    expect(finding.message).toContain('although `inc` changes it under a lock (line 8), so other threads use it too');
    expect(applyFix(source, finding)).toBe(
      'import threading\nclass Counter:\n\tdef __init__(self):\n\t\tself._lock = threading.RLock()\n\t\tself.n = 0\n\tdef inc(self):\n\t\twith self._lock:\n\t\t\tself.n += 1\n\tdef dec(self):\n\t\twith self._lock:\n\t\t\tself.n -= 1\n',
    );
  });

  test('a `nonlocal` counter in a nested target, fixed with the module lock', async () => {
    const source = py`
      import threading
      guard = threading.Lock()
      def fan_out(jobs):
          done = 0
          def worker():
              nonlocal done
              done += 1
          for _ in jobs:
              threading.Thread(target=worker).start()
    `;
    const [finding] = await lint(source, only);
    expect(positions([finding])).toEqual(['7:9 TL104']);
    expect(applyFix(source, finding)).toContain('        nonlocal done\n        with guard:\n            done += 1\n');
  });

  test('no fix with two candidate locks or none, or when the line holds more code', async () => {
    const twoLocks = py`
      import threading
      a = threading.Lock()
      b = threading.Lock()
      n = 0
      def work():
          global n
          n += 1
      for _ in range(2):
          threading.Thread(target=work).start()
    `;
    const sameLine = py`
      import threading
      a = threading.Lock()
      n = 0
      m = 0
      def work():
          global n, m
          n += 1; m = 2
      for _ in range(2):
          threading.Thread(target=work).start()
    `;
    const [first] = await lint(twoLocks, only);
    const [second] = await lint(sameLine, only);
    expect([first.fix, second.fix]).toEqual([undefined, undefined]);
    expect(first.message.endsWith('Hold a lock around it.')).toBe(true);
  });
});

test('closure counters of alternative wrappers are not "inconsistently locked" (functools.lru_cache shape)', async () => {
  const source = [
    'from threading import RLock',
    'def cache(fn, maxsize):',
    '    hits = 0',
    '    lock = RLock()',
    '    if maxsize is None:',
    '        def wrapper(*args):',
    '            nonlocal hits',
    '            hits += 1',
    '            return fn(*args)',
    '    else:',
    '        def wrapper(*args):',
    '            nonlocal hits',
    '            with lock:',
    '                hits += 1',
    '            return fn(*args)',
    '    return wrapper',
    '',
  ].join('\n');
  expect(positions(await lint(source, { select: ['TL104'] }))).toEqual([]);
});
