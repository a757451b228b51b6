import { applyFix, lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL308'] };

describe('TL308 loop-variable-in-thread-callable', () => {
  test.each([
    // Import forms.
    ['import threading\nfor i in x:\n    threading.Thread(target=lambda: f(i)).start()\n', ['3:29 TL308']],
    ['import threading as th\nfor i in x:\n    th.Thread(target=lambda: f(i)).start()\n', ['3:22 TL308']],
    ['from threading import Thread\nfor i in x:\n    Thread(target=lambda: f(i)).start()\n', ['3:19 TL308']],
    ['from threading import Thread as T\nfor i in x:\n    T(target=lambda: f(i)).start()\n', ['3:14 TL308']],
    ['from threading import Thread\nfor i in x:\n    Thread(None, lambda: f(i)).start()\n', ['3:18 TL308']],
    ['import concurrent.futures as cf\nex = cf.ThreadPoolExecutor()\nfor i in x:\n    ex.submit(lambda: f(i))\n', ['4:15 TL308']],
    ['from concurrent.futures import ThreadPoolExecutor\nwith ThreadPoolExecutor() as ex:\n    for i in x:\n        ex.submit(lambda: f(i))\n', ['4:19 TL308']],
    ['from concurrent.futures import ProcessPoolExecutor\nclass A:\n    def __init__(self):\n        self.ex = ProcessPoolExecutor()\n    def go(self, x):\n        for i in x:\n            self.ex.submit(lambda: f(i))\n', ['7:28 TL308']],
    ['from concurrent.futures import Executor\ndef go(ex: Executor, x):\n    for i in x:\n        ex.submit(lambda: f(i))\n', ['4:19 TL308']],
    // Loop variables: tuple targets, while-body names, nested loops, comprehensions.
    ['from threading import Thread\nfor k, (a, b) in x:\n    Thread(target=lambda: f(b)).start()\n', ['3:19 TL308']],
    ['from threading import Thread\nwhile True:\n    c = accept()\n    Thread(target=lambda: f(c)).start()\n', ['4:19 TL308']],
    ['from threading import Thread\nfor a in x:\n    for b in y:\n        Thread(target=lambda: f(a)).start()\n', ['4:23 TL308']],
    ['from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\nfs = [ex.submit(lambda: f(u)) for u in x]\n', ['3:17 TL308']],
    ['from threading import Thread\ndef g(x):\n    for i in x:\n        def run():\n            f(i)\n        Thread(target=run).start()\n', ['6:23 TL308']],
    // Not flagged.
    ['from threading import Thread\nfor i in x:\n    Thread(target=lambda i=i: f(i)).start()\n', []],
    ['from threading import Thread\nfor i in x:\n    Thread(target=f, args=(i,)).start()\n', []],
    ['from threading import Thread\nfor i in x:\n    Thread(target=lambda: f(i), args=(i,)).start()\n', []],
    ['from threading import Thread\nfor i in x:\n    t = Thread(target=lambda: f(i))\n    t.start()\n    t.join()\n', []],
    ['from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\nfor i in x:\n    ex.submit(lambda: f(i)).result()\n', []],
    ['from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\nfor i in x:\n    ex.submit(f, i)\n', []],
    ['import functools\nfrom concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\nfor i in x:\n    ex.submit(functools.partial(f, i))\n', []],
    ['from threading import Thread\nThread(target=lambda: f(i)).start()\n', []],
    ['from threading import Thread\nfor p in ports:\n    if free(p):\n        Thread(target=lambda: serve(p)).start()\n        break\n', []],
    ['from threading import Thread\ndef g():\n    while True:\n        try:\n            c = connect()\n            Thread(target=lambda: serve(c)).start()\n        except OSError:\n            continue\n        return c\n', []],
    ['from threading import Thread\nfor p in ports:\n    Thread(target=lambda: serve(p)).start()\n    if done(p):\n        break\n', ['3:19 TL308']],
    ['import threading\nfor i in x:\n    ts = [threading.Thread(target=lambda: f(i)) for _ in range(2)]\n    with start_threads(ts):\n        pass\n', []],
    ['import threading\nfor i in x:\n    ts = []\n    ts.append(threading.Thread(target=lambda: f(i)))\n    run_all(ts)\n', []],
    ['import threading\nfor i in x:\n    ts = []\n    ts.append(threading.Thread(target=lambda: f(i)))\n', ['4:39 TL308']],
    ['from concurrent.futures import ThreadPoolExecutor\nfor i in x:\n    with ThreadPoolExecutor() as ex:\n        with open(p) as fh:\n            ex.submit(lambda: f(i, fh))\n', []],
    ['from threading import Thread\nfor i in x:\n    Thread(target=lambda: f(y)).start()\n', []],
    ['from threading import Thread\nfor i in x:\n    Thread(target=lambda: f(o.i, i=1)).start()\n', []],
    ['import asyncio\nfor i in x:\n    loop.run_in_executor(None, lambda: f(i))\n', []],
    ['for i in x:\n    pool.submit(lambda: f(i))\n', []],
    ['import threading\nfor i in x:\n    threading.Thread(target=lambda: f(i)).start()  # threadlint: ignore[TL308]\n', []],
  ])('%j', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('the message names the variable and both cures', async () => {
    const [finding] = await lint('from threading import Thread\nfor i in x:\n    Thread(target=lambda: f(i)).start()\n', only);
    expect(finding.message).toBe(
      'This lambda reads the loop variable `i` when it runs on the new thread, not when it is created: by then the loop may have moved on. Bind it as a default (`lambda i=i: …`) or pass it as `args=(…)`.',
    );
    expect(finding.fix!.description).toBe('Bind the loop variable as default argument (`lambda i=i: …`)');
  });

  test.each([
    [
      'a bare lambda gets its defaults',
      'from threading import Thread\nfor i, j in x:\n    Thread(target=lambda: f(i, j)).start()\n',
      'from threading import Thread\nfor i, j in x:\n    Thread(target=lambda i=i, j=j: f(i, j)).start()\n',
    ],
    [
      'a lambda with parameters',
      'from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\nfor i in x:\n    ex.submit(lambda a, b=2: f(a, b, i), 1)\n',
      'from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\nfor i in x:\n    ex.submit(lambda a, b=2, i=i: f(a, b, i), 1)\n',
    ],
    [
      'a nested def',
      py`
        from threading import Thread
        def g(x):
            for i in x:
                def run():
                    f(i)
                Thread(target=run).start()
      `,
      'from threading import Thread\ndef g(x):\n    for i in x:\n        def run(i=i):\n            f(i)\n        Thread(target=run).start()\n',
    ],
    [
      'a nested def with parameters and a trailing comma',
      py`
        from threading import Thread
        def g(x):
            for i in x:
                def run(a=1,):
                    f(a, i)
                Thread(target=run).start()
      `,
      'from threading import Thread\ndef g(x):\n    for i in x:\n        def run(a=1, i=i):\n            f(a, i)\n        Thread(target=run).start()\n',
    ],
    [
      'a while-loop name assigned before the lambda',
      'from threading import Thread\nwhile True:\n    c = accept()\n    Thread(target=lambda: f(c)).start()\n',
      'from threading import Thread\nwhile True:\n    c = accept()\n    Thread(target=lambda c=c: f(c)).start()\n',
    ],
  ])('%s', async (_title, source, expected) => {
    const [finding] = await lint(source, only);
    expect(applyFix(source, finding)).toBe(expected);
  });

  test.each([
    ['*args', 'from threading import Thread\nfor i in x:\n    Thread(target=lambda *a: f(i, *a)).start()\n'],
    ['keyword-only parameters', 'from threading import Thread\nfor i in x:\n    Thread(target=lambda *, k=1: f(i, k)).start()\n'],
    ['a def before the loop', 'from threading import Thread\ndef g(x):\n    def run():\n        f(i)\n    for i in x:\n        Thread(target=run).start()\n'],
    ['a name assigned after the lambda', 'from threading import Thread\nfor i in x:\n    Thread(target=lambda: f(c)).start()\n    c = i\n'],
    ['a decorated def', 'from threading import Thread\ndef g(x):\n    for i in x:\n        @trace\n        def run():\n            f(i)\n        Thread(target=run).start()\n'],
  ])('no fix with %s', async (_title, source) => {
    const findings = await lint(source, only);
    expect(findings).toHaveLength(1);
    expect(findings[0].fix).toBeUndefined();
  });
});
