import { applyFix, lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL201'] };

describe('TL201 blocking-call-without-timeout', () => {
  test.each([
    // threads
    ['import threading\nt = threading.Thread(target=f)\nt.join()\n', ['3:1 TL201']],
    ['import threading as th\nt = th.Timer(1, f)\nt.join(None)\n', ['3:1 TL201']],
    ['import threading\nclass W(threading.Thread): pass\nw = W()\nw.join()\n', ['4:1 TL201']],
    ['import threading\nclass S:\n    def __init__(self):\n        self._t = threading.Thread(target=f)\n    def stop(self):\n        self._t.join()\n', ['6:9 TL201']],
    ['from threading import Thread\ndef stop(t: Thread):\n    t.join()\n', ['3:5 TL201']],
    ['import threading\nt = threading.Thread(target=f)\nt.join(5)\nt.join(timeout=5)\nt.join(timeout=t)\n', []],
    ['", ".join(parts)\nimport os\nos.path.join(a, b)\n', []],
    // events, conditions, barriers
    ['from threading import Event\nev = Event()\nev.wait()\nev.wait(1)\n', ['3:1 TL201']],
    ['import threading\nc = threading.Condition()\nwith c:\n    c.wait()\n    c.wait(timeout=2)\n    c.wait_for(ready)\n', ['4:5 TL201']],
    ['import threading\nb = threading.Barrier(2)\nb.wait()\nb.wait(3)\n', ['3:1 TL201']],
    // queues
    ['from queue import Queue\nq = Queue()\nq.get()\nq.get(True)\nq.get(block=True, timeout=None)\n', ['3:1 TL201', '4:1 TL201', '5:1 TL201']],
    ['import queue\nq = queue.Queue()\nq.get(True, 5)\nq.get(timeout=1)\nq.get(False)\nq.get(block=False)\nq.get_nowait()\nq.get(flag)\n', []],
    ['import multiprocessing\nq = multiprocessing.JoinableQueue()\nq.get()\n', ['3:1 TL201']],
    ['d = {}\nd.get(k)\nimport requests\nrequests.get(url)\nimport queue\nqueue.get()\n', []],
    // futures
    ['from concurrent.futures import ThreadPoolExecutor\nwith ThreadPoolExecutor() as ex:\n    f = ex.submit(g)\n    f.result()\n    f.exception()\n', ['4:5 TL201', '5:5 TL201']],
    ['import concurrent.futures as cf\nex = cf.ProcessPoolExecutor()\nfs = [ex.submit(g, i) for i in range(3)]\nfor f in fs:\n    f.result()\n', ['5:5 TL201']],
    ['import concurrent.futures\nex = concurrent.futures.ThreadPoolExecutor()\nfs = {ex.submit(g, i): i for i in range(3)}\nfor f in concurrent.futures.as_completed(fs):\n    f.result()\n', ['4:10 TL201']],
    ['from concurrent.futures import ThreadPoolExecutor, wait\nex = ThreadPoolExecutor()\nfs = [ex.submit(g)]\ndone, pending = wait(fs)\nfor f in done:\n    f.result()\n', ['4:17 TL201']],
    ['from concurrent.futures import ThreadPoolExecutor, wait, as_completed\nex = ThreadPoolExecutor()\nfs = [ex.submit(g)]\nwait(fs, 5)\nwait(fs, timeout=5)\nfor f in as_completed(fs, 5):\n    f.result()\n', []],
    // the innermost loop decides, even when the name is bound by other loops too
    ['from concurrent.futures import ThreadPoolExecutor, as_completed\nex = ThreadPoolExecutor()\nfs = [ex.submit(g)]\nfor f in fs:\n    f.result()\nfor f in as_completed(fs, 5):\n    f.result()\n', ['5:5 TL201']],
    // the executor's with block has ended: shutdown(wait=True) already waited
    ['from concurrent.futures import ThreadPoolExecutor\nwith ThreadPoolExecutor() as ex:\n    a = ex.submit(g)\n    fs = [ex.submit(g, i) for i in range(3)]\na.result()\nfor f in fs:\n    f.exception()\nprint([f.result() for f in fs])\n', []],
    ['from concurrent.futures import ThreadPoolExecutor\nother = ThreadPoolExecutor()\nwith ThreadPoolExecutor() as ex:\n    a = other.submit(g)\n    a.result()\na.result()\n', ['5:5 TL201', '6:1 TL201']],
    ['from concurrent.futures import Future, ThreadPoolExecutor\ndef cb(fut: Future):\n    fut.result()\nex = ThreadPoolExecutor()\nex.submit(g).add_done_callback(cb)\n', []],
    ['from concurrent.futures import Future\nclass A:\n    def cb(self, fut: Future):\n        fut.exception()\n    def go(self, f: Future):\n        f.add_done_callback(self.cb)\n', []],
    ['from concurrent.futures import Future\ndef other(fut: Future):\n    fut.result()\n', ['3:5 TL201']],
    ['def f(future):\n    future.result()\n', []],
    // locks: TL201 takes the guarded blocking acquires, TL101 the unguarded ones
    ['import threading\nL = threading.Lock()\nstart()\nL.acquire()\ntry:\n    g()\nfinally:\n    L.release()\n', ['4:1 TL201']],
    ['import threading\nS = threading.Semaphore(0)\ndef wait_for_worker():\n    S.acquire()\n', ['4:5 TL201']],
    ['import threading\nL = threading.Lock()\nL.acquire()\ng()\nL.release()\n', []],
    ['import threading\nL = threading.Lock()\nif not L.acquire(timeout=5):\n    raise TimeoutError\ntry:\n    g()\nfinally:\n    L.release()\n', []],
    ['import threading\nL = threading.Lock()\nL.acquire(False)\nL.acquire(True, 1)\n', []],
    ['import threading\nc = threading.Condition()\nc.acquire()\ntry:\n    c.wait(1)\nfinally:\n    c.release()\n', []],
    ['import threading\nclass A:\n    def __init__(self):\n        self._lock = threading.Lock()\n    def __enter__(self):\n        self._lock.acquire()\n', []],
    ['import threading\ndef f():\n    done = threading.Lock()\n    done.acquire()\n    start(done)\n', []],
    ['import asyncio\nev = asyncio.Event()\nev.wait()\n', []],
    ['import threading\nt = threading.Thread(target=f)\nt.join()  # threadlint: ignore[TL201]\n', []],
  ])('%j', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('messages say what can hang and how to bound it', async () => {
    const source = py`
      import threading, queue
      t = threading.Thread(target=f)
      t.join()
      q = queue.Queue()
      item = q.get()
      ev = threading.Event()
      ev.wait()
    `;
    expect((await lint(source, only)).map((f) => f.message)).toEqual([
      '`t.join()` waits forever if the thread never ends; pass a timeout (`t.join(timeout=…)`) and check `t.is_alive()` after.',
      '`q.get()` waits forever if nothing is ever put; pass a timeout (`q.get(timeout=…)`) and handle `queue.Empty`.',
      '`ev.wait()` waits forever if the event is never set; pass a timeout (`ev.wait(timeout=…)`) and act on a False result.',
    ]);
  });

  test('Future.result() gets the configured timeout', async () => {
    const source = py`
      from concurrent.futures import ThreadPoolExecutor
      with ThreadPoolExecutor() as pool:
          value = pool.submit(g).result()
    `;
    const [finding] = await lint(source, only);
    expect(finding.message).toBe('`pool.submit(g).result()` waits forever if the task never finishes; pass a timeout (`pool.submit(g).result(timeout=…)`).');
    expect(applyFix(source, finding)).toBe(py`
      from concurrent.futures import ThreadPoolExecutor
      with ThreadPoolExecutor() as pool:
          value = pool.submit(g).result(timeout=30)
    `);
    const [custom] = await lint(source, { ...only, config: { default_timeout: 2.5 } });
    expect(applyFix(source, custom)).toContain('.result(timeout=2.5)');
  });

  test('as_completed gets a timeout argument, also around a bare generator', async () => {
    const source = py`
      from concurrent.futures import ThreadPoolExecutor, as_completed
      ex = ThreadPoolExecutor()
      fs = [ex.submit(g, i) for i in range(3)]
      for f in as_completed(fs,):
          f.result()
      for f in as_completed(ex.submit(g, i) for i in range(3)):
          f.result()
    `;
    const findings = await lint(source, only);
    expect(findings.map((f) => f.line)).toEqual([4, 6]);
    expect(findings[0].message).toBe('`as_completed(…)` waits forever if a future never finishes; pass `timeout=` (it raises TimeoutError).');
    expect(applyFix(source, findings[0]).split('\n')[3]).toBe('for f in as_completed(fs, timeout=30,):');
    expect(applyFix(source, findings[1]).split('\n')[5]).toBe('for f in as_completed((ex.submit(g, i) for i in range(3)), timeout=30):');
  });

  test.each([
    ['Future.exception()', 'from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\nex.submit(g).exception()\n'],
    ['wait(fs)', 'from concurrent.futures import ThreadPoolExecutor, wait\nex = ThreadPoolExecutor()\nwait([ex.submit(g)])\n'],
    ['Thread.join()', 'import threading\nt = threading.Thread(target=f)\nt.join()\n'],
    ['result(None)', 'from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\nex.submit(g).result(None)\n'],
  ])('no fix for %s', async (_name, source) => {
    const findings = await lint(source, only);
    expect(findings.map((f) => [f.ruleId, f.line, !!f.fix])).toEqual([['TL201', 3, false]]);
  });
});

test('acquire() on a lock constructed in the same expression never blocks: TL103, not TL201', async () => {
  const source = 'import threading\nthreading.Lock().acquire()\nthreading.Semaphore(1).acquire()\n';
  expect(positions(await lint(source, { select: ['TL201'] }))).toEqual([]);
  expect(positions(await lint(source, { select: ['TL103'] }))).toEqual(['2:1 TL103']);
});
