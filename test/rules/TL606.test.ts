import { lint, positions } from '../helpers/lint.js';

const ft = { select: ['TL606'], config: { profile: 'free-threading' as const } };

describe('TL606 foreign-frame-access', () => {
  test.each([
    ['import sys\ndef dump():\n    return sys._current_frames()\n', ['3:12 TL606']],
    ['from sys import _current_frames\ndef dump():\n    for t, f in _current_frames().items():\n        print(t, f.f_locals)\n', ['3:17 TL606']],
    ['import sys as s\ndef dump(tid):\n    return s._current_frames()[tid].f_globals\n', ['3:12 TL606']],
    ['import sys\nFRAMES = sys._current_frames()\n', ['2:10 TL606']],
    // the calling thread's own frames, faulthandler, a script
    ['import sys\ndef here():\n    return sys._getframe(1).f_locals\n', []],
    ['import faulthandler\ndef dump(f):\n    faulthandler.dump_traceback(file=f, all_threads=True)\n', []],
    ['import sys\ndef main():\n    print(sys._current_frames())\n', []],
  ])('%j', async (source, expected) => {
    expect(positions(await lint(source, ft))).toEqual(expected);
  });

  test('the message names f_locals when the function reads them', async () => {
    const [f] = await lint('import sys\ndef peek(t):\n    return sys._current_frames()[t].f_locals\n', ft);
    expect(f.message).toContain('and this function reads their `f_locals` / `f_globals`');
  });
});
