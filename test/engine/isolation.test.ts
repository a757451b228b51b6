/**
 * One file never affects the next: a file that breaks the parser, a file that exhausts
 * its budget, and generated pathological inputs, in this thread and on worker threads.
 */
import { analyze, closeWorkers } from '../../src/lint/index.js';
import { DEFAULT_CONFIG, type SourceFile } from '../../src/engine/types.js';
import { parserInstances } from '../../src/engine/tree/index.js';
import { deepWith, fixableSnippets, nestedCalls, nestedLiterals, oneLine } from '../../src/bench/pathological.js';

const NORMAL: SourceFile = {
  path: 'normal.py',
  content: 'import threading\nt = threading.Thread(target=print)\nt.run()\nlock = threading.Lock()\nlock.acquire(timeout=1)\n',
};
const EXPECTED = ['normal.py:3 TL301', 'normal.py:5 TL102'];

/** An open string followed by hundreds of nested blocks: corrupts tree-sitter's wasm memory. */
function poison(path: string): SourceFile {
  let source = 'x = "open string\n';
  for (let i = 0; i < 600; i++) source += `${' '.repeat(i)}if a:\n`;
  return { path, content: `${source}${' '.repeat(600)}pass\n` };
}

const summary = (r: Awaited<ReturnType<typeof analyze>>) => r.findings.map((f) => `${f.path}:${f.line} ${f.ruleId}`);

afterAll(async () => {
  await closeWorkers();
});

describe.each([
  ['in this thread', 0],
  ['on worker threads', 2],
])('%s', (_name, jobs) => {
  it('a file that breaks the parser is reported; the files after it are intact', async () => {
    await analyze([NORMAL], { config: DEFAULT_CONFIG });
    const before = parserInstances();
    const r = await analyze([poison('a_poison.py'), NORMAL, poison('b_poison.py'), { ...NORMAL, path: 'normal2.py' }], { config: DEFAULT_CONFIG, jobs, inThreadBelowBytes: 0 });
    expect(r.notes.map((n) => `${n.path} ${n.kind}`).sort()).toEqual(['a_poison.py crash', 'b_poison.py crash']);
    expect(r.notes[0].message).toMatch(/parser/);
    expect(summary(r)).toEqual([...EXPECTED, 'normal2.py:3 TL301', 'normal2.py:5 TL102']);
    expect(r.filesAnalyzed).toBe(2);
    // In this thread each fault costs a fresh parser; on workers this thread's parser is untouched.
    expect(parserInstances() - before).toBe(jobs === 0 ? 2 : 0);
  });

  it('a file past its budget gets a note naming the stage; the others are complete', async () => {
    const big: SourceFile = { path: 'big.py', content: fixableSnippets(3000) };
    const r = await analyze([big, NORMAL], { config: DEFAULT_CONFIG, jobs, budgetMs: 1, inThreadBelowBytes: 0 });
    const note = r.notes.find((n) => n.path === 'big.py');
    expect(note?.kind).toBe('budget');
    expect(note?.message).toMatch(/^analysis stopped: (rule TL\d{3}|fix verification|analysis) exceeded the 1 ms budget$/);
    expect(r.findings.filter((f) => f.path === 'normal.py').length).toBeLessThanOrEqual(2);
    const again = await analyze([NORMAL], { config: DEFAULT_CONFIG, jobs, inThreadBelowBytes: 0 });
    expect(summary(again)).toEqual(EXPECTED);
  });
});

describe('pathological inputs finish without a crash note', () => {
  it.each([
    ['500 nested with blocks', deepWith(500), 'TL105', 499],
    ['5,000 findings on one line', oneLine(5000), 'TL301', 5000],
    ['1,600 fixable snippets', fixableSnippets(1600), 'TL307', 533],
    ['calls nested 20,000 deep', nestedCalls(20_000), null, 0],
    ['literals nested 2,000 deep', nestedLiterals(2000), null, 0],
  ])('%s', async (_name, source, rule, count) => {
    const r = await analyze([{ path: 'p.py', content: source }, NORMAL], { config: DEFAULT_CONFIG, budgetMs: 60_000 });
    expect(r.notes).toEqual([]);
    if (rule) expect(r.findings.filter((f) => f.path === 'p.py' && f.ruleId === rule)).toHaveLength(count);
    expect(summary(r).filter((s) => s.startsWith('normal.py'))).toEqual(EXPECTED);
  });

  it('offers each verified fix once per distinct edit, and every fix of a batch holds on its own', async () => {
    const source = fixableSnippets(30);
    const r = await analyze([{ path: 'p.py', content: source }], { config: DEFAULT_CONFIG });
    const fixed = r.findings.filter((f) => f.fix);
    expect(fixed.length).toBeGreaterThanOrEqual(30);
    const { applyEdits } = await import('../../src/lint/index.js');
    for (const f of fixed.slice(0, 6)) {
      const after = await analyze([{ path: 'p.py', content: applyEdits(source, f.fix!.edits) }], { config: DEFAULT_CONFIG, verifyFixes: false });
      expect(after.findings.filter((g) => g.ruleId === 'TL001')).toEqual([]);
      expect(after.findings.filter((g) => g.ruleId === f.ruleId).length).toBeLessThan(r.findings.filter((g) => g.ruleId === f.ruleId).length);
      expect(after.findings.length).toBeLessThan(r.findings.length);
    }
  });
});
