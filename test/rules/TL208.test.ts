import { applyFix, lint, positions } from '../helpers/lint.js';

const only = { select: ['TL208'] };

/** A worker whose `_run` is `body`, with a stop Event `self._stop`. */
const worker = (body: string, imports = 'import threading, time') =>
  [
    imports,
    'class W:',
    '    def __init__(self):',
    '        self._stop = threading.Event()',
    '        self.interval = 5',
    '    def _run(self):',
    ...body.split('\n').map((l) => `        ${l}`),
    '',
  ].join('\n');

describe('TL208 sleep-in-stoppable-loop', () => {
  test.each([
    // The loop tests the Event in its condition, or leaves on it.
    [worker('while not self._stop.is_set():\n    work()\n    time.sleep(self.interval)'), ['9:13 TL208']],
    [worker('while not self._stop.is_set() and self.ok:\n    work()\n    time.sleep(2)'), ['9:13 TL208']],
    [worker('while True:\n    if self._stop.is_set():\n        return\n    work()\n    time.sleep(1)'), ['11:13 TL208']],
    [worker('while not self._stop.isSet():\n    work()\n    time.sleep(60)'), ['9:13 TL208']],
    [worker('while not self._stop.is_set():\n    work()\n    sleep(10)', 'import threading\nfrom time import sleep'), ['10:13 TL208']],
    [worker('while not self._stop.is_set():\n    try:\n        work()\n    except OSError:\n        time.sleep(self.interval)'), ['11:17 TL208']],
    // Already waiting on the Event; pauses under a second; a fraction of a second.
    [worker('while not self._stop.is_set():\n    work()\n    self._stop.wait(self.interval)'), []],
    [worker('while not self._stop.is_set():\n    work()\n    time.sleep(0.5)'), []],
    [worker('while not self._stop.is_set():\n    work()\n    time.sleep(1 / self.interval)'), []],
    // Not a stop Event: a flag, an unknown object, a loop with no stop test.
    [worker('while self.running:\n    work()\n    time.sleep(5)'), []],
    [worker('while not self.other.is_set():\n    work()\n    time.sleep(5)'), []],
    [worker('while self._stop.is_set():\n    work()\n    time.sleep(5)'), []],
    [worker('for _ in range(3):\n    work()\n    time.sleep(5)'), []],
    // A body that only sleeps is TL202's; a sleep in an inner loop; a sleep whose result is used.
    [worker('while not self._stop.is_set():\n    time.sleep(5)'), []],
    [worker('while not self._stop.is_set():\n    for x in xs:\n        time.sleep(5)'), []],
    [worker('while not self._stop.is_set():\n    work()\n    r = time.sleep(5)'), []],
  ])('%#', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('the message names the sleep, the Event and the cure, and the fix waits on the Event', async () => {
    const source = worker('while not self._stop.is_set():\n    work()\n    time.sleep(self.interval)');
    const [finding] = await lint(source, only);
    expect(finding.message).toBe(
      '`time.sleep(self.interval)` pauses a loop that stops on `self._stop`: while it sleeps, setting `self._stop` goes unseen, so shutdown waits up to the whole pause (and a `join(timeout)` shorter than it gives up). Use `self._stop.wait(self.interval)`: the same pause, over as soon as `self._stop` is set.',
    );
    expect(finding.fix!.description).toBe('Wait on `self._stop` instead of sleeping');
    expect(applyFix(source, finding)).toBe(worker('while not self._stop.is_set():\n    work()\n    self._stop.wait(self.interval)'));
  });

  test('the fix keeps the argument as written and works for a parameter Event', async () => {
    const source = 'import threading, time\ndef loop(stop: threading.Event, n):\n    while not stop.is_set():\n        tick()\n        time.sleep(  n * 2 )\n';
    const [finding] = await lint(source, only);
    expect(applyFix(source, finding)).toBe('import threading, time\ndef loop(stop: threading.Event, n):\n    while not stop.is_set():\n        tick()\n        stop.wait(n * 2)\n');
  });
});
