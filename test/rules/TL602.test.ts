import { lint, positions } from '../helpers/lint.js';

const ft = { select: ['TL602'], config: { profile: 'free-threading' as const } };

describe('TL602 shared-iterator', () => {
  test.each([
    // a module-level generator read by library functions
    ['def _gen():\n    yield 1\n_g = _gen()\ndef take():\n    return next(_g)\n', ['5:12 TL602']],
    ['_g = (i for i in range(10))\ndef take():\n    for x in _g:\n        return x\n', ['3:5 TL602']],
    ['import itertools\n_c = itertools.cycle("ab")\ndef take():\n    return next(_c)\n', ['4:12 TL602']],
    ['_it = iter([1, 2, 3])\ndef take():\n    return _it.__next__()\n', ['3:12 TL602']],
    // a closure's iterator read by a target started several times
    ['import threading\ndef run(xs):\n    it = iter(xs)\n    def w():\n        for x in it:\n            print(x)\n    for _ in range(3):\n        threading.Thread(target=w).start()\n', ['5:9 TL602']],
    ['from concurrent.futures import ThreadPoolExecutor\ndef run(xs):\n    it = iter(xs)\n    def w():\n        return next(it)\n    with ThreadPoolExecutor() as ex:\n        ex.submit(w)\n', ['5:16 TL602']],
    // one iterator passed to every thread or task
    ['import threading\ndef w(it):\n    for x in it:\n        print(x)\ndef run(xs):\n    it = iter(xs)\n    for _ in range(3):\n        threading.Thread(target=w, args=(it,)).start()\n', ['3:5 TL602']],
    ['from concurrent.futures import ThreadPoolExecutor\ndef w(it):\n    return next(it)\ndef run(xs):\n    it = iter(xs)\n    with ThreadPoolExecutor() as ex:\n        for _ in range(3):\n            ex.submit(w, it)\n', ['3:12 TL602']],
    ['import itertools\nfrom concurrent.futures import ThreadPoolExecutor\ndef w(it):\n    return next(it)\ndef run(xs):\n    it = iter(xs)\n    with ThreadPoolExecutor() as ex:\n        return list(ex.map(w, itertools.repeat(it, 4)))\n', ['4:12 TL602']],
    // thread-safe counters, one iterator per thread, a queue, one thread
    ['import itertools\n_c = itertools.count()\ndef take():\n    return next(_c)\n', []],
    ['import threading\ndef w(it):\n    for x in it:\n        print(x)\ndef run(rows):\n    for row in rows:\n        it = iter(row)\n        threading.Thread(target=w, args=(it,)).start()\n', []],
    ['import threading\ndef run(xs):\n    it = iter(xs)\n    def w():\n        for x in it:\n            print(x)\n    threading.Thread(target=w).start()\n', []],
    ['_items = [1, 2]\ndef each():\n    for x in _items:\n        print(x)\n', []],
    ['def _gen():\n    yield 1\n_g = _gen()\nfor x in _g:\n    print(x)\n', []],
    ['from concurrent.futures import ProcessPoolExecutor\ndef w(it):\n    return next(it)\ndef run(xs):\n    it = iter(xs)\n    with ProcessPoolExecutor() as ex:\n        for _ in range(3):\n            ex.submit(w, it)\n', []],
  ])('%j', async (source, expected) => {
    expect(positions(await lint(source, ft))).toEqual(expected);
  });

  test('a loop is reported on its header, and the message says what breaks', async () => {
    const source = 'def _gen():\n    yield 1\n_g = _gen()\ndef drain():\n    for x in _g:\n        print(x)\n';
    const [f] = await lint(source, ft);
    expect([f.line, f.column, f.endLine, f.endColumn]).toEqual([5, 5, 5, 16]);
    expect(f.message).toBe(
      '`for x in _g` consumes the module-level generator `_g`, and `drain` may run on several threads at once: threads that resume one iterator together get `ValueError: generator already executing`, or items lost. Give each thread its own iterator, or hand the items out through a `queue.Queue`.',
    );
  });

  test('off without the profile', async () => {
    expect(await lint('def _gen():\n    yield 1\n_g = _gen()\ndef take():\n    return next(_g)\n', { select: ['TL602'] })).toEqual([]);
  });
});
