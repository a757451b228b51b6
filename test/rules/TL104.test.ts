import { readFileSync } from 'node:fs';
import { analyze } from '../../src/lint/analyze.js';
import { DEFAULT_CONFIG } from '../../src/engine/types.js';
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

describe('one thread started once, concurrent with the code that started it', () => {
  test.each([
    // A bound method of an instance: the poller's own loop and `reset()` on the owner's thread.
    [py`
      import threading
      class Poller:
          def __init__(self):
              self.polls = 0
              self._stop = threading.Event()
          def poll(self):
              while not self._stop.is_set():
                  self.polls += 1
                  self._stop.wait(1.0)
          def reset(self):
              self.polls = 0
      poller = Poller()
      def main():
          threading.Thread(target=poller.poll, daemon=True).start()
    `, ['8:13 TL104']],
    // One target plus the main thread: both bump the global while the worker runs.
    [py`
      import threading
      counter = 0
      def worker():
          global counter
          for _ in range(1000):
              counter += 1
      def main():
          global counter
          t = threading.Thread(target=worker)
          t.start()
          for _ in range(1000):
              counter += 1
          t.join()
    `, ['6:9 TL104']],
    // A metrics counter bumped in a done-callback added to many futures.
    [py`
      from concurrent.futures import ThreadPoolExecutor
      completed = 0
      def _count(fut):
          global completed
          completed += 1
      def fetch_all(urls, fetch):
          with ThreadPoolExecutor(max_workers=8) as pool:
              for url in urls:
                  pool.submit(fetch, url).add_done_callback(_count)
    `, ['5:5 TL104']],
    // A threading HTTP server: a module-level hit counter in `do_GET`.
    [py`
      from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
      hits = 0
      class Api(BaseHTTPRequestHandler):
          def do_GET(self):
              global hits
              hits += 1
              self.send_response(200)
      def serve():
          ThreadingHTTPServer(("", 8000), Api).serve_forever()
    `, ['6:9 TL104']],
    // A target passed on through a parameter; `stats()` resets what it counts.
    [py`
      import threading
      drained = 0
      def spawn(fn, name):
          t = threading.Thread(target=fn, name=name, daemon=True)
          t.start()
          return t
      def drain():
          global drained
          drained += 1
      def stats():
          global drained
          drained = 0
      def main():
          spawn(drain, "drain")
    `, ['9:5 TL104']],
    // The constructor starts the writer thread, then initialises the counter the thread bumps.
    [py`
      import threading
      class SqliteWriter:
          def __init__(self, path):
              self.path = path
              self._stop = threading.Event()
              self._thread = threading.Thread(target=self._write_loop, daemon=True)
              self._thread.start()
              self.num_frames = 0
          def _write_loop(self):
              while not self._stop.is_set():
                  self.num_frames += 1
    `, ['11:13 TL104']],
  ])('%s', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test.each([
    // A counter private to one run(): the owner resets it only after join().
    [py`
      import threading
      class Scanner:
          def __init__(self, paths):
              self.paths = paths
              self.seen = 0
              self._thread = None
          def _scan(self):
              for _ in self.paths:
                  self.seen += 1
          def scan(self):
              self.seen = 0
              self._thread = threading.Thread(target=self._scan)
              self._thread.start()
              self._thread.join()
              total = self.seen
              self.seen = 0
              return total
    `],
    // State touched only before start(), and read (never written) while the thread runs.
    [py`
      import threading
      progress = 0
      def work(items):
          global progress
          for _ in items:
              progress += 1
      def main(items):
          global progress
          progress = 0
          t = threading.Thread(target=work, args=(items,))
          t.start()
          while t.is_alive():
              print(progress)
              t.join(0.5)
    `],
    // The module's own initial value is written at import, before any thread starts.
    [py`
      import threading
      ticks = 0
      class Ticker(threading.Thread):
          def run(self):
              global ticks
              ticks += 1
    `],
    // A pool's `with` block ends before the owner writes.
    [py`
      from concurrent.futures import ThreadPoolExecutor
      done = 0
      def _one(fut):
          global done
          done += 1
      def run(job):
          global done
          with ThreadPoolExecutor() as pool:
              pool.submit(job).add_done_callback(_one)
          done = 0
    `],
    // One instance per thread (made in the loop), one handler instance per request.
    [py`
      import socketserver, threading
      class Poller:
          def __init__(self, host):
              self.host = host
              self.polls = 0
          def poll(self):
              self.polls += 1
          def reset(self):
              self.polls = 0
      class Echo(socketserver.StreamRequestHandler):
          def handle(self):
              self.lines = 0
              for _ in self.rfile:
                  self.lines += 1
      def main(hosts):
          for host in hosts:
              p = Poller(host)
              threading.Thread(target=p.poll).start()
          socketserver.ThreadingTCPServer(("", 9000), Echo).serve_forever()
    `],
    // Not parallelism: a signal handler, a logging handler's emit (called under the handler's lock), a finalizer.
    [py`
      import logging, signal, threading
      reloads = 0
      class Counting(logging.Handler):
          def __init__(self):
              super().__init__()
              self.count = 0
          def emit(self, record):
              self.count += 1
          def reset(self):
              self.count = 0
      def on_hup(signum, frame):
          global reloads
          reloads += 1
      def reset():
          global reloads
          reloads = 0
      signal.signal(signal.SIGHUP, on_hup)
    `],
    // An `add_done_callback` on a receiver the model cannot show to be a future.
    [py`
      import threading
      finished = 0
      def _done(result):
          global finished
          finished += 1
      def wait_all(handles):
          global finished
          for h in handles:
              h.add_done_callback(_done)
          finished = 0
    `],
  ])('%s', async (source) => {
    expect(positions(await lint(source, only))).toEqual([]);
  });

  test('the message names the thread and the other writer', async () => {
    const source = py`
      import threading
      counter = 0
      def worker():
          global counter
          counter += 1
      def main():
          global counter
          threading.Thread(target=worker).start()
          counter = 10
    `;
    const [finding] = await lint(source, only);
    expect(finding.message).toContain('and `worker` runs on a thread (line 8) while `main` changes it too (line 9)');
  });
});

describe('a thread target defined in another file of the run', () => {
  const ROOT = 'test/fixtures/projects/entries-ingest';
  const NAMES = ['ingest/__init__.py', 'ingest/service.py', 'ingest/stats.py', 'ingest/workers.py'];
  const files = () => NAMES.map((path) => ({ path, content: readFileSync(`${ROOT}/${path}`, 'utf8') }));

  test('flags the marked lines of the worker module, named by where the thread starts', async () => {
    const { findings } = await analyze(files(), { config: DEFAULT_CONFIG, select: ['TL104'] });
    const marked = files().flatMap((f) =>
      f.content.split('\n').flatMap((line, i) => (/# expect: TL104/.test(line) ? [`${f.path}:${i + 1}`] : [])),
    );
    expect(findings.map((f) => `${f.path}:${f.line}`)).toEqual(marked);
    expect(findings.map((f) => f.message)).toEqual([
      expect.stringContaining('and `drain` runs on a thread (started at ingest/service.py:17) while `reset_counters` changes it too (line 40)'),
      expect.stringContaining('and `sweep` runs on several threads at once (started in a loop or more than once at ingest/service.py:21)'),
    ]);
  });

  test('alone, the worker module says nothing: nothing in it starts a thread', async () => {
    const workers = files().filter((f) => f.path === 'ingest/workers.py');
    const { findings } = await analyze(workers, { config: DEFAULT_CONFIG, select: ['TL104'] });
    expect(findings).toEqual([]);
  });
});
