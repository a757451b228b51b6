import { lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL304'] };

/**
 * Wrap statements in a function, which is where TL304 looks; `f` is a worker loop (the
 * evidence that a thread outlives its owner), `once` finite work.
 */
const inFn = (imports: string, body: string) =>
  `${imports}\ndef handler(x):\n${body.split('\n').map((l) => (l ? `    ${l}` : l)).join('\n')}\n\ndef f():\n    while True:\n        poll()\n\ndef once():\n    flush()\n`;

describe('TL304 leaked-thread', () => {
  test.each([
    ['import threading', 't = threading.Thread(target=f)\nt.start()', ['4:5 TL304']],
    ['import threading as th', 'th.Thread(target=f).start()', ['3:5 TL304']],
    ['from threading import Thread', 't = Thread(target=f, daemon=False)\nt.start()', ['4:5 TL304']],
    ['from threading import Thread as T', 'worker = T(target=f, args=(x,))\nworker.name = "w"\nworker.start()\nreturn None', ['5:5 TL304']],
    ['from threading import Timer', 'Timer(5, f).start()', ['3:5 TL304']],
    ['from threading import Thread', 't = Thread(target=f)\nt.daemon = False\nt.start()\nif t.is_alive():\n    log(t.name)', ['5:5 TL304']],
    // Joined, cancelled, or daemon.
    ['import threading', 't = threading.Thread(target=f)\nt.start()\nt.join()', []],
    ['import threading', 't = threading.Thread(target=f)\nt.start()\nt.join(timeout=5)', []],
    ['import threading', 't = threading.Timer(5, f)\nt.start()\nt.cancel()', []],
    ['import threading', 'threading.Thread(target=f, daemon=True).start()', []],
    ['import threading', 'threading.Thread(target=f, daemon=flag).start()', []],
    ['import threading', 't = threading.Thread(target=f)\nt.daemon = True\nt.start()', []],
    ['import threading', 't = threading.Thread(target=f)\nt.setDaemon(True)\nt.start()', []],
    ['import threading', 'threading.Thread(target=f, **opts).start()', []],
    // Kept beyond the call: returned, stored, passed on, in a container, captured.
    ['import threading', 't = threading.Thread(target=f)\nt.start()\nreturn t', []],
    ['import threading', 't = threading.Thread(target=f)\nt.start()\nself.worker = t', []],
    ['import threading', 't = threading.Thread(target=f)\nt.start()\nthreads.append(t)', []],
    ['import threading', 't = threading.Thread(target=f)\nt.start()\nregistry[x] = t', []],
    ['import threading', 't = threading.Thread(target=f)\nt.start()\nreturn [t]', []],
    ['import threading', 't = threading.Thread(target=f)\nt.start()\nwatch(t)', []],
    ['import threading', 't = threading.Thread(target=f)\nt.start()\natexit.register(t.join)', []],
    ['import threading', 't = threading.Thread(target=f)\nt.start()\nyield t', []],
    ['import threading', 't = threading.Thread(target=f)\nt.start()\nwith t:\n    pass', []],
    ['import threading', 't = threading.Thread(target=f)\nt.start()\ndef stop():\n    t.join()\nreturn stop', []],
    ['import threading', 'global t\nt = threading.Thread(target=f)\nt.start()', []],
    ['import threading', 'self.t = threading.Thread(target=f)\nself.t.start()', []],
    // Not built here: a parameter, a loop variable, something unknown.
    ['import threading', 'x.start()', []],
    ['import threading', 'for t in threads:\n    t.start()', []],
    ['import threading', 't = make_thread()\nt.start()', []],
    ['import multiprocessing', 'p = multiprocessing.Process(target=f)\np.start()', []],
    ['import threading', 't = threading.Thread(target=f)\nt.start()  # threadlint: ignore[TL304]', []],
    // No evidence that it outlives its owner: finite work, or a target the analysis cannot follow.
    ['import threading', 'threading.Thread(target=once).start()', []],
    ['import threading', 't = threading.Thread(target=self.provider.force_flush)\nt.start()', []],
    ['import threading', 'threading.Thread(target=lambda: f()).start()', ['3:5 TL304']],
    ['import threading', 'threading.Thread(target=lambda: once()).start()', []],
  ])('%s / %j', async (imports, body, expected) => {
    expect(positions(await lint(inFn(imports, body), only))).toEqual(expected);
  });

  test('module-level threads belong to the script, not a function', async () => {
    expect(await lint('import threading\nt = threading.Thread(target=f)\nt.start()\n', only)).toEqual([]);
  });

  test('a same-file subclass that may set daemon is not flagged; one that does not is', async () => {
    const source = py`
      import threading

      class Background(threading.Thread):
          def __init__(self):
              super().__init__(daemon=True)

      class Job(threading.Thread):
          def run(self):
              while True:
                  pass

      class Abort(threading.Thread):
          def run(self):
              pass

      def go():
          Background().start()
          Job().start()
          Abort().start()
    `;
    expect(positions(await lint(source, only))).toEqual(['18:5 TL304']);
  });

  test('message names the thread and what to do', async () => {
    const [f] = await lint(inFn('import threading', 'threading.Thread(target=f).start()'), only);
    expect([f.line, f.column, f.endLine, f.endColumn]).toEqual([3, 5, 3, 39]);
    expect(f.message).toBe(
      '`threading.Thread(…).start()` starts a thread whose target loops, never joined or kept: the interpreter waits for it at exit. `join()` it before returning, keep a reference and join it at shutdown, or pass `daemon=True` if it may die with the process.',
    );
    const [timer] = await lint(inFn('import threading', 'threading.Timer(30, once).start()'), only);
    expect(timer.message).toMatch(/^`threading\.Timer\(…\)\.start\(\)` starts a Timer that waits its interval first, never joined or kept/);
  });
});
