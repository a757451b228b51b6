import { lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL203'] };

describe('TL203 sleep-as-synchronization', () => {
  test.each([
    ['import threading, time\nt = threading.Thread(target=f)\nt.start()\ntime.sleep(1)\n', ['4:1 TL203']],
    ['import threading as th\nfrom time import sleep\nt = th.Thread(target=f)\nt.start()\nsleep(0.5)\n', ['5:1 TL203']],
    ['from threading import Thread as T\nimport time as tm\nT(target=f).start()\n# give it a moment\ntm.sleep(1)\n', ['5:1 TL203']],
    ['from threading import Timer\nimport time\nt = Timer(1, f)\nt.start()\ntime.sleep(2)\n', ['5:1 TL203']],
    ['import threading, time\nclass W(threading.Thread):\n    pass\nw = W()\nw.start()\ntime.sleep(1)\n', ['6:1 TL203']],
    ['import time\nfrom concurrent.futures import ThreadPoolExecutor\nwith ThreadPoolExecutor() as ex:\n    ex.submit(f)\n    time.sleep(1)\n', ['5:5 TL203']],
    ['import time\nimport concurrent.futures as cf\nex = cf.ProcessPoolExecutor()\nfut = ex.submit(f)\ntime.sleep(1)\n', ['5:1 TL203']],
    // Not right after: other work in between, or another block.
    ['import threading, time\nt = threading.Thread(target=f)\nt.start()\nprint("x")\ntime.sleep(1)\n', []],
    ['import threading, time\nt = threading.Thread(target=f)\nt.start()\nif slow:\n    time.sleep(1)\n', []],
    ['import threading, time\nt = threading.Thread(target=f)\nt.start()\nt.join()\ntime.sleep(1)\n', []],
    ['import threading, time\nt = threading.Thread(target=f)\ntime.sleep(1)\nt.start()\n', []],
    // Look-alikes: processes, unknown receivers, a sleep that is not time.sleep.
    ['import multiprocessing, time\np = multiprocessing.Process(target=f)\np.start()\ntime.sleep(1)\n', []],
    ['import time\nserver.start()\ntime.sleep(1)\n', []],
    ['import time\npool.submit(f)\ntime.sleep(1)\n', []],
    ['import threading\nt = threading.Thread(target=f)\nt.start()\nclock.sleep(1)\n', []],
    ['import threading, time\nt = threading.Thread(target=f)\nt.start()\nx = time.sleep(1)\n', []],
    ['import threading, time\nt = threading.Thread(target=f)\nt.start()\ntime.sleep(1)  # noqa: TL203\n', []],
  ])('%j', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('reports the sleep call and names what it waits for', async () => {
    const source = py`
      import threading
      import time

      class Service:
          def __init__(self):
              self._worker = threading.Thread(target=self.loop)

          def begin(self):
              self._worker.start()
              time.sleep(0.1)
    `;
    const [f] = await lint(source, only);
    expect([f.line, f.column, f.endLine, f.endColumn]).toEqual([10, 9, 10, 24]);
    expect(f.message).toBe(
      '`time.sleep(0.1)` right after `self._worker.start()` guesses how long the other thread needs; wait for it instead: an Event the worker sets, a Barrier, `join()` or the future\'s `result()`.',
    );
    expect(f.fix).toBeUndefined();
  });

  test.each([
    ['assert t.is_alive()', 'assert t.is_alive()', []],
    ['self.assertTrue(t.is_alive())', 'self.assertTrue(t.is_alive())', []],
    ['assert not ev.is_set()', 'assert not ev.is_set()', []],
    ['self.assertFalse(ev.is_set())', 'self.assertFalse(ev.is_set())', []],
    // Checking progress after a pause is the flaky kind.
    ['assert ev.is_set()', 'assert ev.is_set()', ['4:5 TL203']],
    ['self.assertFalse(t.is_alive())', 'self.assertFalse(t.is_alive())', ['4:5 TL203']],
  ])('a pause followed by %s', async (_name, check, expected) => {
    const source = `import threading, time\ndef check(self, ev, t: threading.Thread):\n    t.start()\n    time.sleep(0.05)\n    ${check}\n`;
    expect(positions(await lint(source, { select: ['TL203'] }))).toEqual(expected);
  });
});
