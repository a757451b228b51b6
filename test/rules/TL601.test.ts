import { lint, positions, py } from '../helpers/lint.js';

const ft = { select: ['TL601'], config: { profile: 'free-threading' as const } };

describe('TL601 shared-mutable-global', () => {
  test.each([
    // a test, then the act that relies on it
    ['_seen = []\ndef add(x):\n    if x not in _seen:\n        _seen.append(x)\n', ['4:9 TL601']],
    ['_h = {}\ndef drop(k):\n    if k in _h:\n        del _h[k]\n', ['4:9 TL601']],
    ['_done = {}\ndef upgrade(obj):\n    if id(obj) not in _done:\n        _done[id(obj)] = True\n        obj.upgrade()\n', ['4:9 TL601']],
    ['_h = {}\ndef take(k):\n    if k in _h:\n        return _h.pop(k)\n', ['4:16 TL601']],
    // a stale test that only costs work twice, or an idempotent act
    ['_h = {}\ndef put(k, v):\n    if _h.get(k) is None:\n        _h[k] = v\n', []],
    ['_s = set()\ndef warn_once(k):\n    if k in _s:\n        return\n    _s.add(k)\n    print(k)\n', []],
    ['_h = {}\ndef drop(k):\n    if k in _h:\n        _h.pop(k, None)\n', []],
    ['import collections\n_h = collections.OrderedDict()\ndef trim():\n    if len(_h) > 10:\n        _h.popitem(last=False)\n', []],
    // removed while another call relies on the entry it just tested or stored
    ['_h = {}\ndef get(k, f):\n    if k not in _h:\n        _h[k] = f(k)\n    return _h[k]\ndef reset():\n    _h.clear()\n', ['7:5 TL601']],
    // read, change, write back
    ['_n = {"a": 0}\ndef hit(k):\n    _n[k] += 1\n', ['3:5 TL601']],
    ['_n = {}\ndef hit(k):\n    _n[k] = _n.get(k, 0) + 1\n', ['3:5 TL601']],
    ['from collections import defaultdict\n_n = defaultdict(int)\ndef hit(k):\n    _n[k] += 1\n', ['4:5 TL601']],
    // iterated elsewhere while its size changes
    ['_h = {}\ndef on(k, f):\n    _h[k] = f\ndef fire():\n    for f in _h.values():\n        f()\n', ['3:5 TL601']],
    ['_s = set()\ndef watch(p):\n    _s.add(p)\ndef scan():\n    return [p for p in _s]\n', ['3:5 TL601']],
    ['_l = []\ndef forget(x):\n    _l.remove(x)\ndef each():\n    for x in _l:\n        print(x)\n', ['3:5 TL601']],
    // changed under a lock elsewhere, not here
    ['import threading\n_lock = threading.Lock()\n_s = set()\ndef a(x):\n    with _lock:\n        _s.add(x)\ndef b(x):\n    _s.discard(x)\n', ['8:5 TL601']],
    // one report per function and container
    ['_n = {}\ndef hit(k):\n    _n[k] += 1\n    _n[k] += 2\n', ['3:5 TL601']],
    // a lone atomic operation: nothing to race with
    ['_l = []\ndef add(x):\n    _l.append(x)\n', []],
    ['_h = {}\ndef put(k, v):\n    _h[k] = v\ndef get(k):\n    return _h.get(k)\n', []],
    // appending to a list does not break another thread's loop over it
    ['_l = []\ndef add(x):\n    _l.append(x)\ndef each():\n    for x in _l:\n        print(x)\n', []],
    // import time, start-up, registration
    ['_h = {}\nif "a" not in _h:\n    _h["a"] = 1\n', []],
    ['_h = {}\ndef _init():\n    if "a" not in _h:\n        _h["a"] = 1\n_init()\n', []],
    ['_h = {}\ndef register(name):\n    if name not in _h:\n        _h[name] = 1\n', []],
    ['_h = {}\ndef plugin(fn):\n    if fn not in _h:\n        _h[fn] = 1\n    return fn\n@plugin\ndef a():\n    pass\n', []],
    ['_h = {}\nclass B:\n    def __init_subclass__(cls):\n        if cls not in _h:\n            _h[cls] = 1\n', []],
    ['_h = {}\ndef main():\n    if "a" not in _h:\n        _h["a"] = 1\n', []],
    ['_h = {}\ndef go():\n    if "a" not in _h:\n        _h["a"] = 1\nif __name__ == "__main__":\n    go()\n', ['4:9 TL601']],
    // behind one lock, per thread, per context, per call
    ['import threading\n_lock = threading.Lock()\n_h = {}\ndef put(k):\n    with _lock:\n        if k not in _h:\n            _h[k] = 1\n', []],
    ['import threading\n_local = threading.local()\ndef put(k):\n    if not hasattr(_local, "h"):\n        _local.h = {}\n    _local.h[k] = 1\n', []],
    ['import contextvars\n_v = contextvars.ContextVar("v", default=None)\ndef put(k):\n    if _v.get() is None:\n        _v.set(k)\n', []],
    ['def count(items):\n    seen = {}\n    for i in items:\n        if i not in seen:\n            seen[i] = 0\n        seen[i] += 1\n', []],
    // caches are TL605's; scripts are not libraries
    ['_cache = {}\ndef get(k, f):\n    if k not in _cache:\n        _cache[k] = f(k)\n    return _cache[k]\n', []],
  ])('%j', async (source, expected) => {
    expect(positions(await lint(source, ft))).toEqual(expected);
  });

  test('scripts are not importable modules', async () => {
    const source = '_h = {}\ndef put(k):\n    if k not in _h:\n        _h[k] = 1\n';
    expect(positions(await lint(source, { ...ft, path: 'pkg/__main__.py' }))).toEqual([]);
    expect(positions(await lint(source, { ...ft, path: 'pkg/mod.py' }))).toEqual(['4:9 TL601']);
  });

  test('off without the profile', async () => {
    expect(await lint('_n = {}\ndef hit(k):\n    _n[k] += 1\n', { select: ['TL601'] })).toEqual([]);
  });

  test('the message names the container, the hazard and the other line', async () => {
    const source = py`
      import threading
      _lock = threading.Lock()
      _handlers = {}
      def on(name, fn):
          with _lock:
              _handlers[name] = fn
      def off(name):
          _handlers.pop(name, None)
    `;
    const [finding] = await lint(source, ft);
    expect(finding.message).toBe(
      '`_handlers.pop(name, None)` changes the module-level dict `_handlers` with no lock held, and `_handlers` is changed under `with _lock:` (line 5) elsewhere, but not here: the lock protects nothing while this change can run beside the locked one. Guard every access with one module lock, or keep the state per thread (`threading.local()`) or per call.',
    );
    expect(finding.fix).toBeUndefined();
  });
});
