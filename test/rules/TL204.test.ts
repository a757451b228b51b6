import { applyFix, lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL204'] };

describe('TL204 condition-wait-outside-loop', () => {
  test.each([
    // Import forms and bindings.
    ['import threading\nc = threading.Condition()\nwith c:\n    c.wait()\n', ['4:5 TL204']],
    ['import threading as th\nc = th.Condition()\nwith c:\n    c.wait()\n', ['4:5 TL204']],
    ['from threading import Condition\nc = Condition()\nwith c:\n    c.wait()\n', ['4:5 TL204']],
    ['from threading import Condition as K\nc = K()\nwith c:\n    c.wait()\n', ['4:5 TL204']],
    ['from threading import Condition\ndef f():\n    c = Condition()\n    with c:\n        c.wait()\n', ['5:9 TL204']],
    ['from threading import Condition\nclass A:\n    c = Condition()\n    def f(self):\n        with self.c:\n            self.c.wait()\n', ['6:13 TL204']],
    ['from threading import Condition\nclass A:\n    def __init__(self):\n        self.c = Condition()\n    def f(self):\n        with self.c:\n            self.c.wait(1)\n', ['7:13 TL204']],
    ['from threading import Condition\nwith Condition() as c:\n    c.wait()\n', ['3:5 TL204']],
    ['import threading\ndef f(c: threading.Condition):\n    c.wait()\n', ['3:5 TL204']],
    ['from typing import Optional\nfrom threading import Condition\ndef f(c: Optional[Condition]):\n    c.wait()\n', ['4:5 TL204']],
    ['from threading import Condition\ndef f(c: Condition | None):\n    c.wait()\n', ['3:5 TL204']],
    // Loops: the nearest loop must be a while that re-tests.
    ['import threading\nc = threading.Condition()\nfor i in x:\n    c.wait()\n', ['4:5 TL204']],
    ['import threading\nc = threading.Condition()\nwhile True:\n    c.wait()\n    if done: break\n', ['4:5 TL204']],
    ['import threading\nc = threading.Condition()\nwhile not done:\n    for i in x:\n        c.wait()\n', ['5:9 TL204']],
    ['import threading\nc = threading.Condition()\nwhile not done:\n    c.wait()\n', []],
    ['import threading\nc = threading.Condition()\nwhile True:\n    if done: break\n    c.wait()\n', []],
    ['import threading\nc = threading.Condition()\nwhile 1:\n    with c:\n        if done:\n            return\n        c.wait()\n', []],
    ['import threading\nc = threading.Condition()\nwhile not done:\n    if not ready:\n        c.wait()\n', []],
    // Look-alikes.
    ['import threading\nc = threading.Condition()\nwith c:\n    c.wait_for(lambda: done)\n', []],
    ['import threading\ne = threading.Event()\ne.wait()\n', []],
    ['import threading\nb = threading.Barrier(2)\nb.wait()\n', []],
    ['import asyncio\nc = asyncio.Condition()\nc.wait()\n', []],
    ['import subprocess\np = subprocess.Popen(x)\np.wait()\n', []],
    ['def f(c):\n    c.wait()\n', []],
    ['import threading\nc = threading.Condition()\nc = other()\nc.wait()\n', []],
    ['import threading\nc = threading.Condition()\nwith c:\n    c.wait()  # threadlint: ignore[TL204]\n', []],
  ])('%j', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('the message names the receiver and the cure', async () => {
    const [finding] = await lint('import threading\nc = threading.Condition()\nwith c:\n    c.wait()\n', only);
    expect(finding.message).toBe(
      '`c.wait()` is not inside a `while` loop that re-tests what it waits for: a spurious or stolen wake-up lets the code after it run while the predicate is still false. Use `c.wait_for(predicate)` or `while not predicate: c.wait()`.',
    );
    expect(finding.fix).toBeUndefined();
  });

  test.each([
    [
      'if not <pred>: wait() becomes wait_for',
      py`
        import threading
        c = threading.Condition()
        def take(items):
            with c:
                if not items:
                    c.wait()
                return items.pop()
      `,
      'import threading\nc = threading.Condition()\ndef take(items):\n    with c:\n        c.wait_for(lambda: items)\n        return items.pop()\n',
    ],
    [
      'a positional timeout is kept',
      py`
        import threading
        c = threading.Condition()
        def take(q, t):
            with c:
                if not (q.items and q.open):
                    c.wait(t)
      `,
      'import threading\nc = threading.Condition()\ndef take(q, t):\n    with c:\n        c.wait_for(lambda: q.items and q.open, t)\n',
    ],
    [
      'a keyword timeout is kept, a tuple predicate keeps its parentheses',
      py`
        import threading
        c = threading.Condition()
        def take(a, b):
            with c:
                if not (a, b)[0]:
                    c.wait(timeout=2)
                if not (a, b):
                    c.wait(timeout=2)
      `,
      'import threading\nc = threading.Condition()\ndef take(a, b):\n    with c:\n        c.wait_for(lambda: (a, b)[0], timeout=2)\n        if not (a, b):\n            c.wait(timeout=2)\n',
    ],
    [
      'a one-line if',
      py`
        from threading import Condition
        class Box:
            def __init__(self):
                self.cv = Condition()
            def get(self):
                with self.cv:
                    if not self.full: self.cv.wait()
      `,
      'from threading import Condition\nclass Box:\n    def __init__(self):\n        self.cv = Condition()\n    def get(self):\n        with self.cv:\n            self.cv.wait_for(lambda: self.full)\n',
    ],
  ])('%s', async (_title, source, expected) => {
    const [finding] = await lint(source, only);
    expect(applyFix(source, finding)).toBe(expected);
    expect(finding.fix!.description).toMatch(/^Replace the `if` with `(c|self\.cv)\.wait_for\(lambda: …\)`$/);
  });

  test.each([
    ['an else branch', 'import threading\nc = threading.Condition()\nif not ready:\n    c.wait()\nelse:\n    go()\n'],
    ['another statement in the if', 'import threading\nc = threading.Condition()\nif not ready:\n    log()\n    c.wait()\n'],
    ['a condition that is not a negation', 'import threading\nc = threading.Condition()\nif empty:\n    c.wait()\n'],
    ['a walrus in the predicate', 'import threading\nc = threading.Condition()\nif not (n := count()):\n    c.wait()\n'],
    ['the wait result is used', 'import threading\nc = threading.Condition()\nif not ready:\n    ok = c.wait(1)\n'],
    ['a class body', 'import threading\nc = threading.Condition()\nclass A:\n    if not ready:\n        c.wait()\n'],
  ])('no fix with %s', async (_title, source) => {
    const findings = await lint(source, only);
    expect(findings).toHaveLength(1);
    expect(findings[0].fix).toBeUndefined();
  });
});
