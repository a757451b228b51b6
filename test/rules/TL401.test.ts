import { applyFix, lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL401'] };

describe('TL401 uninterruptible-consumer', () => {
  test.each([
    // Import forms and bindings of the queue and the event.
    ['import queue, threading\nq = queue.Queue()\ne = threading.Event()\nwhile not e.is_set():\n    q.get()\n', ['5:5 TL401']],
    ['from queue import Queue\nimport threading as th\nq = Queue()\ne = th.Event()\nwhile not e.is_set():\n    q.get()\n', ['6:5 TL401']],
    ['from queue import LifoQueue as L\nfrom threading import Event as E\nq = L()\ne = E()\nwhile not e.is_set():\n    x = q.get()\n', ['6:9 TL401']],
    ['import multiprocessing\nq = multiprocessing.Queue()\nwhile running:\n    x = q.get()\n', ['4:9 TL401']],
    ['import queue\nq = queue.SimpleQueue()\nwhile running:\n    x = q.get(True, None)\n', ['4:9 TL401']],
    ['import queue\ndef f(q: queue.Queue):\n    while running:\n        x = q.get(timeout=None)\n', ['4:13 TL401']],
    ['import queue\nclass W:\n    def __init__(self):\n        self.q = queue.Queue()\n        self._running = True\n    def run(self):\n        while self._running:\n            x = self.q.get()\n', ['8:17 TL401']],
    ['import queue\nclass W:\n    def run(self):\n        q = queue.Queue()\n        while self.is_running:\n            x = q.get()\n', ['6:17 TL401']],
    ['import queue\nwith make() as q:\n    pass\nq = queue.Queue()\nwhile running:\n    x = q.get()\n', []],
    ['import queue\nq = queue.Queue()\nwhile running and not done:\n    x = q.get()\n', ['4:9 TL401']],
    // Not a stop-signal loop, or not a blocking get.
    ['import queue\nq = queue.Queue()\nwhile True:\n    x = q.get()\n', []],
    ['import queue\nq = queue.Queue()\nwhile not done:\n    x = q.get()\n', []],
    ['import queue\nq = queue.Queue()\nwhile running or pending:\n    x = q.get()\n', []],
    ['import queue\nq = queue.Queue()\nwhile running:\n    x = q.get(timeout=1)\n', []],
    ['import queue\nq = queue.Queue()\nwhile running:\n    x = q.get(True, 1)\n', []],
    ['import queue\nq = queue.Queue()\nwhile running:\n    x = q.get(block)\n', []],
    ['import queue\nq = queue.Queue()\nwhile running:\n    x = q.get(*a)\n', []],
    ['import queue\nq = queue.Queue()\nwhile running:\n    x = q.get()\n    if x is None:\n        break\n', []],
    ['import queue\nq = queue.Queue()\nwhile running:\n    x = q.get()\n    if x is not None:\n        go(x)\n    else:\n        return\n', []],
    ['import queue\nq = queue.Queue()\nwhile running:\n    def f():\n        return q.get()\n', []],
    ['import queue\nq = queue.Queue()\nwhile running:\n    x = q.get()\n    if x is None:\n        continue\n    go(x)\n', []],
    ['import queue\nq = queue.Queue()\nwhile running:\n    x = q.get()\n    if x is not None:\n        go(x)\n', []],
    ['import queue\nq = queue.Queue()\nwhile running:\n    kind, x = q.get()\n    if kind == "stop":\n        break\n', []],
    ['import queue\nq = queue.Queue()\nwhile running:\n    go(q.get())\ndef stop():\n    q.put(None)\n', []],
    ['import queue\nq = queue.Queue()\nwhile running:\n    go(q.get())\ndef stop():\n    q.put_nowait(_SENTINEL)\n', []],
    ['import queue\nq = queue.Queue()\nwhile running:\n    go(q.get())\ndef stop():\n    q.put(item)\n', ['4:8 TL401']],
    ['import queue\nq = queue.Queue()\nwhile running:\n    x = q.get()\n    if x == 1:\n        go(x)\n', ['4:9 TL401']],
    ['import asyncio\nq = asyncio.Queue()\nwhile running:\n    x = q.get()\n', []],
    ['while running:\n    x = q.get()\n', []],
    ['import threading\nwhile running:\n    x = d.get(k)\n', []],
    ['import queue\nq = queue.Queue()\nwhile running:\n    x = q.get()  # threadlint: ignore[TL401]\n', []],
  ])('%j', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('the message names the queue and the stop signal', async () => {
    const [finding] = await lint('import queue, threading\nq = queue.Queue()\ne = threading.Event()\nwhile not e.is_set():\n    q.get()\n', only);
    expect(finding.message).toBe(
      '`q.get()` blocks with no timeout inside a loop that tests `not e.is_set()`: on an empty queue the loop never sees the stop signal and shutdown hangs. Use `q.get(timeout=…)` and handle `queue.Empty`, or put a sentinel on the queue to stop the consumer.',
    );
    expect(finding.fix).toBeUndefined();
  });

  test.each([
    [
      'except queue.Empty',
      py`
        import queue
        q = queue.Queue()
        while running:
            try:
                x = q.get()
            except queue.Empty:
                continue
      `,
      'import queue\nq = queue.Queue()\nwhile running:\n    try:\n        x = q.get(timeout=1.0)\n    except queue.Empty:\n        continue\n',
    ],
    [
      'Empty imported from queue, in a tuple, with block=True',
      py`
        from queue import Empty, Queue
        q = Queue()
        while running:
            try:
                x = q.get(block=True)
            except (ValueError, Empty) as e:
                continue
      `,
      'from queue import Empty, Queue\nq = Queue()\nwhile running:\n    try:\n        x = q.get(block=True, timeout=1.0)\n    except (ValueError, Empty) as e:\n        continue\n',
    ],
  ])('fix: %s', async (_title, source, expected) => {
    const [finding] = await lint(source, only);
    expect(finding.fix!.description).toBe('Wait at most 1 second per `q.get()` so the loop re-tests its stop signal');
    expect(applyFix(source, finding)).toBe(expected);
  });

  test.each([
    ['no handler', 'import queue\nq = queue.Queue()\nwhile running:\n    x = q.get()\n'],
    ['another exception', 'import queue\nq = queue.Queue()\nwhile running:\n    try:\n        x = q.get()\n    except KeyError:\n        pass\n'],
    ['the call in the handler', 'import queue\nq = queue.Queue()\nwhile running:\n    try:\n        pass\n    except queue.Empty:\n        x = q.get()\n'],
    ['the try outside the loop', 'import queue\nq = queue.Queue()\ntry:\n    while running:\n        x = q.get()\nexcept queue.Empty:\n    pass\n'],
    ['an explicit timeout=None', 'import queue\nq = queue.Queue()\nwhile running:\n    try:\n        x = q.get(timeout=None)\n    except queue.Empty:\n        pass\n'],
  ])('no fix with %s', async (_title, source) => {
    const findings = await lint(source, only);
    expect(findings).toHaveLength(1);
    expect(findings[0].fix).toBeUndefined();
  });
});
