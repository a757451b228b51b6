import { analyze } from '../../src/lint/analyze.js';
import { DEFAULT_CONFIG, type SourceFile } from '../../src/engine/types.js';
import { lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL109'] };

async function project(files: SourceFile[]) {
  const result = await analyze(files, { config: DEFAULT_CONFIG, select: ['TL109'] });
  return result.findings.map((f) => `${f.path}:${f.line}:${f.column}`);
}

describe('TL109 unguarded-iteration', () => {
  test.each([
    // for over .items(), a comprehension, sorted(): all without the lock the changes hold.
    [py`
      import threading
      class Sessions:
          def __init__(self):
              self._lock = threading.Lock()
              self._open = {}
          def open(self, sid, user):
              with self._lock:
                  self._open[sid] = user
          def dump(self):
              for sid, user in self._open.items():
                  print(sid, user)
          def users(self):
              return [u for u in self._open.values()]
          def ids(self):
              return sorted(self._open)
    `, ['10:26 TL109', '13:16 TL109', '15:16 TL109']],
    // A copy under the lock; the loop under the lock; never changed after __init__.
    [py`
      import threading
      class Sessions:
          def __init__(self, names):
              self._lock = threading.Lock()
              self._open = {}
              self._names = list(names)
              self._count = 0
          def open(self, sid, user):
              with self._lock:
                  self._open[sid] = user
                  self._count += 1
          def dump(self):
              with self._lock:
                  items = list(self._open.items())
              for sid, user in items:
                  print(sid, user)
          def users(self):
              with self._lock:
                  return [u for u in self._open.values()]
          def names(self):
              return [n for n in self._names]
    `, []],
    // No lock guards the list: one thread owns it.
    [py`
      import threading
      class Poller(threading.Thread):
          def __init__(self):
              super().__init__()
              self.pending = []
          def run(self):
              self.pending.append(1)
              for p in self.pending:
                  print(p)
    `, []],
    // The changing thread was joined before the loop.
    [py`
      import threading
      class Collector:
          def __init__(self):
              self._lock = threading.Lock()
              self._seen = set()
              self._thread = threading.Thread(target=self._work)
          def _work(self):
              with self._lock:
                  self._seen.add(1)
          def stop(self):
              self._thread.join()
              for s in self._seen:
                  print(s)
    `, []],
  ])('%s', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('the message names the lock, the change that holds it, and the error', async () => {
    const source = py`
      import threading
      class Sessions:
          def __init__(self):
              self._lock = threading.Lock()
              self._open = {}
          def open(self, sid, user):
              with self._lock:
                  self._open[sid] = user
          def dump(self):
              for sid in self._open:
                  print(sid)
    `;
    const [finding] = await lint(source, only);
    expect(finding.message).toBe(
      'This loop iterates `self._open` without `self._lock`, which `Sessions.open` holds when it changes it (line 8); ' +
        '`Sessions` creates a lock (`self._lock`, line 4): a change mid-loop gives `RuntimeError: dictionary changed size during iteration`. ' +
        'Iterate a copy taken under the lock (`with self._lock: items = list(self._open)`).',
    );
    expect(finding.fix).toBeUndefined();
  });

  test('a module loops over a registry another module changes under its lock', async () => {
    const registry = py`
      import threading
      HANDLERS = []
      handlers_lock = threading.Lock()
      def add(h):
          with handlers_lock:
              HANDLERS.append(h)
    `;
    const emitter = py`
      from .registry import HANDLERS, handlers_lock
      def emit(event):
          for h in HANDLERS:
              h(event)
    `;
    expect(await project([{ path: 'bus/registry.py', content: registry }, { path: 'bus/emit.py', content: emitter }])).toEqual(['bus/emit.py:3:14']);
    expect(await project([{ path: 'bus/emit.py', content: emitter }])).toEqual([]);
  });
});
