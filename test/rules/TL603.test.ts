import { lint, positions } from '../helpers/lint.js';

const ft = { select: ['TL603'], config: { profile: 'free-threading' as const } };

describe('TL603 process-global-state-in-threads', () => {
  test.each([
    // changed for a while and put back
    ['import os\ndef f(p):\n    old = os.getcwd()\n    os.chdir(p)\n    try:\n        g()\n    finally:\n        os.chdir(old)\n', ['4:5 TL603']],
    ['import os\ndef f():\n    old = os.umask(0)\n    os.umask(old)\n    return old\n', ['3:11 TL603']],
    ['import os\ndef f(k):\n    os.environ[k] = "1"\n    g()\n    del os.environ[k]\n', ['3:5 TL603']],
    ['import sys\ndef f(buf):\n    saved = sys.stdout\n    sys.stdout = buf\n    g()\n    sys.stdout = saved\n', ['4:5 TL603']],
    ['import socket\ndef f(t):\n    prev = socket.getdefaulttimeout()\n    socket.setdefaulttimeout(t)\n    g()\n    socket.setdefaulttimeout(prev)\n', ['4:5 TL603']],
    ['import locale\ndef f():\n    old = locale.setlocale(locale.LC_ALL)\n    locale.setlocale(locale.LC_ALL, "C")\n    g()\n    locale.setlocale(locale.LC_ALL, old)\n', ['4:5 TL603']],
    // context managers and generator bodies
    ['import warnings\ndef f():\n    with warnings.catch_warnings():\n        warnings.simplefilter("ignore")\n        g()\n', ['3:10 TL603']],
    ['import warnings\ndef f():\n    with warnings.catch_warnings(record=True) as w:\n        g()\n    return w\n', ['3:10 TL603']],
    ['import contextlib\ndef f(p):\n    with contextlib.chdir(p):\n        g()\n', ['3:10 TL603']],
    ['from contextlib import redirect_stderr\ndef f(b):\n    with redirect_stderr(b):\n        g()\n', ['3:10 TL603']],
    ['import contextlib, os\n@contextlib.contextmanager\ndef cd(p):\n    os.chdir(p)\n    yield\n', ['4:5 TL603']],
    // on a thread: any change
    ['import os, threading\ndef w(p):\n    os.chdir(p)\nthreading.Thread(target=w, args=("/",)).start()\n', ['3:5 TL603']],
    ['import decimal, threading\ndef w():\n    decimal.getcontext().prec = 4\nthreading.Thread(target=w).start()\n', ['3:5 TL603']],
    ['import sys, threading\ndef w():\n    sys.setrecursionlimit(50)\nthreading.Thread(target=w).start()\n', ['3:5 TL603']],
    // one report per state and function
    ['import os\ndef f(p, q):\n    old = os.getcwd()\n    os.chdir(p)\n    os.chdir(q)\n    os.chdir(old)\n', ['4:5 TL603']],
    ['import sys\ndef f(b):\n    saved, sys.stderr = sys.stderr, b\n    try:\n        g()\n    finally:\n        sys.stderr = saved\n', ['3:5 TL603']],
    // set in one branch, removed in the other: configuration, not a put-back
    ['import os\ndef f(k, v):\n    if v:\n        os.environ[k] = v\n    else:\n        del os.environ[k]\n', []],
    ['import sys\ndef redirect(proxy):\n    sys.stdout = proxy\n    sys.stderr = proxy\n', []],
    // changed twice, never put back: configuration, not a temporary change
    ['import os\ndef f(p, q):\n    os.chdir(p)\n    os.chdir(q)\n', []],
    // set once, at import or start-up, or only read
    ['import os\nos.chdir("/srv")\n', []],
    ['import os\ndef configure(v):\n    os.environ["A"] = v\n', []],
    ['import os\ndef main():\n    old = os.umask(0)\n    os.umask(old)\n', []],
    ['import os\ndef f():\n    return os.environ.get("A"), os.getcwd()\n', []],
    ['import locale\ndef f():\n    return locale.setlocale(locale.LC_ALL)\n', []],
    ['import os, subprocess\ndef f(p):\n    subprocess.run(["ls"], cwd=p, env=dict(os.environ, A="1"))\n', []],
  ])('%j', async (source, expected) => {
    expect(positions(await lint(source, ft))).toEqual(expected);
  });

  test('warning filters are context-local from Python 3.14', async () => {
    const source = 'import warnings\ndef f():\n    with warnings.catch_warnings():\n        g()\n';
    expect(positions(await lint(source, { ...ft, config: { ...ft.config, python_version: '3.14' } }))).toEqual([]);
    expect(positions(await lint(source, { ...ft, config: { ...ft.config, python_version: '3.13' } }))).toEqual(['3:10 TL603']);
  });

  test('in tests: a helper that changes directory is reported, checking warnings is not', async () => {
    const helper = 'import os\ndef in_dir(p, fn):\n    old = os.getcwd()\n    os.chdir(p)\n    try:\n        return fn()\n    finally:\n        os.chdir(old)\n';
    expect(positions(await lint(helper, { ...ft, path: 'tests/helpers.py' }))).toEqual(['4:5 TL603']);
    const warns = 'import warnings\ndef test_warns():\n    with warnings.catch_warnings(record=True):\n        g()\n';
    expect(positions(await lint(warns, { ...ft, path: 'tests/test_x.py' }))).toEqual([]);
  });

  test('the message says what is shared and why putting it back does not help', async () => {
    const [f] = await lint('import os\ndef f(p):\n    old = os.getcwd()\n    os.chdir(p)\n    os.chdir("..")\n    os.chdir(old)\n', ft);
    expect(f.message).toBe(
      '`os.chdir(p)` changes the working directory of every thread for a while, in code that may run on several threads at once: another thread sees the change in the middle of its own work, and putting it back undoes whatever another thread set meanwhile. Pass the value explicitly instead (a path, `env=`, a stream argument).',
    );
  });
});
