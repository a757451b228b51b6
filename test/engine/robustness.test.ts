/** Bad input of every kind gets a note and loses nothing else; it never throws. */
import { analyze } from '../../src/lint/analyze.js';
import { MAX_FILE_BYTES } from '../../src/engine/source.js';
import { DEFAULT_CONFIG, type SourceFile } from '../../src/engine/types.js';

const RUN = 'import threading\nt = threading.Thread(target=f)\nt.run()\n';
const options = { config: DEFAULT_CONFIG, select: ['TL301'] };
const lines = (r: Awaited<ReturnType<typeof analyze>>) => r.findings.map((f) => `${f.path}:${f.line}`);

test('500 levels of nesting neither overflow the stack nor hide a finding', async () => {
  const deep = `x = ${'('.repeat(500)}1${')'.repeat(500)}\n` + 'def f():\n' + Array.from({ length: 200 }, (_, i) => `${' '.repeat(4 * (i + 1))}if x:\n`).join('') + `${' '.repeat(804)}pass\n`;
  const r = await analyze([{ path: 'deep.py', content: deep + RUN }], options);
  expect(r.notes).toEqual([]);
  expect(lines(r)).toEqual([`deep.py:${deep.split('\n').length + 2}`]);
});

test('broken Python yields TL001 and findings for the parts that parse', async () => {
  const source = RUN + 'def broken(:\n    pass\n' + 'u = threading.Thread(target=f)\nu.run()\n';
  const r = await analyze([{ path: 'broken.py', content: source }], { ...options, select: ['TL301', 'TL001'] });
  expect(r.notes).toEqual([]);
  expect(r.findings.map((f) => `${f.path}:${f.line} ${f.ruleId}`)).toEqual(['broken.py:3 TL301', 'broken.py:4 TL001', 'broken.py:7 TL301']);
});

test('unreadable files are reported and skipped, the others analysed', async () => {
  const files: SourceFile[] = [
    { path: 'binary.py', content: new Uint8Array([0x69, 0x6d, 0x70, 0x00, 0x01]) },
    { path: 'bad-utf8.py', content: new Uint8Array([0x78, 0x20, 0x3d, 0x20, 0xff, 0xfe, 0x0a]) },
    { path: 'unknown-codec.py', content: new TextEncoder().encode('# -*- coding: klingon -*-\nx = 1\n') },
    { path: 'huge.py', content: new Uint8Array(MAX_FILE_BYTES + 1).fill(0x20) },
    { path: 'good.py', content: new TextEncoder().encode(RUN) },
  ];
  const r = await analyze(files, options);
  expect(r.notes.map((n) => `${n.path} ${n.kind}: ${n.message}`)).toEqual([
    'binary.py unreadable: binary file (contains NUL bytes)',
    'bad-utf8.py unreadable: not valid utf-8 text',
    'unknown-codec.py unreadable: unknown source encoding "klingon"',
    'huge.py too-large: file is 4.0 MiB; the limit is 4 MiB',
    ]);
  expect(lines(r)).toEqual(['good.py:3']);
  expect(r.filesAnalyzed).toBe(1);
});

test('encodings: BOM, PEP 263 latin-1 cookie, CRLF line endings', async () => {
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(RUN)]);
  const latin1 = new Uint8Array([...new TextEncoder().encode('# -*- coding: latin-1 -*-\nname = "caf'), 0xe9, ...new TextEncoder().encode('"\n' + RUN)]);
  const crlf = new TextEncoder().encode(RUN.replace(/\n/g, '\r\n'));
  const r = await analyze(
    [
      { path: 'bom.py', content: bom },
      { path: 'latin1.py', content: latin1 },
      { path: 'crlf.py', content: crlf },
    ],
    options,
  );
  expect(r.notes).toEqual([]);
  expect(lines(r)).toEqual(['bom.py:3', 'crlf.py:3', 'latin1.py:5']);
  const crlfFinding = r.findings.find((f) => f.path === 'crlf.py')!;
  expect([crlfFinding.column, crlfFinding.endColumn]).toEqual([1, 8]);
});

test('columns count UTF-16 units, so non-ASCII text before a finding keeps it in place', async () => {
  const r = await analyze([{ path: 'u.py', content: 'import threading\nt = threading.Thread(target=f)\nx = "é😀"; t.run()\n' }], options);
  expect(r.findings.map((f) => [f.line, f.column])).toEqual([[3, 12]]);
});

test('an empty file and a file of comments are fine', async () => {
  const r = await analyze([{ path: 'empty.py', content: '' }, { path: 'c.py', content: '# only a comment\n' }], options);
  expect(r).toEqual({ findings: [], notes: [], filesAnalyzed: 2 });
});

test('a long analysis lets the event loop run (a server keeps answering webhooks)', async () => {
  const files = Array.from({ length: 400 }, (_, i) => ({ path: `f${i}.py`, content: RUN.repeat(5) }));
  const order: string[] = [];
  const ticker = setInterval(() => order.push('tick'), 1);
  try {
    await analyze(files, { ...options, verifyFixes: false });
    order.push('done');
  } finally {
    clearInterval(ticker);
  }
  expect(order.indexOf('tick')).toBeGreaterThanOrEqual(0);
  expect(order.indexOf('tick')).toBeLessThan(order.indexOf('done'));
});
