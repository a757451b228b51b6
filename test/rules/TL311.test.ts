import { analyze } from '../../src/lint/analyze.js';
import { DEFAULT_CONFIG } from '../../src/engine/types.js';
import { lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL311'] };

/** A class whose `__init__` is `init` and whose thread target `_run` is `run`. */
const client = (init: string, run: string) =>
  [
    'import threading, queue',
    'class C:',
    '    def __init__(self):',
    ...init.split('\n').map((l) => `        ${l}`),
    '    def _run(self):',
    ...run.split('\n').map((l) => (l.startsWith('def ') ? `    ${l}` : `        ${l}`)),
    '',
  ].join('\n');

const T = 'self._t = threading.Thread(target=self._run)';

describe('TL311 thread-started-in-constructor', () => {
  test.each([
    // Read before it is assigned: first thing, in the loop, through a same-class helper.
    [client(`${T}\nself._t.start()\nself.q = queue.Queue()`, 'self.q.get()'), ['5:9 TL311 error']],
    [client(`${T}\nself._t.start()\nself.q = queue.Queue()`, 'while True:\n    item = self.q.get()'), ['5:9 TL311 error']],
    [client(`${T}\nself._t.start()\nself.q = queue.Queue()`, 'self._step()\ndef _step(self):\n    self.q.get()'), ['5:9 TL311 error']],
    // Still None at the start, and used without a test.
    [client(`self.sock = None\n${T}\nself._t.start()\nself.sock = connect()`, 'self.sock.recv(1)'), ['6:9 TL311 error']],
    // A local thread variable, a Timer.
    [client('t = threading.Thread(target=self._run)\nt.start()\nself.q = []', 'self.q.append(1)'), ['5:9 TL311 error']],
    [client('t = threading.Timer(0, self._run)\nt.start()\nself.q = []', 'self.q.append(1)'), ['5:9 TL311 error']],
    // Started last, or nothing read late.
    [client(`self.q = queue.Queue()\n${T}\nself._t.start()`, 'self.q.get()'), []],
    [client(`${T}\nself._t.start()\nself.count = 0`, 'print("up")'), []],
    // Read only behind a wait, a branch, or after the first loop.
    [client(`self.ev = threading.Event()\n${T}\nself._t.start()\nself.q = []`, 'self.ev.wait()\nself.q.append(1)'), []],
    [client(`${T}\nself._t.start()\nself.q = []`, 'if ready():\n    self.q.append(1)'), []],
    [client(`${T}\nself._t.start()\nself.n = 0`, 'for x in xs():\n    work(x)\nprint(self.n)'), []],
    // None before, and tested before it is used.
    [client(`self.sock = None\n${T}\nself._t.start()\nself.sock = connect()`, 'if self.sock is not None:\n    self.sock.recv(1)'), []],
    // A handshake after the assignments; the attribute also set elsewhere; a class default.
    [client(`self.ev = threading.Event()\n${T}\nself._t.start()\nself.q = []\nself.ev.set()`, 'self.q.append(1)'), []],
    [client(`${T}\nself._t.start()\nself.q = []`, 'self.q.append(1)\ndef reset(self):\n    self.q = []'), []],
  ])('%#', async (source, expected) => {
    expect((await lint(source, only)).map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.severity}`)).toEqual(expected);
  });

  test('the message names the thread, the attribute, where it is read and where it is assigned', async () => {
    const [finding] = await lint(client(`${T}\nself._t.start()\nself.q = queue.Queue()`, 'self.q.get()'), only);
    expect(finding.message).toBe(
      '`self._t.start()` in `__init__` starts `_run`, which reads `self.q` (line 8 in `_run`), but `__init__` assigns it only after the start (line 6): the thread can get there first and read it before it exists. Start the thread after the last assignment, or from a `start()` method.',
    );
  });

  const monitor = py`
    import threading
    class Monitor(threading.Thread):
        def __init__(self, interval):
            super().__init__(daemon=True)
            self.interval = interval
            self.start()
        def run(self):
            print(self.interval)
  `;

  test.each([
    ['a subclass that sets up more after the base __init__', `${monitor}class Disk(Monitor):\n    def __init__(self, path):\n        super().__init__(1)\n        self.path = path\n`, ['6:9 TL311 warning']],
    ['no subclass', monitor, []],
    ['a subclass that adds nothing after the base __init__', `${monitor}class Quiet(Monitor):\n    def __init__(self):\n        super().__init__(5)\n`, []],
    ['a subclass without __init__', `${monitor}class Loud(Monitor):\n    pass\n`, []],
  ])('a Thread subclass starting itself: %s', async (_title, source, expected) => {
    expect((await lint(source, only)).map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.severity}`)).toEqual(expected);
  });

  test('a subclass in another file of the run makes it a warning there', async () => {
    // (A file that mentions no threading at all is not analysed, so this one does.)
    const sub = 'import threading\nfrom app.monitor import Monitor\nclass Disk(Monitor):\n    def __init__(self, path):\n        Monitor.__init__(self, 1)\n        self.full = threading.Event()\n';
    const run = (files: { path: string; content: string }[]) => analyze(files, { config: DEFAULT_CONFIG, select: ['TL311'] });
    const both = await run([{ path: 'app/monitor.py', content: monitor }, { path: 'app/disk.py', content: sub }]);
    expect(both.findings.map((f) => `${f.path}:${f.line} ${f.severity}`)).toEqual(['app/monitor.py:6 warning']);
    expect(both.findings[0].message).toContain('one in `app/disk.py`');
    expect(positions((await run([{ path: 'app/monitor.py', content: monitor }])).findings)).toEqual([]);
  });
});
