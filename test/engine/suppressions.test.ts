import { parseSuppression } from '../../src/engine/suppressions.js';
import { lint, positions, py } from '../helpers/lint.js';

const only = { select: ['TL301'] };

test.each([
  ['# threadlint: ignore[TL101]', ['TL101']],
  ['# threadlint: ignore[TL101, TL2]', ['TL101', 'TL2']],
  ['# threadlint: ignore', 'all'],
  ['# noqa: TL301', ['TL301']],
  ['# noqa:TL301,TL302', ['TL301', 'TL302']],
  ['# noqa', null],
  ['# noqa: E501, TL101', ['TL101']],
  ['# noqa: E501', null],
  ['# a comment about threadlint', null],
])('%s', (comment, expected) => {
  expect(parseSuppression(comment)).toEqual(expected);
});

test('a suppression on any line of a multi-line statement applies', async () => {
  const source = py`
    import threading
    t = threading.Thread(target=f)
    (t  # threadlint: ignore[TL301]
        .run())
    (t
        .run())  # noqa: TL301
    (t
        .run())
  `;
  expect(positions(await lint(source, only))).toEqual(['7:2 TL301']);
});

test('another rule ID, or a prefix that does not match, does not suppress', async () => {
  const source = 'import threading\nt = threading.Thread(target=f)\nt.run()  # threadlint: ignore[TL1, TL302]\nt.run()  # threadlint: ignore[TL3]\n';
  expect(positions(await lint(source, only))).toEqual(['3:1 TL301']);
});

test('a comment inside the body of a loop does not silence a finding on the loop header', async () => {
  const source = py`
    import time
    def wait():
        while not ready:
            time.sleep(0.1)  # threadlint: ignore[TL202]
  `;
  expect(positions(await lint(source, { select: ['TL202'] }))).toEqual(['3:5 TL202']);
});

test('a "# noqa" inside a string is not a comment', async () => {
  const source = 'import threading\nt = threading.Thread(target=f)\nt.run(); s = "# noqa"\n';
  expect(positions(await lint(source, only))).toEqual(['3:1 TL301']);
});
