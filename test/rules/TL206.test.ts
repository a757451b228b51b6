import { applyFix, lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL206'] };

/** A module with a Condition `cond` that `put` notifies, and `body` as the waiter `get`. */
const waiter = (body: string, header = 'cond = threading.Condition()') =>
  [
    'import threading',
    header,
    'items = []',
    'def put(x):',
    '    with cond:',
    '        items.append(x)',
    '        cond.notify()',
    'def get():',
    ...body.split('\n').map((l) => `    ${l}`),
    '',
  ].join('\n');

describe('TL206 lost-wakeup', () => {
  test.each([
    // The test outside the lock, the wait under it.
    [waiter('while not items:\n    with cond:\n        cond.wait()'), ['9:11 TL206']],
    [waiter('if not items:\n    with cond:\n        cond.wait(5)'), ['9:8 TL206']],
    [waiter('if items:\n    pass\nelse:\n    with cond:\n        cond.wait()'), ['9:8 TL206']],
    [waiter('while True:\n    if items:\n        break\n    with cond:\n        cond.wait()'), ['10:12 TL206']],
    [waiter('while not items:\n    cond.acquire()\n    try:\n        cond.wait()\n    finally:\n        cond.release()'), ['9:11 TL206']],
    // A Condition built on a lock, held through that lock.
    [waiter('while not items:\n    with lock:\n        cond.wait()', 'lock = threading.Lock()\ncond = threading.Condition(lock)'), ['10:11 TL206']],
    // Tested under the lock: a loop, a double check, an early exit, wait_for.
    [waiter('with cond:\n    while not items:\n        cond.wait()'), []],
    [waiter('while not items:\n    with cond:\n        if not items:\n            cond.wait()'), []],
    [waiter('while True:\n    with cond:\n        if items:\n            return items.pop()\n        cond.wait()'), []],
    [waiter('if not items:\n    with cond:\n        cond.wait_for(lambda: items)'), []],
    // Nothing shared in the test, the test under another lock, a Condition nobody notifies.
    [waiter('n = 0\nwhile n < 3:\n    n += 1\n    with cond:\n        cond.wait()'), []],
    [waiter('with other:\n    if not items:\n        with cond:\n            cond.wait()'), []],
    ['import threading\nc = threading.Condition()\nflag = False\ndef f():\n    while not flag:\n        with c:\n            c.wait(1)\n', []],
    // Look-alikes: an Event, a Condition of unknown kind.
    ['import threading\ne = threading.Event()\nready = False\ndef f():\n    if not ready:\n        with lock:\n            e.wait()\n', []],
    ['def f(c, box):\n    while not box.full:\n        with c:\n            c.wait()\n', []],
  ])('%#', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('the message names the test, the lock and the wait', async () => {
    const [finding] = await lint(waiter('while not items:\n    with cond:\n        cond.wait()'), only);
    expect(finding.message).toBe(
      '`not items` is tested before `cond` is taken (line 10), and `cond.wait()` (line 11) runs under it: a `notify()` that comes between the test and the wait is lost, and the waiter sleeps through the state it waits for. Test the predicate under the lock: `with cond: cond.wait_for(lambda: …)`.',
    );
    expect(finding.endLine).toBe(9);
    expect(finding.endColumn).toBe(20);
  });

  test.each([
    [
      'a while loop becomes one wait_for under the lock',
      py`
        import threading
        class Pool:
            def __init__(self):
                self._cv = threading.Condition()
                self._idle = []
            def put(self, c):
                with self._cv:
                    self._idle.append(c)
                    self._cv.notify()
            def get(self):
                while not self._idle:
                    with self._cv:
                        self._cv.wait()
                return self._idle.pop()
      `,
      'import threading\nclass Pool:\n    def __init__(self):\n        self._cv = threading.Condition()\n        self._idle = []\n    def put(self, c):\n        with self._cv:\n            self._idle.append(c)\n            self._cv.notify()\n    def get(self):\n        with self._cv:\n            self._cv.wait_for(lambda: self._idle)\n        return self._idle.pop()\n',
    ],
    [
      'a comment inside the replaced lines: no fix',
      waiter('if paused.value:\n    with cond:\n        cond.wait(timeout=3)  # bounded'),
      null,
    ],
    [
      'a trailing comment on the test stays on the new first line',
      waiter('if not items:  # nothing yet\n    with cond:\n        cond.wait(2.5)'),
      waiter('with cond:  # nothing yet\n    cond.wait_for(lambda: items, 2.5)'),
    ],
    [
      'a paused flag: the predicate is its negation',
      waiter('if self_paused:\n    with cond:\n        cond.wait(1)').replace('items = []', 'items = []\nself_paused = True'),
      waiter('with cond:\n    cond.wait_for(lambda: not self_paused, 1)').replace('items = []', 'items = []\nself_paused = True'),
    ],
  ])('%s', async (_title, source, expected) => {
    const [finding] = await lint(source, only);
    if (expected === null) {
      // A comment inside the replaced lines would be lost: no fix.
      expect(finding.fix).toBeUndefined();
      return;
    }
    expect(applyFix(source, finding)).toBe(expected);
    expect(finding.fix!.description).toMatch(/^Test the predicate under the lock: `(cond|self\._cv)\.wait_for\(lambda: …\)`$/);
  });

  test.each([
    ['a while loop with a timeout (one bounded wait_for would give up where the loop kept waiting)', 'while not items:\n    with cond:\n        cond.wait(1)'],
    ['an if without a timeout (a notify that does not make the predicate true would wait forever)', 'if not items:\n    with cond:\n        cond.wait()'],
    ['more under the lock than the wait', 'while not items:\n    with cond:\n        cond.wait()\n        print("woken")'],
    ['an else branch', 'while not items:\n    with cond:\n        cond.wait()\nelse:\n    pass'],
    ['a walrus in the test', 'while not (n := len(items)):\n    with cond:\n        cond.wait()'],
    ['the exit-test form', 'while True:\n    if items:\n        break\n    with cond:\n        cond.wait()'],
  ])('no fix with %s', async (_title, body) => {
    const findings = await lint(waiter(body), only);
    expect(findings).toHaveLength(1);
    expect(findings[0].fix).toBeUndefined();
  });
});
