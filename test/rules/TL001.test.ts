import { lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL001'] };

describe('TL001 syntax-error', () => {
  it.each([
    ['an unclosed call', 'import threading\nt = threading.Thread(target=f\nt.start()\n', ['2:1 TL001']],
    ['a missing colon', 'while True\n    pass\n', ['1:1 TL001']],
    ['a missing parenthesis', 'def f(:\n    pass\n', ['1:7 TL001']],
    ['an unterminated string', 'name = "abc\nprint(name)\n', ['1:8 TL001']],
  ])('reports %s once, at the first error', async (_name, source, expected) => {
    expect(positions(await lint(source, only))).toEqual(expected);
  });

  it('runs on files that never mention threading, and in tests', async () => {
    const findings = await lint('def f(:\n    pass\n', { ...only, path: 'tests/test_parse.py' });
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual([['TL001', 'error']]);
    expect(findings[0].message).toMatch(/^Syntax error: /);
  });

  it('leaves valid modern syntax alone', async () => {
    const source = py`
      def f(x):
          match x:
              case [a, *rest]:
                  return a
          return (y := x)
    `;
    expect(await lint(source, only)).toEqual([]);
  });

  it('the other rules still report on the parts that parse', async () => {
    const source = 'import threading\nt = threading.Thread(target=print)\nt.run()\ndef broken(:\n    pass\n';
    expect(positions(await lint(source, { select: ['TL001', 'TL301'] }))).toEqual(['3:1 TL301', '4:12 TL001']);
  });

  it('can be suppressed for the whole file', async () => {
    expect(await lint('# threadlint: ignore-file[TL001]\ndef f(:\n    pass\n', only)).toEqual([]);
  });
});
