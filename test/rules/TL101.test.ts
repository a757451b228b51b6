import { applyFix, lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL101'] };

describe('TL101 bare-acquire', () => {
  test.each([
    // flagged: a critical section without try/finally, through every import form and binding
    ['import threading\nL = threading.Lock()\ndef f():\n    L.acquire()\n    g()\n    L.release()\n', ['4:5 TL101']],
    ['import threading as th\nL = th.RLock()\nL.acquire()\ng()\nL.release()\n', ['3:1 TL101']],
    ['from threading import Lock\nL = Lock()\nL.acquire()\ng()\nL.release()\n', ['3:1 TL101']],
    ['from threading import Lock as Mutex\nL = Mutex()\nL.acquire()\ng()\nL.release()\n', ['3:1 TL101']],
    ['import threading\nS = threading.BoundedSemaphore(3)\nS.acquire()\ng()\nS.release()\n', ['3:1 TL101']],
    ['import threading\nC = threading.Condition()\nC.acquire()\nC.notify()\nC.release()\n', ['3:1 TL101']],
    ['import multiprocessing\nL = multiprocessing.Lock()\nL.acquire()\ng()\nL.release()\n', ['3:1 TL101']],
    ['import threading\nclass A:\n    lock = threading.Lock()\n    def f(self):\n        self.lock.acquire()\n        g()\n        self.lock.release()\n', ['5:9 TL101']],
    ['import threading\nclass A:\n    def __init__(self):\n        self._lock = threading.Lock()\n    def f(self):\n        self._lock.acquire()\n        g()\n        self._lock.release()\n', ['6:9 TL101']],
    ['import threading\ndef f(lock: threading.Lock):\n    lock.acquire()\n    g()\n    lock.release()\n', ['3:5 TL101']],
    ['from typing import Optional\nfrom threading import Lock\ndef f(lock: Optional[Lock]):\n    lock.acquire()\n    g()\n    lock.release()\n', ['4:5 TL101']],
    ['from threading import Lock\ndef f(lock: Lock | None):\n    lock.acquire()\n    g()\n    lock.release()\n', ['3:5 TL101']],
    ['import threading\nwith threading.Condition() as c:\n    c.acquire()\n    g()\n    c.release()\n', ['3:5 TL101']],
    // the try does not start right after the acquire
    ['import threading\nL = threading.Lock()\nL.acquire()\ng()\ntry:\n    h()\nfinally:\n    L.release()\n', ['3:1 TL101']],
    // released in except only
    ['import threading\nL = threading.Lock()\nL.acquire()\ntry:\n    h()\nexcept Exception:\n    L.release()\n    raise\nL.release()\n', ['3:1 TL101']],
    // a non-blocking acquire whose branch does not release in a finally
    ['import threading\nL = threading.Lock()\nif L.acquire(False):\n    g()\n    L.release()\n', ['3:4 TL101']],
    // a guard that leaves after the acquire leaks the lock
    ['import threading\nL = threading.Lock()\nL.acquire()\nif x:\n    raise E\ntry:\n    g()\nfinally:\n    L.release()\n', ['3:1 TL101']],
    ['import threading\nL = threading.Lock()\nok = L.acquire(timeout=1)\nif other:\n    L.release()\ng()\nL.release()\n', ['3:6 TL101']],
    // guarded: with, try/finally after or around, the checked forms
    ['import threading\nL = threading.Lock()\nwith L:\n    g()\n', []],
    ['import threading\nL = threading.Lock()\nL.acquire()\ntry:\n    g()\nfinally:\n    L.release()\n', []],
    ['import threading\nL = threading.Lock()\nL.acquire()\n# comment\ntry:\n    g()\nfinally:\n    L.release()\n', []],
    ['import threading\nL = threading.Lock()\ntry:\n    L.acquire()\n    g()\nfinally:\n    L.release()\n', []],
    ['import threading\nL = threading.Lock()\nif not L.acquire(timeout=5):\n    raise TimeoutError\ntry:\n    g()\nfinally:\n    L.release()\n', []],
    ['import threading\nL = threading.Lock()\nok = L.acquire(timeout=5)\nif not ok:\n    return\ntry:\n    g()\nfinally:\n    L.release()\n', []],
    ['import threading\nL = threading.Lock()\nok = L.acquire(False)\ntry:\n    g()\nfinally:\n    if ok:\n        L.release()\n', []],
    ['import threading\nL = threading.Lock()\nif L.acquire(False):\n    try:\n        g()\n    finally:\n        L.release()\n', []],
    ['import threading\nL = threading.Lock()\nif not L.acquire(False):\n    pending.append(1)\nelse:\n    try:\n        g()\n    finally:\n        L.release()\n', []],
    // several locks taken together, then one try
    ['import threading\nA = threading.Lock()\nB = threading.Lock()\nA.acquire()\nB.acquire()\ntry:\n    g()\nfinally:\n    B.release()\n    A.release()\n', []],
    // nothing between acquire and release can fail
    ['import threading\nL = threading.Lock()\nL.acquire()\nL.release()\n', []],
    ['import threading\nL = threading.Lock()\nif L.acquire(False):\n    L.release()\n', []],
    // a hand-off or signal: no release in the same function
    ['import threading\nL = threading.Lock()\ndef wait_for_worker():\n    L.acquire()\n    g()\n', []],
    ['import threading\nclass A:\n    def __init__(self):\n        self._lock = threading.Lock()\n    def __enter__(self):\n        self._lock.acquire()\n    def __exit__(self, *a):\n        self._lock.release()\n', []],
    ['import threading\nL = threading.Lock()\ndef take():\n    return L.acquire()\n', []],
    ['import threading\nL = threading.Lock()\ndef before_fork():\n    try:\n        L.acquire()\n    except BaseException:\n        L.release()\n        raise\n', []],
    // look-alikes and unknown receivers
    ['import asyncio\nL = asyncio.Lock()\nL.acquire()\ng()\nL.release()\n', []],
    ['def f(lock):\n    lock.acquire()\n    g()\n    lock.release()\n', []],
    ['import threading\nL = threading.Lock()\nL = make()\nL.acquire()\ng()\nL.release()\n', []],
    ['import threading\nL = threading.Lock()\nL.acquire()  # threadlint: ignore[TL101]\ng()\nL.release()\n', []],
  ])('%j', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('the fix turns the pair into a with block', async () => {
    const source = py`
      import threading
      L = threading.Lock()
      def f():
          L.acquire()
          g()

          h()
          L.release()
          done()
    `;
    const [finding] = await lint(source, only);
    expect(finding.message).toBe(
      '`L` is acquired here but not released on every path: an exception before `L.release()` leaves it held. Use `with L:`, or `try: … finally: L.release()` right after the acquire.',
    );
    expect(finding.fix?.description).toBe('Replace the acquire/release pair with `with L:`');
    expect(applyFix(source, finding)).toBe(py`
      import threading
      L = threading.Lock()
      def f():
          with L:
              g()

              h()
          done()
    `);
  });

  test('the fix uses the file indentation unit, also at module level', async () => {
    const source = 'import threading\nL = threading.Lock()\nclass A:\n  pass\nL.acquire()\nfor x in y:\n  g(x)\nL.release()\n';
    const [finding] = await lint(source, only);
    expect(applyFix(source, finding)).toBe('import threading\nL = threading.Lock()\nclass A:\n  pass\nwith L:\n  for x in y:\n    g(x)\n');
  });

  test('the fix keeps tabs', async () => {
    const source = 'import threading\nL = threading.Lock()\ndef f():\n\tL.acquire()\n\tif x:\n\t\tg(1)\n\tL.release()\n';
    const [finding] = await lint(source, only);
    expect(applyFix(source, finding)).toBe('import threading\nL = threading.Lock()\ndef f():\n\twith L:\n\t\tif x:\n\t\t\tg(1)\n');
  });

  test('a trailing comment on the acquire line stays on the with line', async () => {
    const source = 'import threading\nL = threading.Lock()\nL.acquire()  # take it\ng()\nL.release()\n';
    const [finding] = await lint(source, only);
    expect(applyFix(source, finding)).toBe('import threading\nL = threading.Lock()\nwith L:  # take it\n    g()\n');
  });

  test.each([
    ['a timed acquire', 'import threading\nL = threading.Lock()\nL.acquire(timeout=5)\ng()\nL.release()\n'],
    ['a multi-line string between', 'import threading\nL = threading.Lock()\nL.acquire()\ns = """a\nb"""\nL.release()\n'],
    ['a release in a branch between', 'import threading\nL = threading.Lock()\nL.acquire()\nif x:\n    g()\n    L.release()\n    raise E\nL.release()\n'],
    ['other code on the acquire line', 'import threading\nL = threading.Lock()\nL.acquire(); g()\nL.release()\n'],
    ['a trailing comment on the release line', 'import threading\nL = threading.Lock()\nL.acquire()\ng()\nL.release()  # done\n'],
    ['the release in another block', 'import threading\nL = threading.Lock()\nL.acquire()\nif x:\n    g()\n    L.release()\n'],
  ])('no fix for %s', async (_name, source) => {
    const findings = await lint(source, only);
    expect(findings.map((f) => [f.ruleId, f.line, !!f.fix])).toEqual([['TL101', 3, false]]);
  });

  // RULES.md revision 2: `with L:` releases on every exit, so a span that control can
  // leave other than by falling through, or a lock released on another path too, keeps
  // its acquire/release: the fix must never move a release point.
  test.each([
    ['a return between', 'def f():\n    L.acquire()\n    if x:\n        return 1\n    g()\n    L.release()\n'],
    ['a raise between', 'def f():\n    L.acquire()\n    if x:\n        raise ValueError(x)\n    g()\n    L.release()\n'],
    ['a yield between', 'def f():\n    L.acquire()\n    yield g()\n    L.release()\n'],
    ['a break out of the loop around the span, a finally after the loop releasing', 'def f():\n    while True:\n        L.acquire()\n        if ready():\n            break\n        L.release()\n    try:\n        g()\n    finally:\n        L.release()\n'],
    ['a continue of the loop around the span', 'def f():\n    for x in xs:\n        L.acquire()\n        if not x:\n            continue\n        g(x)\n        L.release()\n'],
    ['another release of the lock on an error path', 'def f():\n    L.acquire()\n    g()\n    L.release()\n    try:\n        h()\n    except E:\n        L.release()\n'],
  ])('no fix when the with form would move a release point: %s', async (_name, body) => {
    const source = `import threading\nL = threading.Lock()\n${body}`;
    const findings = await lint(source, only);
    expect(findings.map((f) => [f.ruleId, !!f.fix])).toEqual([['TL101', false]]);
  });

  test('a break inside a loop wholly within the span keeps the fix: the release point does not move', async () => {
    const source = 'import threading\nL = threading.Lock()\ndef f():\n    L.acquire()\n    for x in xs:\n        if x:\n            break\n    L.release()\n';
    const [finding] = await lint(source, only);
    expect(applyFix(source, finding)).toBe('import threading\nL = threading.Lock()\ndef f():\n    with L:\n        for x in xs:\n            if x:\n                break\n');
  });

  test.each([
    // paramiko's transport: the lock is kept past the loop on purpose; the finally after the loop releases it.
    ['held past a break, released by the try after the loop', 'def send(self, data):\n    while True:\n        self.ev.wait(0.1)\n        L.acquire()\n        if self.ev.is_set():\n            break\n        L.release()\n    try:\n        g(data)\n    finally:\n        L.release()\n'],
    // redis's client: a conditional acquire, released by the try that follows the if.
    ['a conditional acquire released by the try after the if', 'def call(self):\n    if self.single:\n        L.acquire()\n    try:\n        g()\n    finally:\n        if self.single:\n            L.release()\n'],
  ])('not flagged: %s', async (_name, body) => {
    expect(await lint(`import threading\nL = threading.Lock()\n${body}`, only)).toEqual([]);
  });
});

/**
 * The fix must never move a release point: run the code before and after the fix under
 * python3 with a lock that records every acquire and release between numbered steps,
 * on every path, and compare the traces.
 */
describe('TL101 fixes keep every release point (run under python3)', () => {
  const HARNESS = String.raw`
import sys, threading
trace = []
class Recording:
    def __init__(self):
        self._lock = threading._allocate_lock()
    def acquire(self, *a, **k):
        trace.append("acquire")
        return self._lock.acquire(*a, **k)
    def release(self):
        trace.append("release")
        self._lock.release()
    def __enter__(self):
        self.acquire()
        return self
    def __exit__(self, *exc):
        self.release()
threading.Lock = Recording
def step(n):
    trace.append(n)
out = []
for source in sys.stdin.read().split("\n#----\n"):
    for x in range(4):
        trace.clear()
        scope = {"step": step}
        exec(source, scope)
        try:
            scope["run"](x)
        except Exception as e:
            trace.append(type(e).__name__)
        out.append(" ".join(map(str, trace)))
print("\n".join(out))
`;

  const PROGRAMS = [
    // Straight line with a branch inside the span.
    'import threading\nL = threading.Lock()\ndef run(x):\n    L.acquire()\n    step(1)\n    if x:\n        step(2)\n    step(3)\n    L.release()\n    step(4)\n',
    // A loop that breaks inside the span: the break stays inside, the release point does not move.
    'import threading\nL = threading.Lock()\ndef run(x):\n    step(0)\n    L.acquire()\n    for i in range(3):\n        step(i + 1)\n        if i == x:\n            break\n    L.release()\n    step(9)\n',
    // Inside a loop, one acquire/release pair per round.
    'import threading\nL = threading.Lock()\ndef run(x):\n    for i in range(x):\n        L.acquire()\n        step(i)\n        L.release()\n    step(9)\n',
  ];

  test('before and after the fix, every path acquires and releases at the same steps', async () => {
    const { execFileSync } = await import('node:child_process');
    const fixed: string[] = [];
    for (const source of PROGRAMS) {
      const findings = await lint(source, only);
      expect(findings.map((f) => !!f.fix)).toEqual([true]);
      fixed.push(applyFix(source, findings[0]));
      expect(fixed[fixed.length - 1]).toContain('with L:');
    }
    const run = (sources: string[]) => execFileSync('python3', ['-c', HARNESS], { input: sources.join('\n#----\n'), encoding: 'utf8' });
    const before = run(PROGRAMS);
    expect(before).toContain('acquire 1 2 3 release 4');
    expect(run(fixed)).toBe(before);
  });

  test('the shape whose fix is refused: a with block there would release twice (the trace shows it)', async () => {
    const { execFileSync } = await import('node:child_process');
    const run = (source: string) => execFileSync('python3', ['-c', HARNESS], { input: source, encoding: 'utf8' });
    const held = 'import threading\nL = threading.Lock()\ndef run(x):\n    while True:\n        L.acquire()\n        if x == 1:\n            break\n        L.release()\n        x = 1\n    try:\n        step(1)\n    finally:\n        L.release()\n';
    const naive = held.replace('        L.acquire()\n        if x == 1:\n            break\n        L.release()\n', '        with L:\n            if x == 1:\n                break\n');
    expect(run(held).split('\n')[1]).toBe('acquire 1 release');
    expect(run(naive).split('\n')[1]).toBe('acquire release 1 release RuntimeError');
    const findings = await lint(held.replace('if x == 1:', 'if ready(x):').replace('def run(x):', 'def ready(x):\n    return x == 1\ndef run(x):'), only);
    expect(findings.map((f) => [f.ruleId, !!f.fix])).toEqual([['TL101', false]]);
  });
});
