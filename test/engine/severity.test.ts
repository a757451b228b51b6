/**
 * A rule with two levels (RULES.md "error / warning") gives each finding its own; a level
 * the config sets for the rule, or for a prefix of it, applies to all of them.
 */
import { lint } from '../helpers/lint.js';

const SOURCE = [
  'import threading, time',
  'class W:',
  '    def __init__(self):',
  '        self._lock = threading.Lock()',
  '        self._t = threading.Thread(target=self._run)',
  '    def _run(self):',
  '        with self._lock:',
  '            pass',
  '    def stop(self):',
  '        with self._lock:',
  '            self._t.join()',
  '    def pause(self):',
  '        with self._lock:',
  '            time.sleep(1)',
  '',
].join('\n');

const levels = async (rules: Record<string, 'error' | 'warning' | 'notice' | 'off'> = {}) =>
  (await lint(SOURCE, { select: ['TL207'], config: { rules } })).map((f) => `${f.line} ${f.severity}`);

describe('per-finding severity', () => {
  it('keeps each finding at its own level under the default config', async () => {
    expect(await levels()).toEqual(['11 error', '14 warning']);
  });

  it.each([
    [{ TL207: 'notice' as const }, ['11 notice', '14 notice']],
    [{ TL2: 'warning' as const }, ['11 warning', '14 warning']],
    [{ TL207: 'error' as const }, ['11 error', '14 error']],
  ])('applies the configured level %j to every finding', async (rules, expected) => {
    expect(await levels(rules)).toEqual(expected);
  });

  it('leaves other rules configured elsewhere out of it', async () => {
    expect(await levels({ TL1: 'notice' })).toEqual(['11 error', '14 warning']);
  });
});
