import { execFileSync } from 'node:child_process';
import { applyFix, lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL108'] };

/** A class with a lock of its own whose `get` holds it for the rest of the call, and `body` before that. */
const pool = (body: string, init = 'self._conns = {}') =>
  [
    'import threading',
    'class Pool:',
    '    def __init__(self):',
    '        self._lock = threading.Lock()',
    `        ${init}`,
    '        self._count = 0',
    '    def get(self, k):',
    ...body.split('\n').map((l) => `        ${l}`),
    '        with self._lock:',
    '            self._count += 1',
    '',
  ].join('\n');

/** A module function submitted to a pool, with `body` as its code. */
const submitted = (body: string, header = '_cache = {}') =>
  [
    'import threading',
    'import queue',
    'from concurrent.futures import ThreadPoolExecutor',
    header,
    'def work(k):',
    ...body.split('\n').map((l) => `    ${l}`),
    'def main(keys):',
    '    with ThreadPoolExecutor(4) as ex:',
    '        for k in keys:',
    '            ex.submit(work, k)',
    '',
  ].join('\n');

describe('TL108 check-then-act', () => {
  test.each([
    // The dict form: a resource, a lock, a fresh list, built twice.
    [pool('if k not in self._conns:\n    self._conns[k] = connect(k)'), ['8:9 TL108']],
    [pool('if self._conns.get(k) is None:\n    self._conns[k] = threading.Lock()'), ['8:9 TL108']],
    [pool('if not self._conns.get(k):\n    self._conns[k] = []\nself._conns[k].append(1)'), ['8:9 TL108']],
    [submitted('if k not in _cache:\n    _cache[k] = threading.Event()'), ['6:5 TL108']],
    // The lazy form: an executor, a connection; `or` in the test.
    [pool('if self._ex is None:\n    self._ex = ThreadPoolExecutor(2)', 'self._ex = None'), ['8:9 TL108']],
    [pool('if not self._conn or self._conn.closed:\n    self._conn = create_connection(k)', 'self._conn = None'), ['8:9 TL108']],
    [submitted('global _pool\nif _pool is None:\n    _pool = make_pool()', '_pool = None'), ['7:5 TL108']],
    // The test outside the lock, the act under it, no second test: two builds.
    [pool('if self._ex is None:\n    with self._lock:\n        self._ex = ThreadPoolExecutor(2)', 'self._ex = None'), ['8:9 TL108']],
    // The queue forms, with several consumers.
    [submitted('while not q.empty():\n    q.get()', 'q = queue.Queue()'), ['6:5 TL108']],
    [submitted('if not q.empty():\n    q.get_nowait()', 'q = queue.Queue()'), ['6:5 TL108']],
    [submitted('if q.qsize() > 0:\n    q.get(timeout=1)', 'q = queue.Queue()'), ['6:5 TL108']],
    // The early-exit form of the same tests.
    [pool('if k in self._conns:\n    return self._conns[k]\nc = connect(k)\nself._conns[k] = c'), ['8:9 TL108']],
    [pool('if self._ex is not None:\n    return self._ex\nself._ex = ThreadPoolExecutor(2)', 'self._ex = None'), ['8:9 TL108']],
    [pool('if k in self._conns:\n    return self._conns[k]\nwith self._lock:\n    if k in self._conns:\n        return self._conns[k]\n    self._conns[k] = connect(k)'), []],
    [pool('if k in self._conns:\n    return self._conns[k]\nelse:\n    pass\nself._conns[k] = connect(k)'), []],
    // Test and act under the same lock, but in two holds.
    [pool('with self._lock:\n    if k in self._conns:\n        return self._conns[k]\nc = connect(k)\nwith self._lock:\n    self._conns[k] = c'), ['9:13 TL108']],

    // Not flagged: setdefault, double-checked locking, one hold, construction.
    [pool('self._conns.setdefault(k, [])'), []],
    [pool('if k not in self._conns:\n    with self._lock:\n        if k not in self._conns:\n            self._conns[k] = connect(k)'), []],
    [pool('with self._lock:\n    if k not in self._conns:\n        self._conns[k] = connect(k)'), []],
    [pool('pass', 'self._conns = {}\n        if "a" not in self._conns:\n            self._conns["a"] = connect("a")'), []],
    // The second hold tests again before it stores.
    [pool('with self._lock:\n    if k in self._conns:\n        return self._conns[k]\nc = connect(k)\nwith self._lock:\n    if k not in self._conns:\n        self._conns[k] = c'), []],
    // A memo of an equal value, a flag: a second fill does no harm.
    [pool('if k not in self._conns:\n    self._conns[k] = k.upper()'), []],
    [pool('if self._ready is None:\n    self._ready = True', 'self._ready = None'), []],
    // Shared state not shown: no lock and no thread; a lock that is handed in; locals.
    ['class C:\n    def __init__(self):\n        self._d = {}\n    def get(self, k):\n        if k not in self._d:\n            self._d[k] = connect(k)\n        return self._d[k]\n', []],
    ['import threading\nclass C:\n    def __init__(self, lock: threading.Lock):\n        self._lock = lock\n        self._t = None\n    def start(self):\n        if self._t is None:\n            self._t = threading.Thread(target=print)\n    def send(self):\n        with self._lock:\n            pass\n', []],
    [submitted('d = {}\nif k not in d:\n    d[k] = threading.Lock()'), []],
    [submitted('conn = None\nif not conn:\n    conn = connect(k)'), []],
    // A bare name without `global` is a local.
    [submitted('if _pool is None:\n    _pool = make_pool()', '_pool = None'), []],
    // The queue: get_nowait under try/except Empty; a deque; one consumer after joining.
    [submitted('while not q.empty():\n    try:\n        q.get_nowait()\n    except queue.Empty:\n        break', 'q = queue.Queue()'), []],
    [submitted('while q:\n    q.popleft()', 'import collections\nq = collections.deque()'), []],
    [submitted('while not q.empty():\n    q.get()', 'import asyncio\nq = asyncio.Queue()'), []],
    ['import queue, threading\ndef run(q: queue.Queue, threads):\n    for t in threads:\n        t.join()\n    while not q.empty():\n        q.get()\n', []],
    // A lock-taking decorator; a name that says the caller holds the lock.
    [submitted('if k not in _cache:\n    _cache[k] = threading.Event()', '_cache = {}\nimport functools\ndef synchronized(f):\n    return f').replace('def work(k):', '@synchronized\ndef work(k):'), []],
    // Coroutines interleave only at an await.
    [pool('pass').replace('    def get(self, k):', '    async def ready(self):\n        if self._ev is None:\n            self._ev = threading.Event()\n    def get(self, k):'), []],
  ])('%#', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('the message names the test, the act, the evidence of concurrency and the harm', async () => {
    const [finding] = await lint(pool('if k not in self._conns:\n    self._conns[k] = connect(k)'), only);
    expect(finding.message).toBe(
      '`k not in self._conns` tests `self._conns` and `self._conns[k] = connect(k)` (line 9) fills it with no lock held across both, and `Pool` creates its own lock `_lock` (line 4), and `get` itself takes `self._lock` (line 10) for the rest of the operation: two threads can both miss the key, and both threads build a resource (`connect(k)`), one overwrites the other\'s, and each thread goes on with a different one. Hold one lock around the test and the fill, or use `setdefault`.',
    );
    expect([finding.line, finding.endLine, finding.endColumn]).toEqual([8, 8, 32]);
  });

  test('the queue message says what the get does when another consumer won', async () => {
    const [finding] = await lint(submitted('while not q.empty():\n    q.get()', 'q = queue.Queue()'), only);
    expect(finding.message).toContain('which then blocks until something else is put');
    const [raising] = await lint(submitted('if not q.empty():\n    q.get_nowait()', 'q = queue.Queue()'), only);
    expect(raising.message).toContain('which then raises `queue.Empty`');
  });

  test.each([
    ['a fresh list', pool('if k not in self._conns:\n    self._conns[k] = []'), 'self._conns.setdefault(k, [])'],
    ['a set() call, a module dict', submitted('if k not in _cache:\n    _cache[k] = set()'), '_cache.setdefault(k, set())'],
    ['a trailing comment stays on the line', pool('if k not in self._conns:  # per host\n    self._conns[k] = {}'), 'self._conns.setdefault(k, {})  # per host'],
  ])('the setdefault fix: %s', async (_title, source, replacement) => {
    const findings = await lint(source, only);
    expect(findings).toHaveLength(1);
    const fixed = applyFix(source, findings[0]);
    expect(fixed).toContain(replacement);
    expect(await lint(fixed, only)).toEqual([]);
    expect(findings[0].fix!.safe).toBe(true);
  });

  test.each([
    ['an else branch', pool('if k not in self._conns:\n    self._conns[k] = []\nelse:\n    pass')],
    ['more than the store in the block', pool('if k not in self._conns:\n    self._conns[k] = []\n    print(k)')],
    ['the get form (a stored None would be replaced, setdefault keeps it)', pool('if self._conns.get(k) is None:\n    self._conns[k] = []')],
    ['a value with side effects', pool('if k not in self._conns:\n    self._conns[k] = connect(k)')],
    ['a container not known to be a dict', pool('if k not in self._conns:\n    self._conns[k] = []', 'self._conns = make_map()')],
    ['a key with side effects', pool('if next_id() not in self._conns:\n    self._conns[next_id()] = []')],
    ['a comment inside the block', pool('if k not in self._conns:\n    # new host\n    self._conns[k] = []')],
  ])('no fix with %s', async (_title, source) => {
    const findings = await lint(source, only);
    expect(findings).toHaveLength(1);
    expect(findings[0].fix).toBeUndefined();
  });

  test('the fixed program means the same: setdefault fills a missing key once and keeps an existing one (python3)', async () => {
    const source = py`
      import threading
      class Pool:
          def __init__(self):
              self._lock = threading.Lock()
              self._conns = {}
              self._count = 0
          def get(self, k):
              if k not in self._conns:
                  self._conns[k] = []
              self._conns[k].append(k)
              with self._lock:
                  self._count += 1
              return self._conns
    `;
    const [finding] = await lint(source, only);
    const fixed = applyFix(source, finding);
    const harness = 'p = Pool()\nfor k in ["a", "b", "a", "c", "a"]:\n    p.get(k)\np._conns["z"] = ["kept"]\np.get("z")\nprint(sorted(p._conns.items()))\n';
    const run = (code: string) => execFileSync('python3', ['-c', code + harness], { encoding: 'utf8' });
    const before = run(source);
    expect(before).toBe("[('a', ['a', 'a', 'a']), ('b', ['b']), ('c', ['c']), ('z', ['kept', 'z'])]\n");
    expect(run(fixed)).toBe(before);
  });
  describe('under the free-threading profile: one finding per bug with TL601 / TL605', () => {
    const ft = { select: ['TL108', 'TL601', 'TL605'], config: { profile: 'free-threading' as const }, path: 'pkg/registry.py' };
    test('a public function of a library module that fills a module registry with an Event: TL108 alone', async () => {
      const source = 'import threading\n_events = {}\ndef event_for(name):\n    if name not in _events:\n        _events[name] = threading.Event()\n    return _events[name]\n';
      expect(positions(await lint(source, ft))).toEqual(['4:5 TL108']);
      // Without the profile nothing shows that `event_for` runs on several threads.
      expect(await lint(source, { ...ft, config: {} })).toEqual([]);
    });
    test('a module container guarded elsewhere: TL601 reports the store, TL108 leaves it', async () => {
      const source =
        'import threading\n_lock = threading.Lock()\n_events = {}\ndef event_for(name):\n    if name not in _events:\n        _events[name] = threading.Event()\n    return _events[name]\ndef reset(name):\n    with _lock:\n        _events[name] = threading.Event()\n';
      expect(positions(await lint(source, ft))).toEqual(['6:9 TL601']);
    });
    test('a private helper is not taken to be concurrent', async () => {
      const source = 'import threading\n_events = {}\ndef _event_for(name):\n    if name not in _events:\n        _events[name] = threading.Event()\n    return _events[name]\n';
      expect(await lint(source, { ...ft, select: ['TL108'] })).toEqual([]);
    });
  });
});
