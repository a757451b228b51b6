import { applyFix, lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL302'] };

const inFn = (imports: string, body: string) => `${imports}\ndef run(items):\n${body.split('\n').map((l) => (l ? `    ${l}` : l)).join('\n')}\n`;

describe('TL302 executor-not-shut-down', () => {
  test.each([
    ['from concurrent.futures import ThreadPoolExecutor', 'ex = ThreadPoolExecutor(4)\nreturn list(ex.map(f, items))', ['3:10 TL302']],
    ['import concurrent.futures as cf', 'ex = cf.ProcessPoolExecutor()\nfor x in items:\n    fut = ex.submit(f, x)', ['3:10 TL302']],
    ['import concurrent.futures', 'ex = concurrent.futures.ThreadPoolExecutor()\nex.map(f, items)\nif done:\n    ex.shutdown()', ['3:10 TL302']],
    ['from concurrent.futures import ThreadPoolExecutor as TPE', 'ex = TPE()\nif not items:\n    return []\nr = list(ex.map(f, items))\nex.shutdown()\nreturn r', ['3:10 TL302']],
    ['from concurrent.futures import ThreadPoolExecutor', 'for x in items:\n    ex = ThreadPoolExecutor()\n    ex.submit(f, x)\nex.shutdown()', ['4:14 TL302']],
    ['from concurrent.futures import ThreadPoolExecutor', 'return ThreadPoolExecutor().submit(f).result()', ['3:12 TL302']],
    // Shut down on every path.
    ['from concurrent.futures import ThreadPoolExecutor', 'with ThreadPoolExecutor() as ex:\n    ex.map(f, items)', []],
    ['from concurrent.futures import ThreadPoolExecutor', 'ex = ThreadPoolExecutor()\ntry:\n    ex.map(f, items)\nfinally:\n    ex.shutdown(wait=False)', []],
    ['from concurrent.futures import ThreadPoolExecutor', 'ex = ThreadPoolExecutor()\nr = list(ex.map(f, items))\nex.shutdown()\nreturn r', []],
    ['from concurrent.futures import ThreadPoolExecutor', 'ex = ThreadPoolExecutor()\nex.map(f, items)\nex.shutdown()', []],
    ['from concurrent.futures import ThreadPoolExecutor', 'ex = ThreadPoolExecutor()\nwith ex:\n    ex.map(f, items)', []],
    ['from concurrent.futures import ThreadPoolExecutor', 'ex = None\ntry:\n    ex = ThreadPoolExecutor()\n    ex.map(f, items)\nfinally:\n    if ex is not None:\n        ex.shutdown()', []],
    // Long-lived by design, or handed on.
    ['from concurrent.futures import ThreadPoolExecutor', 'self.pool = ThreadPoolExecutor()', []],
    ['from concurrent.futures import ThreadPoolExecutor', 'global POOL\nPOOL = ThreadPoolExecutor()', []],
    ['from concurrent.futures import ThreadPoolExecutor', 'ex = ThreadPoolExecutor()\nreturn ex', []],
    ['from concurrent.futures import ThreadPoolExecutor', 'ex = ThreadPoolExecutor()\nself.pool = ex', []],
    ['from concurrent.futures import ThreadPoolExecutor', 'ex = ThreadPoolExecutor()\nregister(ex)', []],
    ['from concurrent.futures import ThreadPoolExecutor', 'ex = ThreadPoolExecutor()\natexit.register(ex.shutdown)', []],
    ['from concurrent.futures import ThreadPoolExecutor', 'ex = ThreadPoolExecutor()\ndef close():\n    ex.shutdown()\nreturn close', []],
    ['from concurrent.futures import ThreadPoolExecutor', 'return ThreadPoolExecutor()', []],
    ['from concurrent.futures import ThreadPoolExecutor', 'ThreadPoolExecutor().shutdown()', []],
    // A multiprocessing pool is one too (revision 2; more below).
    ['import multiprocessing', 'pool = multiprocessing.Pool()\npool.map(f, items)', ['3:12 TL302']],
    // Look-alikes.
    ['from concurrent.futures import ThreadPoolExecutor', 'ex = make_executor()\nex.map(f, items)', []],
    ['from concurrent.futures import ThreadPoolExecutor', 'ex = ThreadPoolExecutor()  # threadlint: ignore[TL302]\nex.map(f, items)', []],
  ])('%s / %j', async (imports, body, expected) => {
    expect(positions(await lint(inFn(imports, body), only))).toEqual(expected);
  });

  test('module-level executors are long-lived by design', async () => {
    expect(await lint('from concurrent.futures import ThreadPoolExecutor\nPOOL = ThreadPoolExecutor()\n', only)).toEqual([]);
  });

  test('message names the executor, its function and both remedies', async () => {
    const [f] = await lint(inFn('from concurrent.futures import ThreadPoolExecutor', 'ex = ThreadPoolExecutor(4)\nreturn list(ex.map(f, items))'), only);
    expect([f.line, f.column, f.endLine, f.endColumn]).toEqual([3, 10, 3, 31]);
    expect(f.message).toBe('`ex` is not shut down on every path of `run()`: create it with `with ThreadPoolExecutor(…) as ex:` or call `ex.shutdown()` in a `finally:`.');
    expect(f.fix).toBeUndefined();
  });

  test('the with fix re-indents the statements between, a return among them', async () => {
    const source = py`
      from concurrent.futures import ThreadPoolExecutor

      def fetch(urls):
          pool = ThreadPoolExecutor(max_workers=4)  # shared
          futures = [pool.submit(get, u) for u in urls]

          if not futures:
              return []
          results = [f.result() for f in futures]
          pool.shutdown()
          return results
    `;
    const [f] = await lint(source, only);
    expect(f.fix?.description).toBe('Use `with … as pool:`');
    expect(applyFix(source, f)).toBe(py`
      from concurrent.futures import ThreadPoolExecutor

      def fetch(urls):
          with ThreadPoolExecutor(max_workers=4) as pool:  # shared
              futures = [pool.submit(get, u) for u in urls]

              if not futures:
                  return []
              results = [f.result() for f in futures]
          return results
    `);
  });

  test('the with fix uses the file indentation unit (tabs) and keeps string contents', async () => {
    const source =
      'from concurrent.futures import ThreadPoolExecutor\n' +
      'def f(items):\n' +
      '\tfor x in items:\n' +
      '\t\tex = ThreadPoolExecutor()\n' +
      '\t\tsql = """select\n' +
      '\t\t  1"""\n' +
      '\t\tex.submit(run, sql).result()\n' +
      '\t\tex.shutdown(wait=True)\n' +
      '\treturn 1\n';
    const [f] = await lint(source, only);
    expect(applyFix(source, f)).toBe(
      'from concurrent.futures import ThreadPoolExecutor\n' +
        'def f(items):\n' +
        '\tfor x in items:\n' +
        '\t\twith ThreadPoolExecutor() as ex:\n' +
        '\t\t\tsql = """select\n' +
        '\t\t  1"""\n' +
        '\t\t\tex.submit(run, sql).result()\n' +
        '\treturn 1\n',
    );
  });

  test('the with fix keeps CRLF line endings', async () => {
    const source = 'from concurrent.futures import ThreadPoolExecutor\r\n@cache\r\ndef f():\r\n    ex = ThreadPoolExecutor()\r\n    if x:\r\n        return ex.submit(g).result()\r\n    ex.shutdown()\r\n    return 2\r\n';
    const [f] = await lint(source, only);
    expect(applyFix(source, f)).toBe(
      'from concurrent.futures import ThreadPoolExecutor\r\n@cache\r\ndef f():\r\n    with ThreadPoolExecutor() as ex:\r\n        if x:\r\n            return ex.submit(g).result()\r\n    return 2\r\n',
    );
  });

  test('the with fix at the end of the file', async () => {
    const source = 'from concurrent.futures import ThreadPoolExecutor\ndef f():\n  if x:\n    ex = ThreadPoolExecutor()\n    ex.submit(g)\n    ex.shutdown()';
    const [f] = await lint(source, only);
    expect(applyFix(source, f)).toBe('from concurrent.futures import ThreadPoolExecutor\ndef f():\n  if x:\n    with ThreadPoolExecutor() as ex:\n      ex.submit(g)');
  });

  test.each([
    ['the shutdown does not wait', 'ex = ThreadPoolExecutor()\nex.submit(g)\nex.shutdown(wait=False)'],
    ['the shutdown cancels', 'ex = ThreadPoolExecutor()\nex.submit(g)\nex.shutdown(cancel_futures=True)'],
    ['the executor is used after the shutdown', 'ex = ThreadPoolExecutor()\nex.submit(g)\nex.shutdown()\nprint(ex._max_workers)'],
    ['nothing is between', 'ex = ThreadPoolExecutor()\nex.shutdown()'],
    ['the shutdown is in another block', 'ex = ThreadPoolExecutor()\nex.submit(g)\nif y:\n    ex.shutdown()'],
    ['a string between has a line at column 0', 'ex = ThreadPoolExecutor()\ns = """a\nb"""\nex.submit(g, s)\nex.shutdown()'],
    ['two statements share a line', 'ex = ThreadPoolExecutor(); ex.submit(g)\nex.shutdown()'],
    ['the name is bound twice', 'ex = ThreadPoolExecutor()\nex.submit(g)\nex.shutdown()\nex = ThreadPoolExecutor()\nex.submit(g)\nex.shutdown()'],
    ['the assignment is annotated', 'ex: ThreadPoolExecutor = ThreadPoolExecutor()\nex.submit(g)\nex.shutdown()'],
  ])('no with fix when %s', async (_, body) => {
    const source = `from concurrent.futures import ThreadPoolExecutor\ndef f(items):\n    if items:\n${body.split('\n').map((l) => (/^b"""/.test(l) ? l : `        ${l}`)).join('\n')}\n    return 1\n`;
    const findings = await lint(source, only);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) expect(f.fix).toBeUndefined();
  });
});

