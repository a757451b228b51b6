import { applyFix, lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL301'] };

describe('TL301 thread-run-called', () => {
  test.each([
    ['import threading\nt = threading.Thread(target=f)\nt.run()\n', ['3:1 TL301']],
    ['from threading import Timer\nt = Timer(5, f)\nt.run()\n', ['3:1 TL301']],
    ['import threading as th\nclass W(th.Thread): pass\nW().run()\n', ['3:1 TL301']],
    ['import threading\nclass A(threading.Thread): pass\nclass B(A): pass\nb = B()\nb.run()\n', ['5:1 TL301']],
    ['import threading\nt = threading.Thread(target=f)\nt.start()\n', []],
    ['class Job:\n    def run(self): pass\nJob().run()\n', []],
    ['import threading\nt = threading.Thread(target=f)\nt = make()\nt.run()\n', []],
    ['import threading\nt = threading.Thread(target=f)\nt.run()  # threadlint: ignore[TL301]\n', []],
    ['import threading\nt = threading.Thread(target=f)\nt.run()  # noqa: TL301\n', []],
  ])('%j', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('the fix starts the thread instead', async () => {
    const source = py`
      import threading
      t = threading.Thread(target=f)
      t.run()
    `;
    const [finding] = await lint(source, only);
    expect(finding.message).toBe("`t.run()` runs the thread's target in the calling thread; use `.start()` to run it on a new thread.");
    expect(applyFix(source, finding)).toBe('import threading\nt = threading.Thread(target=f)\nt.start()\n');
  });
});
