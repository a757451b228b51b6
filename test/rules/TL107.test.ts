import { analyze } from '../../src/lint/analyze.js';
import { applyEdits } from '../../src/engine/edits.js';
import { DEFAULT_CONFIG, type SourceFile } from '../../src/engine/types.js';
import { lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL107'] };

async function project(files: SourceFile[]) {
  const result = await analyze(files, { config: DEFAULT_CONFIG, select: ['TL107'] });
  return result.findings.map((f) => `${f.path}:${f.line}:${f.column}`);
}

const BASE = py`
  import threading


  class BasePool:
      """Connections by key, shared by request threads."""

      def __init__(self):
          self._lock = threading.Lock()
          self._conns = {}

      def checkout(self, key):
          with self._lock:
              conn = self._conns.pop(key, None)
              if conn is None:
                  conn = self._conns.setdefault(key, object())
          return conn
`;

const SUB = py`
  from pools.base import BasePool


  class TimedPool(BasePool):
      def expire(self):
          self._conns.clear()

      def expire_locked(self):
          with self._lock:
              self._conns.clear()
`;

describe('TL107 inconsistent-locking', () => {
  test.each([
    // A check-then-insert under the lock, a pop elsewhere without it.
    [py`
      import threading
      class Registry:
          def __init__(self):
              self._lock = threading.Lock()
              self._items = {}
          def add(self, key, value):
              with self._lock:
                  if key in self._items:
                      raise KeyError(key)
                  self._items[key] = value
          def discard(self, key):
              self._items.pop(key, None)
    `, ['12:9 TL107']],
    // acquire()/release() holds count; a del without them is flagged.
    [py`
      import threading
      class Jobs:
          def __init__(self):
              self._mutex = threading.RLock()
              self._jobs = []
          def take(self):
              self._mutex.acquire()
              try:
                  return self._jobs.pop() if self._jobs else None
              finally:
                  self._mutex.release()
          def drop(self, i):
              del self._jobs[i]
    `, ['13:9 TL107']],
    // A lone locked insert guards nothing a lone unlocked pop breaks; reads alone; construction.
    [py`
      import threading
      class Cache:
          def __init__(self):
              self._lock = threading.Lock()
              self._d = {}
              self._d["warm"] = 1
          def put(self, k, v):
              with self._lock:
                  self._d[k] = v
          def evict(self, k):
              self._d.pop(k, None)
          def get(self, k):
              return self._d.get(k)
    `, []],
    // A helper every caller calls with the lock held, and a Condition built on the lock.
    [py`
      import threading
      class Book:
          def __init__(self):
              self._lock = threading.Lock()
              self._cond = threading.Condition(self._lock)
              self._orders = {}
          def place(self, oid, o):
              with self._lock:
                  self._insert(oid, o)
          def amend(self, oid, o):
              with self._cond:
                  self._orders.pop(oid, None)
                  self._orders[oid] = o
          def _insert(self, oid, o):
              if oid in self._orders:
                  raise KeyError(oid)
              self._orders[oid] = o
    `, []],
    // Declared state: even a plain rebinding breaks the declared discipline.
    [py`
      import threading
      class Timers:
          def __init__(self):
              self._lock = threading.Lock()
              self._timers = {}  # guarded by self._lock
          def reset(self):
              self._timers = {}
          def add(self, name, t):
              with self._lock:
                  self._timers[name] = t
    `, ['7:9 TL107']],
    // Queues and deques are safe by type; a lock passed in could be any lock.
    [py`
      import collections, queue, threading
      class Pipe:
          def __init__(self):
              self._lock = threading.Lock()
              self._q = queue.Queue()
              self._recent = collections.deque()
              self._seen = []
          def push(self, x):
              with self._lock:
                  self._recent.append(x)
                  self._recent.popleft()
                  self._seen.append(x)
                  self._seen.sort()
          def fast(self, x):
              self._recent.append(x)
              self._q.put(x)
          def under(self, lock, x):
              with lock:
                  self._seen.append(x)
    `, []],
  ])('%s', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('the message names the lock and where it is held, and the fix wraps the statement', async () => {
    const source = py`
      import threading
      class Registry:
          def __init__(self):
              self._lock = threading.Lock()
              self._items = {}
          def add(self, key, value):
              with self._lock:
                  if key in self._items:
                      raise KeyError(key)
                  self._items[key] = value
          def discard(self, key):
              self._items.pop(key, None)
    `;
    const [finding] = await lint(source, { ...only, path: 'pkg/registry.py' });
    expect(finding.message).toBe(
      'This `pop()` changes `self._items` without `self._lock`, the lock that guards it (held at line 10); ' +
        '`Registry` creates a lock (`self._lock`, line 4), so another thread can run the locked code at the same time and see a half-done change or lose this one. Hold `self._lock` here.',
    );
    const fixed = applyEdits(source, finding.fix!.edits);
    expect(fixed).toContain('    def discard(self, key):\n        with self._lock:\n            self._items.pop(key, None)\n');
    expect(await lint(fixed, { path: 'pkg/registry.py' })).toEqual([]);
  });

  test('no fix when a caller holds a lock or the statement calls code that takes one', async () => {
    const source = py`
      import threading
      class Registry:
          def __init__(self):
              self._lock = threading.Lock()
              self._items = {}
          def add(self, key, value):
              with self._lock:
                  if key in self._items:
                      raise KeyError(key)
                  self._items[key] = value
          def discard(self, key):
              self._items.pop(self._key(key), None)
          def _key(self, key):
              with self._lock:
                  return key
    `;
    const findings = await lint(source, only);
    expect(positions(findings)).toEqual(['12:9 TL107']);
    expect(findings[0].fix).toBeUndefined();
  });

  test('a subclass in another module that clears base-class state without the base lock', async () => {
    expect(await project([{ path: 'pools/base.py', content: BASE }, { path: 'pools/timed.py', content: SUB }])).toEqual(['pools/timed.py:6:9']);
    // Alone, the subclass shows no lock discipline to break.
    expect(await project([{ path: 'pools/timed.py', content: SUB }])).toEqual([]);
  });

  test('a lock held only by a subclass does not bind the base class', async () => {
    const base = py`
      # Not thread-safe: subclasses that share it add a lock.
      class Channels:
          def __init__(self):
              self.pending = set()
          def on_connect(self):
              self.pending.clear()
    `;
    const sub = py`
      import threading
      from chans.base import Channels
      class LockedChannels(Channels):
          def __init__(self):
              super().__init__()
              self._lock = threading.Lock()
          def drop(self, c):
              with self._lock:
                  if c in self.pending:
                      self.pending.remove(c)
          def reset(self):
              self.pending.clear()
    `;
    expect(await project([{ path: 'chans/base.py', content: base }, { path: 'chans/locked.py', content: sub }])).toEqual(['chans/locked.py:12:9']);
  });

  test('a module registry guarded in one file and changed from another (relative and absolute imports)', async () => {
    const registry = py`
      import threading
      REGISTRY = {}
      registry_lock = threading.Lock()
      def register(name, h):
          with registry_lock:
              if name in REGISTRY:
                  raise ValueError(name)
              REGISTRY[name] = h
    `;
    const relative = py`
      from .registry import REGISTRY, registry_lock
      def forget(name):
          REGISTRY.pop(name, None)
    `;
    const absolute = py`
      import app.registry
      def forget(name):
          app.registry.REGISTRY.pop(name, None)
      def known():
          with app.registry.registry_lock:
              return list(app.registry.REGISTRY)
    `;
    expect(await project([{ path: 'app/registry.py', content: registry }, { path: 'app/plugins.py', content: relative }])).toEqual(['app/plugins.py:3:5']);
    expect(await project([{ path: 'app/registry.py', content: registry }, { path: 'app/plugins.py', content: absolute }])).toEqual(['app/plugins.py:3:5']);
  });
});
