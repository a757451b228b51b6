import { applyFix, lint, positions } from '../helpers/lint.js';

const only = { select: ['TL307'] };

describe('TL307 thread-target-positional', () => {
  test.each([
    ['import threading\nthreading.Thread(work)\n', ['2:1 TL307']],
    ['import threading as th\nt = th.Thread(work, daemon=True)\n', ['2:5 TL307']],
    ['from threading import Thread\nt = Thread(lambda: None)\n', ['2:5 TL307']],
    ['from threading import Thread as T\nt = T(self.run_loop, name="w")\n', ['2:5 TL307']],
    ['from threading import Thread\nt = Thread(work, "name", (1,))\n', ['2:5 TL307']],
    ['from threading import Thread\nt = Thread(work, target=other)\n', ['2:5 TL307']],
    // group=None passed positionally is correct.
    ['from threading import Thread\nt = Thread(None, work)\n', []],
    ['from threading import Thread\nt = Thread(target=work)\n', []],
    ['from threading import Thread\nt = Thread(*args)\n', []],
    ['from threading import Thread\nt = Thread(**kwargs)\n', []],
    // Other signatures: Timer and subclasses.
    ['from threading import Timer\nt = Timer(5, work)\n', []],
    ['import threading\nclass W(threading.Thread):\n    def __init__(self, job):\n        super().__init__()\nW(job)\n', []],
    // Look-alikes.
    ['import multiprocessing\nmultiprocessing.Process(work)\n', []],
    ['Thread(work)\n', []],
    ['from mylib import Thread\nThread(work)\n', []],
    ['import threading\nthreading.Thread(work)  # threadlint: ignore[TL307]\n', []],
  ])('%j', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test.each([
    ['threading.Thread(work)', 'threading.Thread(target=work)'],
    ['threading.Thread(work, daemon=True)', 'threading.Thread(target=work, daemon=True)'],
    ['threading.Thread(self.loop, **opts)', 'threading.Thread(target=self.loop, **opts)'],
    ['threading.Thread(\n    work,\n    name="w",\n)', 'threading.Thread(\n    target=work,\n    name="w",\n)'],
  ])('fix: %j', async (call, fixed) => {
    const source = `import threading\nt = ${call}\n`;
    const [f] = await lint(source, only);
    expect(f.fix?.description).toMatch(/^Pass `.+` as `target=`$/);
    expect(applyFix(source, f)).toBe(`import threading\nt = ${fixed}\n`);
  });

  test.each([
    ['a second positional argument', 'threading.Thread(work, "name")'],
    ['a target keyword already', 'threading.Thread(work, target=other)'],
    ['star arguments', 'threading.Thread(work, *rest)'],
  ])('no fix with %s', async (_, call) => {
    const [f] = await lint(`import threading\nt = ${call}\n`, only);
    expect(f.fix).toBeUndefined();
  });

  test('message and position', async () => {
    const [f] = await lint('import threading\nt = threading.Thread(work, daemon=True)\n', only);
    expect([f.line, f.column, f.endLine, f.endColumn]).toEqual([2, 5, 2, 40]);
    expect(f.message).toBe('`threading.Thread(work, …)` passes `work` as `group`, the first parameter of `Thread`; pass the callable as `target=work`.');
  });
});
