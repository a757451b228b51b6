import { lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL312'] };

/** A module lock `LOCK` (built by `ctor`) that `use` takes, and `rest` below. */
const mod = (rest: string, ctor = 'threading.Lock()') => `import threading, weakref, atexit\nLOCK = ${ctor}\ndef use():\n    with LOCK:\n        pass\n${rest}`;

describe('TL312 lock-in-finalizer', () => {
  test.each([
    // __del__, directly and through a same-class method; acquire() too.
    [mod('class H:\n    def __del__(self):\n        with LOCK:\n            pass\n'), ['8:14 TL312']],
    [mod('class H:\n    def __del__(self):\n        self.close()\n    def close(self):\n        LOCK.acquire()\n        LOCK.release()\n'), ['10:9 TL312']],
    // A weakref.finalize callback.
    [mod('def _done(p):\n    with LOCK:\n        pass\nclass T:\n    def __init__(self):\n        weakref.finalize(self, _done, 1)\n'), ['7:10 TL312']],
    // A class-level lock every instance shares.
    ['import threading\nclass C:\n    _lock = threading.Lock()\n    def touch(self):\n        with self._lock:\n            pass\n    def __del__(self):\n        with self._lock:\n            pass\n', ['8:14 TL312']],
    // Reentrant, per instance, a semaphore, a non-blocking acquire.
    [mod('class H:\n    def __del__(self):\n        with LOCK:\n            pass\n', 'threading.RLock()'), []],
    ['import threading\nclass C:\n    def __init__(self):\n        self._lock = threading.Lock()\n    def touch(self):\n        with self._lock:\n            pass\n    def __del__(self):\n        with self._lock:\n            pass\n', []],
    [mod('class H:\n    def __del__(self):\n        with LOCK:\n            pass\n', 'threading.Semaphore(2)'), []],
    [mod('class H:\n    def __del__(self):\n        if LOCK.acquire(False):\n            LOCK.release()\n'), []],
    // Only finalizers take the lock.
    ['import threading\nL = threading.Lock()\nclass H:\n    def __del__(self):\n        self._drop()\n    def _drop(self):\n        with L:\n            pass\n', []],
  ])('%#', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test.each([
    [
      'an atexit callback, when a thread takes the lock too',
      mod('def _flush():\n    with LOCK:\n        pass\natexit.register(_flush)\nthreading.Thread(target=use, daemon=True).start()\n'),
      ['7:10 TL312'],
    ],
    ['an atexit callback, when only main-thread code takes the lock', mod('def _flush():\n    with LOCK:\n        pass\natexit.register(_flush)\n'), []],
    [
      'a decorated atexit callback',
      mod('@atexit.register\ndef _flush():\n    with LOCK:\n        pass\nthreading.Thread(target=use).start()\n'),
      ['8:10 TL312'],
    ],
  ])('%s', async (_title, source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('the message names the finalizer, the lock and the ordinary code that takes it', async () => {
    const source = py`
      import threading
      _cache_lock = threading.Lock()
      _cache = {}
      def store(k, v):
          with _cache_lock:
              _cache[k] = v
      class Handle:
          def __del__(self):
              with _cache_lock:
                  _cache.pop(self, None)
    `;
    const [finding] = await lint(source, only);
    expect(finding.message).toBe(
      '`Handle.__del__` takes `_cache_lock`, a threading.Lock, and `store` also takes it (line 5): the collector runs the finalizer on whichever thread triggers a collection, possibly one that holds `_cache_lock` right then, and that thread then waits for itself forever. Use an RLock, or have the finalizer hand the work to a queue instead of locking.',
    );
    expect(finding.severity).toBe('warning');
  });
});