describe('TL302 multiprocessing pools', () => {
  const imports = 'import multiprocessing\nfrom multiprocessing.pool import ThreadPool\nfrom multiprocessing.dummy import Pool as DummyPool';
  test.each([
    // Every import form; not closed, closed without join, closed only on one path.
    ['p = ThreadPool(4)\nreturn p.map(f, items)', ['5:9 TL302']],
    ['p = multiprocessing.Pool()\nr = p.map(f, items)\np.close()\nreturn r', ['5:9 TL302']],
    ['p = DummyPool(2)\nif not items:\n    return []\nr = p.map(f, items)\np.close()\np.join()\nreturn r', ['5:9 TL302']],
    ['p = multiprocessing.pool.Pool(2)\nr = p.map(f, items)\nif r:\n    p.terminate()\nreturn r', ['5:9 TL302']],
    ['return ThreadPool(2).map(f, items)', ['5:12 TL302']],
    // close() + join(), terminate(), in a finally or ending the function.
    ['p = ThreadPool(4)\ntry:\n    return p.map(f, items)\nfinally:\n    p.close()\n    p.join()', []],
    ['p = ThreadPool(4)\nr = p.map(f, items)\np.close()\np.join()\nlog(r)\nreturn r', []],
    ['p = ThreadPool(4)\ntry:\n    p.map(f, items)\nfinally:\n    p.terminate()', []],
    ['p = ThreadPool(4)\np.map_async(f, items)\np.terminate()', []],
    ['with expect_error():\n    p = ThreadPool(4)\n    p.close()\n    p.join()', []],
    ['p = ThreadPool(4)\nif items:\n    p.close()\n    p.join()', ['5:9 TL302']],
    // A join every path reaches: the code before it closed the pool (join raises otherwise).
    ['p = ThreadPool(4)\nfor r in p.imap(f, items):\n    if r is None:\n        p.terminate()\n        break\nelse:\n    p.close()\np.join()', []],
    // Kept, handed on, used as a context manager.
    ['self.pool = ThreadPool(4)', []],
    ['p = ThreadPool(4)\nreturn p', []],
    ['p = ThreadPool(4)\nwith p:\n    p.map(f, items)', []],
    ['with ThreadPool(4) as p:\n    p.map(f, items)', []],
    // Look-alikes: another library's pool, a pool from a factory.
    ['p = make_pool()\np.map(f, items)', []],
  ])('%j', async (body, expected) => {
    expect(positions(await lint(inFn(imports, body), only))).toEqual(expected);
  });

  test('the message names the pool, its function and how to close it', async () => {
    const [finding] = await lint(inFn(imports, 'p = ThreadPool(4)\nreturn p.map(f, items)'), only);
    expect(finding.message).toBe(
      '`p` is not closed on every path of `run()`: its worker threads outlive the call. Call `p.close()` and `p.join()` in a `finally:` (or use `with … as p:` when every result is collected inside it: leaving it terminates the pool).',
    );
    expect(finding.fix).toBeUndefined();
  });
});
