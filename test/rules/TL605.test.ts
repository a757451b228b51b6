import { applyFix, lint, positions, py } from '../helpers/lint.js';

const ft = { select: ['TL605'], config: { profile: 'free-threading' as const } };

describe('TL605 unsynchronized-cache', () => {
  test.each([
    // cachetools decorators without lock=
    ['from cachetools import cached, LRUCache\n@cached(LRUCache(10))\ndef f(x):\n    return x\n', ['2:2 TL605']],
    ['import cachetools\n@cachetools.cached(cache={})\ndef f(x):\n    return x\n', ['2:2 TL605']],
    ['import cachetools, operator\nclass A:\n    @cachetools.cachedmethod(operator.attrgetter("c"))\n    def f(self, x):\n        return x\n', ['3:6 TL605']],
    // module-level cachetools caches used directly
    ['import cachetools\n_c = cachetools.TTLCache(10, 60)\ndef get(k):\n    return _c.get(k)\n', ['4:12 TL605']],
    ['from cachetools import LRUCache\n_c = LRUCache(10)\ndef put(k, v):\n    _c[k] = v\n    _c[k + 1] = v\n', ['4:5 TL605']],
    // hand-rolled caches evicted, filled after a test, or updated
    ['_cache = {}\ndef get(k, f):\n    if k not in _cache:\n        _cache[k] = f(k)\n    return _cache[k]\ndef reset():\n    _cache.clear()\n', ['7:5 TL605']],
    ['_memo = {}\ndef get(k, f):\n    if len(_memo) > 100:\n        _memo.clear()\n    if k not in _memo:\n        _memo[k] = f(k)\n    return _memo[k]\n', ['4:9 TL605']],
    ['_cache = {}\ndef hit(k):\n    _cache[k] = _cache.get(k, 0) + 1\n', ['3:5 TL605']],
    // a memo filled twice costs work, not correctness; a read that tolerates a miss
    ['_cache = {}\ndef get(k, f):\n    if k not in _cache:\n        _cache[k] = f(k)\n    return _cache[k]\n', []],
    ['_cache = {}\ndef get(k, f):\n    try:\n        return _cache[k]\n    except KeyError:\n        if len(_cache) > 100:\n            _cache.clear()\n        _cache[k] = v = f(k)\n        return v\n', []],
    // locked, self-locking, per call, import time
    ['import threading\nfrom cachetools import cached, LRUCache\n@cached(LRUCache(10), lock=threading.RLock())\ndef f(x):\n    return x\n', []],
    ['import threading\nimport cachetools\n_l = threading.Lock()\n_c = cachetools.LRUCache(10)\ndef get(k):\n    with _l:\n        return _c.get(k)\n', []],
    ['import cachetools\n_c = cachetools.LRUCache(10)\n@cachetools.cached(_c, lock=_l)\ndef f(x):\n    return x\n', []],
    ['import functools\n@functools.lru_cache(maxsize=None)\ndef f(x):\n    return x\n', []],
    ['import cachetools.func\n@cachetools.func.lru_cache(maxsize=10)\ndef f(x):\n    return x\n', []],
    ['_cache = {}\ndef _fill():\n    if "a" not in _cache:\n        _cache["a"] = 1\n_fill()\n', []],
    ['def f(xs):\n    cache = {}\n    for x in xs:\n        if x not in cache:\n            cache[x] = x\n    return cache\n', []],
    ['_cache = {}\ndef put(k, v):\n    _cache[k] = v\n', []],
  ])('%j', async (source, expected) => {
    expect(positions(await lint(source, ft))).toEqual(expected);
  });

  test.each([
    [
      'a new Lock through the module import',
      py`
        import threading
        from cachetools import cached, LRUCache

        @cached(LRUCache(maxsize=10))
        def f(x):
            return x
      `,
      '@cached(LRUCache(maxsize=10), lock=threading.Lock())',
    ],
    [
      'the module’s one lock, when no caller holds it',
      py`
        from threading import RLock
        from cachetools import cached, LRUCache

        _lock = RLock()

        @cached(LRUCache(maxsize=10))
        def f(x):
            return x
      `,
      '@cached(LRUCache(maxsize=10), lock=_lock)',
    ],
    [
      'a new lock when a caller holds the module lock',
      py`
        from threading import Lock
        from cachetools import cached, LRUCache

        _lock = Lock()

        @cached(LRUCache(maxsize=10))
        def f(x):
            return x

        def g(x):
            with _lock:
                return f(x)
      `,
      '@cached(LRUCache(maxsize=10), lock=Lock())',
    ],
    [
      'an import added when threading is not imported',
      py`
        import cachetools

        @cachetools.cached(cache={})
        def f(x):
            return x
      `,
      'import cachetools\nimport threading\n\n@cachetools.cached(cache={}, lock=threading.Lock())',
    ],
  ])('fix: %s', async (_name, source, decorator) => {
    const findings = await lint(source, ft);
    expect(findings).toHaveLength(1);
    const fixed = applyFix(source, findings[0]);
    expect(fixed).toContain(decorator);
    // threading is imported exactly once, after the file's own imports when it was missing.
    expect(fixed.match(/^import threading$/gm)?.length ?? 0).toBe(source.includes('import threading') ? 1 : fixed.includes('lock=threading.') ? 1 : 0);
    expect(await lint(fixed, ft)).toEqual([]);
  });

  test('the message says why cachetools needs a lock', async () => {
    const [f] = await lint('from cachetools import cached, LRUCache\n@cached(LRUCache(10))\ndef f(x):\n    return x\n', ft);
    expect(f.message).toBe(
      '`cached(LRUCache(10))` shares one cache between every caller and gives it no lock: cachetools caches are not thread-safe, and parallel calls corrupt the cache\'s order or size bookkeeping. Pass `lock=` (`threading.Lock()`); cachetools then holds it only around cache access, not while the function runs.',
    );
  });
});
