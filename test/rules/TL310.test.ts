import { applyFix, lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL310'] };

/** A service whose thread runs `_run` (its body `run`) and whose `close` is `close`. */
const service = (run: string, close: string, imports = 'import threading') =>
  [
    imports,
    'class S:',
    '    def __init__(self):',
    '        self._t = threading.Thread(target=self._run)',
    '    def _run(self):',
    ...run.split('\n').map((l) => (l.startsWith('def ') ? `    ${l}` : `        ${l}`)),
    '    def close(self):',
    ...close.split('\n').map((l) => `        ${l}`),
    '',
  ].join('\n');

describe('TL310 thread-joins-itself', () => {
  test.each([
    // The target reaches the join: directly, through a helper, from an error handler.
    [service('self.close()', 'self._t.join()'), ['8:9 TL310']],
    [service('try:\n    work()\nexcept OSError:\n    self._fail()\ndef _fail(self):\n    self.close()', 'self._t.join(timeout=2)'), ['13:9 TL310']],
    [service('self.close()', 'if self._t is not None:\n    self._t.join()'), ['9:13 TL310']],
    // A lambda target that forwards to the method.
    [service('self.close()', 'self._t.join()').replace('target=self._run', 'target=lambda: self._run()'), ['8:9 TL310']],
    // Guarded: the current thread is compared, or the RuntimeError is expected.
    [service('self.close()', 'if threading.current_thread() is not self._t:\n    self._t.join()'), []],
    [service('self.close()', 'if self._t.ident == threading.get_ident():\n    return\nself._t.join()'), []],
    [service('self.close()', 'try:\n    self._t.join()\nexcept RuntimeError:\n    pass'), []],
    [service('if threading.current_thread() is self._t:\n    self.close()', 'self._t.join()'), []],
    // A thread the function itself creates: a run of it on that thread joins a newer one.
    ['import threading\ndef run(in_thread=False):\n    if in_thread:\n        t = threading.Thread(target=lambda: run())\n        t.start()\n        t.join()\n', []],
    // The target never reaches it; another thread is joined; the receiver is not a thread.
    [service('work()', 'self._t.join()'), []],
    [service('self.close()', 'self.other.join()'), []],
    [service('self.close()', '", ".join(self.names)'), []],
  ])('%#', async (source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  test('a Thread subclass that joins itself from run', async () => {
    const source = py`
      import threading
      class Poller(threading.Thread):
          def run(self):
              if self.broken():
                  self.stop()
          def broken(self):
              return True
          def stop(self):
              self.join()
    `;
    const [finding] = await lint(source, only);
    expect(positions([finding])).toEqual(['9:9 TL310']);
    expect(finding.message).toBe(
      '`self.join()` runs on `self` itself when its target `run` reaches `stop` (run → stop): a thread cannot join itself, so it raises `RuntimeError: cannot join current thread` and whatever follows it in `stop` is skipped. Skip the join on that thread: `if threading.current_thread() is not self:`.',
    );
    expect(applyFix(source, finding)).toBe(source.replace('        self.join()', '        if threading.current_thread() is not self:\n            self.join()'));
  });

  test.each([
    ['import threading as th', 'th.Thread', 'th.current_thread'],
    ['import threading\nfrom threading import current_thread as me', 'threading.Thread', 'threading.current_thread'],
    ['from threading import Thread, current_thread', 'Thread', 'current_thread'],
  ])('the guard uses the name the file imports: %s', async (imports, ctor, guard) => {
    const source = service('self.close()', 'self._t.join()', imports).replace('threading.Thread', ctor);
    const [finding] = await lint(source, only);
    expect(finding.fix!.edits[0].text).toBe(`if ${guard}() is not self._t:\n            self._t.join()`);
  });

  test.each([
    ['no import of threading or current_thread to spell the guard', service('self.close()', 't = self._t\nt.join()').replace('import threading', 'from threading import Thread').replace('threading.Thread', 'Thread')],
    ['a join on a line with another statement', service('self.close()', 'self._t.join(); log()')],
    ['a join inside a one-line if', service('self.close()', 'if self._t: self._t.join()')],
  ])('no fix with %s', async (_title, source) => {
    const findings = await lint(source, only);
    expect(findings).toHaveLength(1);
    expect(findings[0].fix).toBeUndefined();
  });
});
