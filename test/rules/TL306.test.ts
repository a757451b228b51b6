import { lint, positions } from '../helpers/lint.js';

const only = { select: ['TL306'] };

const inFn = (imports: string, body: string) => `${imports}\ndef run(items, ex2):\n${body.split('\n').map((l) => (l ? `    ${l}` : l)).join('\n')}\n`;

describe('TL306 lost-future-exception', () => {
  test.each([
    ['from concurrent.futures import ThreadPoolExecutor\nwith ThreadPoolExecutor() as ex:\n    ex.submit(f, 1)\n', ['3:5 TL306']],
    ['import concurrent.futures as cf\nex = cf.ThreadPoolExecutor()\nex.submit(f)\n', ['3:1 TL306']],
    ['import concurrent.futures\nex = concurrent.futures.ProcessPoolExecutor()\n(ex.submit(f))\n', ['3:2 TL306']],
    ['from concurrent.futures import ThreadPoolExecutor as TPE\nclass S:\n    def __init__(self):\n        self.pool = TPE()\n    def go(self):\n        self.pool.submit(self.work)\n', ['6:9 TL306']],
    ['from concurrent.futures import Executor\ndef go(pool: Executor):\n    pool.submit(f)\n', ['3:5 TL306']],
    // The Future is used.
    ['from concurrent.futures import ThreadPoolExecutor\nwith ThreadPoolExecutor() as ex:\n    ex.submit(f).result()\n', []],
    ['from concurrent.futures import ThreadPoolExecutor\nwith ThreadPoolExecutor() as ex:\n    ex.submit(f).add_done_callback(log)\n', []],
    ['from concurrent.futures import ThreadPoolExecutor\nwith ThreadPoolExecutor() as ex:\n    fut = ex.submit(f)\nprint(fut.result())\n', []],
    // Look-alikes.
    ['pool.submit(f)\n', []],
    ['import asyncio\nloop = asyncio.get_event_loop()\nloop.submit(f)\n', []],
    ['from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\nex.submit(f)  # noqa: TL306\n', []],
  ])('%j', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test.each([
    ['fut = ex.submit(f)', ['4:15 TL306']],
    ['futures = [ex.submit(f, x) for x in items]', ['4:20 TL306']],
    ['futures = {ex.submit(f, x): x for x in items}', ['4:20 TL306']],
    ['futures = [ex.submit(f, 1), ex.submit(f, 2)]', ['4:20 TL306', '4:37 TL306']],
    ['futures = []\nfor x in items:\n    futures.append(ex.submit(f, x))', ['6:28 TL306']],
    ['futures = {}\nfor x in items:\n    futures[x] = ex.submit(f, x)', ['6:26 TL306']],
    ['futures = set()\nfor x in items:\n    futures.add(ex.submit(f, x))\ndel futures', ['6:25 TL306']],
    // Read afterwards.
    ['fut = ex.submit(f)\nreturn fut', []],
    ['fut = ex.submit(f)\nfut.result(timeout=5)', []],
    ['futures = [ex.submit(f, x) for x in items]\nwait(futures)', []],
    ['futures = []\nfor x in items:\n    futures.append(ex.submit(f, x))\nfor fut in futures:\n    fut.result()', []],
    ['futures = {}\nfor x in items:\n    futures[x] = ex.submit(f, x)\nreturn futures', []],
    ['self.fut = ex.submit(f)', []],
    ['results.append(ex.submit(f).result())', []],
    ['fut = ex.submit(f)\ndef later():\n    return fut.result()\nreturn later', []],
  ])('collected in a function: %j', async (body, expected) => {
    const source = inFn('from concurrent.futures import ThreadPoolExecutor', `with ThreadPoolExecutor() as ex:\n${body.split('\n').map((l) => `    ${l}`).join('\n')}`);
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('messages', async () => {
    const bare = await lint('from concurrent.futures import ThreadPoolExecutor\nwith ThreadPoolExecutor() as pool:\n    pool.submit(f)\n', only);
    expect(bare[0].message).toBe(
      'The Future of `pool.submit(…)` is discarded: an exception in the task is never seen. Keep the Future and call `result()` on it, or add a done-callback that logs `exception()`.',
    );
    const named = await lint(inFn('from concurrent.futures import ThreadPoolExecutor', 'with ThreadPoolExecutor() as pool:\n    jobs = [pool.submit(f, x) for x in items]'), only);
    expect(named[0].message).toBe(
      'The Futures of `pool.submit(…)` are collected into `jobs`, which is never read: an exception in the task is never seen. Call `result()` on each, e.g. over `as_completed(jobs)`.',
    );
    expect([named[0].line, named[0].column, named[0].endLine, named[0].endColumn]).toEqual([4, 17, 4, 34]);
  });
});
