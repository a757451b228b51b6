/**
 * The semantic model on its own: what it can show a receiver to be. Each case ends
 * with `<expr>.probe()` calls; the test asks the model for the kind of each receiver.
 */
import { SemanticModel } from '../../src/engine/model/model.js';
import { parse } from '../../src/engine/tree/index.js';
import { py } from '../helpers/lint.js';

async function probes(source: string): Promise<string[]> {
  const parsed = await parse(source);
  if (!parsed.ok) throw new Error(parsed.fault);
  const model = new SemanticModel(parsed.tree, 'm.py');
  return model.calls.flatMap((call) => {
    const m = model.methodCall(call);
    if (m?.method !== 'probe') return [];
    const t = model.typeOf(m.receiver);
    const kind = t ? `${t.collection ? `${t.mapping ? 'dict' : 'list'} of ` : ''}${t.kind}${t.finished ? ' (finished)' : ''}` : 'unknown';
    return [`${m.receiver.text}: ${kind}`];
  });
}

test('every import form RULES.md lists', async () => {
  const source = py`
    import threading
    import threading as th
    from threading import Lock, Event as E
    import concurrent.futures
    import concurrent.futures as cf
    from concurrent.futures import ThreadPoolExecutor
    import queue
    from multiprocessing import Queue as MPQueue
    a = threading.Lock(); b = th.RLock(); c = Lock(); d = E()
    e = concurrent.futures.ThreadPoolExecutor(); f = cf.ProcessPoolExecutor(); g = ThreadPoolExecutor()
    h = queue.PriorityQueue(); i = MPQueue(); j = th.Timer(1, print); k = th.BoundedSemaphore(2)
    a.probe(); b.probe(); c.probe(); d.probe(); e.probe(); f.probe(); g.probe(); h.probe(); i.probe(); j.probe(); k.probe()
  `;
  expect(await probes(source)).toEqual([
    'a: Lock', 'b: RLock', 'c: Lock', 'd: Event', 'e: Executor', 'f: Executor', 'g: Executor',
    'h: Queue', 'i: Queue', 'j: Thread', 'k: Semaphore',
  ]);
});

test('bindings: locals, self attributes, class attributes, with-as, annotations', async () => {
  const source = py`
    import threading
    from typing import Optional
    from concurrent.futures import ThreadPoolExecutor
    class Worker(threading.Thread):
        shared = threading.Lock()
        def __init__(self):
            super().__init__()
            self._stop = threading.Event()
            self._thread = None
        def start_it(self):
            self._thread = threading.Thread(target=self.run)
        def use(self, lock: threading.Lock, maybe: Optional[threading.RLock], other: threading.Event | None, plain):
            self._stop.probe(); self._thread.probe(); self.shared.probe()
            lock.probe(); maybe.probe(); other.probe(); plain.probe(); self.probe()
    def main():
        with ThreadPoolExecutor() as pool:
            pool.probe()
        w = Worker()
        w.probe()
  `;
  expect(await probes(source)).toEqual([
    'self._stop: Event', 'self._thread: Thread', 'self.shared: Lock',
    'lock: Lock', 'maybe: RLock', 'other: Event', 'plain: unknown', 'self: unknown',
    'pool: Executor', 'w: Thread',
  ]);
});

test('futures: submit results, collections, as_completed items, wait() sets, subscripts', async () => {
  const source = py`
    from concurrent.futures import ThreadPoolExecutor, as_completed, wait
    def run(items):
        ex = ThreadPoolExecutor()
        one = ex.submit(len, items)
        many = [ex.submit(len, i) for i in items]
        by_item = {ex.submit(len, i): i for i in items}
        appended = []
        for i in items:
            appended.append(ex.submit(len, i))
        done, pending = wait(many)
        for f in as_completed(many):
            f.probe()
        one.probe(); many.probe(); by_item.probe(); appended.probe(); done.probe(); pending.probe()
        many[0].probe(); by_item[one].probe()
  `;
  expect(await probes(source)).toEqual([
    'f: Future (finished)', 'one: Future', 'many: list of Future', 'by_item: dict of Future', 'appended: list of Future',
    'done: list of Future (finished)', 'pending: list of Future', 'many[0]: Future', 'by_item[one]: unknown',
  ]);
});

test('look-alikes and shadowing stay unknown', async () => {
  const source = py`
    import threading
    import asyncio
    lock = asyncio.Lock()
    t = threading.Thread(target=print)
    t = object()
    parts = ", "
    def f(threading):
        threading.Lock().probe()
    lock.probe(); t.probe(); parts.probe()
  `;
  expect(await probes(source)).toEqual(['threading.Lock(): unknown', 'lock: unknown', 't: unknown', 'parts: unknown']);
});

test('a star import of threading resolves its names', async () => {
  const source = 'from threading import *\nfrom queue import *\nl = Lock()\nq = Queue()\nl.probe(); q.probe()\n';
  expect(await probes(source)).toEqual(['l: Lock', 'q: Queue']);
});

test('an unannotated parameter of a private function or method has the kind every call passes', async () => {
  const source = py`
    import queue
    import threading

    def _drain(q, stop):
        q.probe()
        stop.probe()

    def _maybe(q):
        q.probe()

    def _handed_on(q):
        q.probe()

    def public(q):
        q.probe()

    class Pump:
        def __init__(self):
            self._q = queue.Queue()
            self._stop = threading.Event()

        def run(self):
            _drain(self._q, stop=self._stop)
            _drain(queue.Queue(), self._stop)
            _maybe(self._q)
            _maybe(object())
            self._flush(self._q)
            threading.Thread(target=_handed_on, args=(self._q,)).start()
            _handed_on(self._q)
            public(self._q)

        def _flush(self, q):
            q.probe()
  `;
  expect(await probes(source)).toEqual([
    'q: Queue',
    'stop: Event',
    'q: unknown', // one call passes something unknown
    'q: unknown', // also handed to a thread with other arguments
    'q: unknown', // public: callers elsewhere
    'q: Queue', // a private method called through self
  ]);
});
