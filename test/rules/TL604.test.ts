import { lint, positions } from '../helpers/lint.js';

const ft = { select: ['TL604'], config: { profile: 'free-threading' as const } };

describe('TL604 gil-reliance', () => {
  test.each([
    ['import sys\nsys.setswitchinterval(0.0001)\n', ['2:1 TL604']],
    ['from sys import setswitchinterval\ndef tune():\n    setswitchinterval(1)\n', ['3:5 TL604']],
    // a comment that names the GIL as the guard, on or above shared state
    ['class A:\n    def hit(self):\n        self.n += 1  # atomic thanks to the GIL\n', ['3:9 TL604']],
    ['_q = []\ndef put(x):\n    # the GIL protects this append\n    _q.append(x)\n', ['4:5 TL604']],
    ['n = 0\ndef inc():\n    global n\n    # safe without a lock because of the GIL\n    n += 1\n', ['5:5 TL604']],
    ['_d = {}\ndef put(k):\n    _d[k] = 1  # relies on the GIL\n', ['3:5 TL604']],
    // not reliance: releasing it, C-level holding, locals, locked code, the GIL itself being discussed
    ['def f(c, d):\n    # the codec releases the GIL while it runs\n    return c.run(d)\n', []],
    ['_d = {}\ndef put(k):\n    _d[k] = 1  # not atomic without the GIL: see the lock below\n', []],
    ['def f(xs):\n    # the GIL protects nothing: `t` is local\n    t = 0\n    for x in xs:\n        t += x\n    return t\n', []],
    ['import threading\n_l = threading.Lock()\n_d = {}\ndef put(k):\n    with _l:\n        _d[k] = 1  # the GIL made this safe before; now the lock does\n', []],
    ['_d = {}\ndef put(k):\n    _d[k] = 1  # free-threaded builds have no GIL to make this safe\n', []],
    ['# GIL: global interpreter lock\nx = 1\n', []],
  ])('%j', async (source, expected) => {
    expect(positions(await lint(source, ft))).toEqual(expected);
  });

  test('tests may tune the switch interval to provoke races', async () => {
    expect(await lint('import sys\nsys.setswitchinterval(1e-6)\n', { ...ft, path: 'tests/test_race.py' })).toEqual([]);
  });

  test('the message quotes the comment', async () => {
    const [f] = await lint('_q = []\ndef put(x):\n    _q.append(x)  # thread-safe because of the GIL\n', ft);
    expect(f.message).toBe(
      'The comment "thread-safe because of the GIL" relies on the GIL, and `_q.append(x)` touches shared state with no lock: on free-threaded Python nothing serialises it. Guard it with a lock (or make it per thread).',
    );
  });
});
