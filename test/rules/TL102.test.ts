import { applyFix, lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL102'] };

describe('TL102 unchecked-acquire', () => {
  test.each([
    ['import threading\nL = threading.Lock()\nL.acquire(timeout=5)\n', ['3:1 TL102']],
    ['import threading as th\nL = th.RLock()\nL.acquire(False)\n', ['3:1 TL102']],
    ['from threading import Lock\nL = Lock()\nL.acquire(blocking=False)\n', ['3:1 TL102']],
    ['from threading import Semaphore as S\nsem = S(2)\nsem.acquire(True, 0.5)\n', ['3:1 TL102']],
    ['import threading\nL = threading.Lock()\nL.acquire(0)\n', ['3:1 TL102']],
    ['import threading\nclass A:\n    def __init__(self):\n        self._lock = threading.Lock()\n    def f(self):\n        self._lock.acquire(timeout=1)\n', ['6:9 TL102']],
    ['import threading\ndef f(c: threading.Condition):\n    c.acquire(timeout=1)\n', ['3:5 TL102']],
    // the result is used, or there is no timeout
    ['import threading\nL = threading.Lock()\nL.acquire()\n', []],
    ['import threading\nL = threading.Lock()\nL.acquire(True)\n', []],
    ['import threading\nL = threading.Lock()\nL.acquire(timeout=-1)\n', []],
    ['import threading\nS = threading.Semaphore()\nS.acquire(timeout=None)\n', []],
    ['import threading\nL = threading.Lock()\nok = L.acquire(timeout=5)\n', []],
    ['import threading\nL = threading.Lock()\nif not L.acquire(timeout=5):\n    raise TimeoutError\n', []],
    ['import threading\nL = threading.Lock()\nassert L.acquire(False)\n', []],
    ['import threading\nL = threading.Lock()\nL.acquire(flag)\n', []],
    ['import threading\nL = threading.Lock()\nL.acquire(**kw)\n', []],
    // look-alikes
    ['import asyncio\nL = asyncio.Lock()\nL.acquire(timeout=5)\n', []],
    ['def f(lock):\n    lock.acquire(timeout=5)\n', []],
    ['import threading\nL = threading.Lock()\nL.acquire(timeout=5)  # noqa: TL102\n', []],
  ])('%j', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('the fix raises TimeoutError when the timed acquire fails', async () => {
    const source = py`
      import threading
      lock = threading.Lock()
      def f():
          lock.acquire(timeout=5)
          try:
              g()
          finally:
              lock.release()
    `;
    const [finding] = await lint(source, only);
    expect(finding.message).toBe(
      '`lock.acquire(timeout=5)` returns False on timeout, and the result is dropped: the code after it then runs without `lock`. Check it: `if not lock.acquire(timeout=5): raise TimeoutError(…)`.',
    );
    expect(applyFix(source, finding)).toBe(py`
      import threading
      lock = threading.Lock()
      def f():
          if not lock.acquire(timeout=5):
              raise TimeoutError("could not acquire lock")
          try:
              g()
          finally:
              lock.release()
    `);
    // The fixed code is TL101-clean too.
    expect(await lint(applyFix(source, finding), { select: ['TL1'] })).toEqual([]);
  });

  test('a non-blocking acquire says so, and keeps the caller arguments', async () => {
    const source = 'import threading\nclass A:\n  def __init__(self):\n    self._lock = threading.Lock()\n  def f(self):\n    self._lock.acquire(blocking=False)\n';
    const [finding] = await lint(source, only);
    expect(finding.message).toContain('returns False when the lock is busy');
    expect(applyFix(source, finding)).toBe(
      'import threading\nclass A:\n  def __init__(self):\n    self._lock = threading.Lock()\n  def f(self):\n    if not self._lock.acquire(blocking=False):\n      raise TimeoutError("could not acquire self._lock without blocking")\n',
    );
  });

  test('a trailing comment stays on the if line', async () => {
    const source = 'import threading\nL = threading.Lock()\nL.acquire(timeout=1)  # bounded\n';
    const [finding] = await lint(source, only);
    expect(applyFix(source, finding)).toBe('import threading\nL = threading.Lock()\nif not L.acquire(timeout=1):  # bounded\n    raise TimeoutError("could not acquire L")\n');
  });

  test('a call over several lines is shown short and kept whole', async () => {
    const source = 'import threading\nL = threading.Lock()\nL.acquire(\n    timeout=2,\n)\n';
    const [finding] = await lint(source, only);
    expect(finding.message).toBe(
      '`L.acquire(…)` returns False on timeout, and the result is dropped: the code after it then runs without `L`. Check it: `if not L.acquire(…): raise TimeoutError(…)`.',
    );
    expect(applyFix(source, finding)).toBe('import threading\nL = threading.Lock()\nif not L.acquire(\n    timeout=2,\n):\n    raise TimeoutError("could not acquire L")\n');
  });

  test('no fix where the statement shares its line', async () => {
    const findings = await lint('import threading\nL = threading.Lock()\nif x: L.acquire(timeout=1)\nL.acquire(False); g()\n', only);
    expect(findings.map((f) => [f.line, !!f.fix])).toEqual([
      [3, false],
      [4, false],
    ]);
  });

  test('an unguarded timed acquire is reported by TL101 too, each with its own fix', async () => {
    const source = 'import threading\nL = threading.Lock()\nL.acquire(timeout=1)\ng()\nL.release()\n';
    const findings = await lint(source, { select: ['TL101', 'TL102'] });
    expect(findings.map((f) => `${f.line}:${f.column} ${f.ruleId} ${!!f.fix}`)).toEqual(['3:1 TL101 false', '3:1 TL102 true']);
  });
});
