import { applyFix, lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL202'] };

describe('TL202 sleep-polling', () => {
  test.each([
    ['import time\nwhile not ready:\n    time.sleep(0.1)\n', ['2:1 TL202']],
    ['import time as t\nwhile not ready:\n    t.sleep(0.1)\n', ['2:1 TL202']],
    ['from time import sleep\nwhile not ready:\n    sleep(0.1)\n', ['2:1 TL202']],
    ['from time import sleep as nap\nwhile not ready:\n    nap(0.1)\n', ['2:1 TL202']],
    ['import time\nwhile not ready:\n    pass\n    time.sleep(0.1)\n    continue\n', ['2:1 TL202']],
    ['import time\nwhile not done and tries > 0:\n    time.sleep(1)\n    tries -= 1\n', ['2:1 TL202']],
    ['import time\nclass C:\n  def f(self):\n    while len(self.results) < 3:\n        time.sleep(0.5)  # comment\n  def add(self, r):\n    self.results = self.results + [r]\n', ['4:5 TL202']],
    // Polling what no thread of this program assigns: a call's result, a property, another object's state.
    ['import time\nwhile proc.poll() is None:\n    time.sleep(0.1)\n', []],
    ['import time\nwhile not all(p.is_alive() for p in procs):\n    time.sleep(0.1)\n', []],
    ['import time\nwhile client.status(url) != 200:\n    time.sleep(1)\n', []],
    ['import time\nclass Port:\n  @property\n  def out_waiting(self):\n    return 0\n  def flush(self):\n    while self.out_waiting:\n      time.sleep(0.05)\n', []],
    ['import time\nwhile not future.done():\n    time.sleep(0.1)\n', []],
    ['import time\ndef f(flag):\n    while not flag:\n        time.sleep(0.1)\n', []],
    // Work in the body: a worker loop that sleeps between rounds.
    ['import time\nwhile not stop:\n    poll()\n    time.sleep(1)\n', []],
    ['import time\nwhile not ready:\n    x = check()\n    time.sleep(1)\n', []],
    // Keeping a thread alive, or a pure delay: nothing is polled.
    ['import time\nwhile True:\n    time.sleep(1)\n', []],
    ['import time\nwhile 1:\n    time.sleep(1)\n', []],
    ['import time\nwhile time.monotonic() < deadline:\n    time.sleep(0.1)\n', []],
    ['import time\nn = 0\nwhile n < 10:\n    time.sleep(0.1)\n    n += 1\n', []],
    // Not time.sleep.
    ['import asyncio\nasync def f():\n    while not ready:\n        await asyncio.sleep(1)\n', []],
    ['def sleep(s): pass\nwhile not ready:\n    sleep(1)\n', []],
    ['while not ready:\n    clock.sleep(1)\n', []],
    ['import time\nwhile not ready:\n    pass\n', []],
    ['import time\nwhile not ready:\n    time.sleep(1)  # threadlint: ignore[TL202]\n', ['2:1 TL202']],
    ['import time\nwhile not ready:  # threadlint: ignore[TL202]\n    time.sleep(1)\n', []],
  ])('%j', async (source, expected) => {
    // The flags the loops poll are state this program assigns (another thread sets them).
    expect(positions(await lint(`${source}\nready = done = False\ntries = 3\n`, only))).toEqual(expected);
  });

  test('the finding spans the while line and names the condition', async () => {
    const [f] = await lint('import time\nwhile not ready:\n    time.sleep(0.1)\nready = False\n', only);
    expect([f.line, f.column, f.endLine, f.endColumn]).toEqual([2, 1, 2, 16]);
    expect(f.message).toBe('`while not ready:` waits by sleeping; have the thread that makes the condition true set a `threading.Event` and `wait()` on it.');
    expect(f.fix).toBeUndefined();
  });

  test('polling a thread suggests join()', async () => {
    const [f] = await lint('import threading, time\nt = threading.Thread(target=f)\nt.start()\nwhile t.is_alive():\n    time.sleep(0.1)\n', only);
    expect(f.message).toBe('`while t.is_alive():` polls the thread with `time.sleep`; call `t.join()` (with a timeout) to wake as soon as it ends.');
  });

  test.each([
    ['import threading', 'threading.Event()'],
    ['import threading as th', 'th.Event()'],
    ['from threading import Event', 'Event()'],
    ['from threading import Event as E', 'E()'],
  ])('`not ev.is_set()` with %s becomes ev.wait()', async (imp, ctor) => {
    const source = `${imp}\nimport time\nev = ${ctor}\nwhile not ev.is_set():\n    time.sleep(0.1)\nprint("go")\n`;
    const [f] = await lint(source, only);
    expect(f.message).toBe('`while not ev.is_set():` polls `ev` with `time.sleep`; call `ev.wait()` (with a timeout) to wake as soon as it is set.');
    expect(applyFix(source, f)).toBe(`${imp}\nimport time\nev = ${ctor}\nev.wait()\nprint("go")\n`);
  });

  test('an Event on self keeps its receiver', async () => {
    const source = py`
      import threading
      import time

      class Worker:
          def __init__(self):
              self._ready = threading.Event()

          def wait_ready(self):
              while not self._ready.is_set():
                  time.sleep(0.05)
              return True
    `;
    const [f] = await lint(source, only);
    expect(applyFix(source, f)).toBe(source.replace('while not self._ready.is_set():\n            time.sleep(0.05)', 'self._ready.wait()'));
  });

  test.each([
    ['n = 0', 'not ev.is_set() and n < 50', '0.1', 'n += 1', 'ev.wait(timeout=5.0)'],
    ['n = 0', 'n < 50 and not ev.is_set()', '0.1', 'n += 1', 'ev.wait(timeout=5.0)'],
    ['n = 1', 'not ev.is_set() and n <= 3', '0.25', 'n += 1', 'ev.wait(timeout=0.75)'],
    ['tries = 10', 'not ev.is_set() and tries > 0', '2', 'tries -= 1', 'ev.wait(timeout=20.0)'],
    ['n = 0', 'not ev.is_set() and 30 > n', '1', 'n += 2', 'ev.wait(timeout=15.0)'],
    ['n = 0', 'not ev.is_set() and n < 7', '1', 'n += 2', 'ev.wait(timeout=4.0)'],
  ])('a bounded loop keeps its exact timeout: %s; while %s', async (init, cond, secs, update, expected) => {
    const source = `import threading, time\nev = threading.Event()\ndef wait_ready():\n    ${init}\n    while ${cond}:\n        time.sleep(${secs})\n        ${update}\n    return ev.is_set()\n`;
    const [f] = await lint(source, only);
    expect(applyFix(source, f)).toBe(`import threading, time\nev = threading.Event()\ndef wait_ready():\n    ${init}\n    ${expected}\n    return ev.is_set()\n`);
  });

  test.each([
    ['the counter is read after the loop', '    n = 0\n    while not ev.is_set() and n < 50:\n        time.sleep(0.1)\n        n += 1\n    return n\n'],
    ['the counter starts from a variable', '    n = start\n    while not ev.is_set() and n < 50:\n        time.sleep(0.1)\n        n += 1\n'],
    ['the bound is a variable', '    n = 0\n    while not ev.is_set() and n < limit:\n        time.sleep(0.1)\n        n += 1\n'],
    ['the sleep is a variable', '    n = 0\n    while not ev.is_set() and n < 50:\n        time.sleep(delay)\n        n += 1\n'],
    ['the counter runs the wrong way', '    n = 0\n    while not ev.is_set() and n < 50:\n        time.sleep(0.1)\n        n -= 1\n'],
    ['a continue may skip the count', '    n = 0\n    while not ev.is_set() and n < 50:\n        time.sleep(0.1)\n        n += 1\n        continue\n'],
    ['the loop has an else', '    while not ev.is_set():\n        time.sleep(0.1)\n    else:\n        print("set")\n'],
    ['a counter without a bound', '    n = 0\n    while not ev.is_set():\n        time.sleep(0.1)\n        n += 1\n'],
    ['another condition', '    while not ev.is_set() and not stopped:\n        time.sleep(0.1)\n'],
  ])('no fix when %s', async (_, body) => {
    const source = `import threading, time\nev = threading.Event()\ndef wait_ready():\n${body}stopped = False\n`;
    const findings = await lint(source, only);
    expect(positions(findings)).toEqual(['5:5 TL202'].map((p) => (body.startsWith('    while') ? '4:5 TL202' : p)));
    expect(findings[0].fix).toBeUndefined();
  });

  test('an unknown receiver is not flagged: its is_set() may be anything', async () => {
    expect(await lint('import time\nwhile not ev.is_set():\n    time.sleep(1)\n', only)).toEqual([]);
  });
});
