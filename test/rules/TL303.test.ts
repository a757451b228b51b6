import { applyFix, lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL303'] };

describe('TL303 shutdown-without-cancel', () => {
  test.each([
    ['import concurrent.futures\nex = concurrent.futures.ThreadPoolExecutor()\nex.shutdown(wait=False)\n', ['3:1 TL303']],
    ['import concurrent.futures as cf\nex = cf.ProcessPoolExecutor()\nex.shutdown(False)\n', ['3:1 TL303']],
    ['from concurrent.futures import ThreadPoolExecutor as TPE\nex = TPE()\nex.shutdown(wait=False)\n', ['3:1 TL303']],
    ['from concurrent.futures import ThreadPoolExecutor\nclass S:\n    def __init__(self):\n        self.pool = ThreadPoolExecutor(4)\n    def stop(self):\n        self.pool.shutdown(wait=False)\n', ['6:9 TL303']],
    ['from concurrent.futures import ThreadPoolExecutor\ndef stop(pool: ThreadPoolExecutor):\n    pool.shutdown(wait=False)\n', ['3:5 TL303']],
    ['from typing import Optional\nfrom concurrent.futures import Executor\ndef stop(pool: Optional[Executor]):\n    pool.shutdown(wait=False)\n', ['4:5 TL303']],
    // Already cancelling, or waiting: nothing queued is abandoned.
    ['from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\nex.shutdown(wait=False, cancel_futures=True)\n', []],
    ['from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\nex.shutdown(wait=False, cancel_futures=False)\n', []],
    ['from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\nex.shutdown(False, True)\n', []],
    ['from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\nex.shutdown()\n', []],
    ['from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\nex.shutdown(wait=True)\n', []],
    ['from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\nex.shutdown(wait=flag)\n', []],
    ['from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\nex.shutdown(**opts)\n', []],
    // Look-alikes.
    ['import socket\ns = socket.socket()\ns.shutdown(False)\n', []],
    ['executor.shutdown(wait=False)\n', []],
    ['import asyncio\nloop = asyncio.get_event_loop()\nloop.shutdown(wait=False)\n', []],
  ])('%j', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test.each([
    ['3.8', []],
    ['3.9', ['3:1 TL303']],
    ['3.10', ['3:1 TL303']],
    ['3.13', ['3:1 TL303']],
    ['4', ['3:1 TL303']],
    ['3', []],
  ])('python_version %s', async (version, expected) => {
    const source = 'from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\nex.shutdown(wait=False)\n';
    expect(positions(await lint(source, { ...only, config: { python_version: version } }))).toEqual(expected);
  });

  test.each([
    ['ex.shutdown(wait=False)', 'ex.shutdown(wait=False, cancel_futures=True)'],
    ['ex.shutdown(False)', 'ex.shutdown(False, cancel_futures=True)'],
    ['ex.shutdown(wait=False,)', 'ex.shutdown(wait=False, cancel_futures=True,)'],
    ['ex.shutdown(wait=False)  # stop now', 'ex.shutdown(wait=False, cancel_futures=True)  # stop now'],
    ['ex.shutdown(\n    wait=False,\n)', 'ex.shutdown(\n    wait=False,\n    cancel_futures=True,\n)'],
    ['ex.shutdown(\n    wait=False\n)', 'ex.shutdown(\n    wait=False,\n    cancel_futures=True\n)'],
    ['ex.shutdown(\n        wait=False,  # why\n)', 'ex.shutdown(\n        wait=False,\n        cancel_futures=True,  # why\n)'],
    ['ex.shutdown(wait=False,\n            )', 'ex.shutdown(wait=False, cancel_futures=True,\n            )'],
  ])('fix: %j', async (call, fixed) => {
    const prefix = 'from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\n';
    const [f] = await lint(`${prefix}${call}\n`, only);
    expect(f.message).toBe('`ex.shutdown(wait=False)` lets every queued task still run; add `cancel_futures=True` to cancel the ones that have not started.');
    expect(applyFix(`${prefix}${call}\n`, f)).toBe(`${prefix}${fixed}\n`);
  });

  test('reports the shutdown call inside a method', async () => {
    const source = py`
      from concurrent.futures import ThreadPoolExecutor

      class Crawler:
          pool = ThreadPoolExecutor(max_workers=8)

          def abort(self):
              self.pool.shutdown(wait=False)
    `;
    const [f] = await lint(source, only);
    expect([f.line, f.column, f.endLine, f.endColumn]).toEqual([7, 9, 7, 39]);
    expect(f.fix?.description).toBe('Add `cancel_futures=True`');
  });
});
