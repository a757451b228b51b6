/**
 * The ecosystem check's pure parts: finding keys, counts, the baseline diff, fix
 * judgement and the printed report. The runner itself needs the package index and is
 * not part of `npm test`.
 */
import {
  cliFindings,
  countByRule,
  diffBaseline,
  findingKeys,
  fixOutcomeOk,
  formatFixOutcomes,
  formatReport,
  judgeFix,
  makeBaseline,
  normalizedText,
  perKiloLine,
  sameOptions,
  type CliFinding,
  type PackageResult,
} from '../../src/ecosystem/report.js';

function finding(ruleId: string, path: string, line: number, endLine = line): CliFinding {
  return { ruleId, path, line, column: 5, endLine, message: 'm' };
}

const FILES: Record<string, string[]> = {
  'pkg/a.py': ['import threading', 't = threading.Thread(target=f)', '    t.join()', 't.join()', 'x = 1'],
  'pkg/b.py': ['t.join()'],
};
const linesOf = (p: string) => FILES[p];

function result(name: string, version: string, keys: string[], lines = 2000): PackageResult {
  return { name, version, files: 3, lines, counts: countByRule(keys.map((k) => ({ ruleId: k.split(' ')[0] }))), keys };
}

describe('finding keys', () => {
  test('rule, path and a hash of the whitespace-folded flagged lines; repeats numbered', () => {
    const keys = findingKeys([finding('TL201', 'pkg/a.py', 3), finding('TL201', 'pkg/a.py', 4), finding('TL201', 'pkg/b.py', 1), finding('TL304', 'pkg/a.py', 3)], linesOf);
    expect(keys[0]).toMatch(/^TL201 pkg\/a\.py [0-9a-f]{12}$/);
    // Same text (indentation aside) on another line of the same file: the same key, numbered.
    expect(keys[1]).toBe(`${keys[0]}:1`);
    // Same text in another file, or another rule: another key.
    expect(keys[2].split(' ')[2]).not.toBe(keys[0].split(' ')[2]);
    expect(keys[3].split(' ')[2]).not.toBe(keys[0].split(' ')[2]);
  });

  test('a key survives a line shift but not an edit of the flagged code', () => {
    const [before] = findingKeys([finding('TL201', 'pkg/a.py', 4)], linesOf);
    const shifted = { 'pkg/a.py': ['# new comment', ...FILES['pkg/a.py']] };
    const [after] = findingKeys([finding('TL201', 'pkg/a.py', 5)], (p) => shifted[p as 'pkg/a.py']);
    expect(after).toBe(before);
    const edited = { 'pkg/a.py': FILES['pkg/a.py'].map((l, i) => (i === 3 ? 't.join(timeout=1)' : l)) };
    const [changed] = findingKeys([finding('TL201', 'pkg/a.py', 4)], (p) => edited[p as 'pkg/a.py']);
    expect(changed).not.toBe(before);
  });

  test('normalizedText folds whitespace over the line span', () => {
    expect(normalizedText(['a  =', '   b', 'c'], 1, 2)).toBe('a = b');
    expect(normalizedText(['a', 'b'], 2, 1)).toBe('b');
  });
});

describe('counting', () => {
  test('per rule, sorted by ID', () => {
    expect(countByRule([{ ruleId: 'TL304' }, { ruleId: 'TL201' }, { ruleId: 'TL304' }])).toEqual({ TL201: 1, TL304: 2 });
    expect(Object.keys(countByRule([{ ruleId: 'TL304' }, { ruleId: 'TL101' }]))).toEqual(['TL101', 'TL304']);
  });

  test('per 1,000 lines', () => {
    expect(perKiloLine(3, 2000)).toBe('1.5');
    expect(perKiloLine(0, 0)).toBe('0.0');
  });
});

describe('baseline diff', () => {
  const base = makeBaseline([result('b', '1.0', ['TL201 b/x.py aaa', 'TL201 b/x.py bbb', 'TL304 b/y.py ccc']), result('a', '2.0', ['TL101 a/z.py ddd'])], ['--select', 'TL2']);

  test('the baseline is sorted by package and key and keeps the options', () => {
    expect(Object.keys(base.packages)).toEqual(['a', 'b']);
    expect(base.packages.b.keys).toEqual(['TL201 b/x.py aaa', 'TL201 b/x.py bbb', 'TL304 b/y.py ccc']);
    expect(base.options).toEqual(['--select', 'TL2']);
  });

  test('new and gone keys, and per-rule counts before and after', () => {
    const now = [result('b', '1.0', ['TL201 b/x.py aaa', 'TL202 b/w.py eee']), result('a', '2.0', ['TL101 a/z.py ddd'])];
    const diff = diffBaseline(base, now);
    expect(diff.added).toEqual(['b: TL202 b/w.py eee']);
    expect(diff.removed).toEqual(['b: TL201 b/x.py bbb', 'b: TL304 b/y.py ccc']);
    expect(diff.rules).toEqual([
      { ruleId: 'TL101', before: 1, after: 1 },
      { ruleId: 'TL201', before: 2, after: 1 },
      { ruleId: 'TL202', before: 0, after: 1 },
      { ruleId: 'TL304', before: 1, after: 0 },
    ]);
    expect(diff.notComparable).toEqual([]);
  });

  test('a package at another version, or missing from the baseline, is not compared', () => {
    const diff = diffBaseline(base, [result('b', '1.1', []), result('c', '1.0', ['TL201 c/q.py fff'])]);
    expect(diff.notComparable).toEqual(['b', 'c']);
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
    expect(diffBaseline(null, [result('b', '1.0', [])]).notComparable).toEqual(['b']);
  });

  test('the report prints per-package and per-rule rates and the change', () => {
    const now = [result('b', '1.0', ['TL201 b/x.py aaa', 'TL202 b/w.py eee'], 4000), result('a', '2.0', ['TL101 a/z.py ddd'], 1000)];
    const text = formatReport(now, diffBaseline(base, now));
    expect(text).toMatch(/^b 1\.0 +4000 +2 +0\.5 +TL201:1 TL202:1$/m);
    expect(text).toMatch(/^2 packages, 6 files +5000 +3 +0\.6$/m);
    expect(text).toMatch(/^TL201 +1 +0\.2 +1 +2 +-1$/m);
    expect(text).toMatch(/^TL304 +0 +0\.0 +0 +1 +-1$/m);
    expect(text).toContain('Against the baseline: 1 new, 2 gone.');
    expect(text).toContain('  b: TL304 b/y.py ccc');
    expect(formatReport(now.slice(1), diffBaseline(base, now.slice(1)))).toContain('No change against the baseline.');
  });
});

describe('fix judgement', () => {
  test('the fixed rule reports fewer, and no rule reports more', () => {
    const before = [{ ruleId: 'TL101' }, { ruleId: 'TL201' }];
    expect(judgeFix('TL101', before, [{ ruleId: 'TL201' }])).toEqual({ gone: true, added: [] });
    expect(judgeFix('TL101', before, before)).toEqual({ gone: false, added: [] });
    expect(judgeFix('TL101', before, [{ ruleId: 'TL201' }, { ruleId: 'TL201' }])).toEqual({ gone: true, added: ['TL201'] });
  });

  test('an outcome is good only when it compiles, its finding is gone and nothing is new', () => {
    const good = { key: 'k', compiles: true, gone: true, added: [] };
    expect(fixOutcomeOk(good)).toBe(true);
    expect(fixOutcomeOk({ ...good, compiles: false })).toBe(false);
    expect(fixOutcomeOk({ ...good, gone: false })).toBe(false);
    expect(fixOutcomeOk({ ...good, added: ['TL201'] })).toBe(false);
    const text = formatFixOutcomes([good, { ...good, key: 'p: TL101 p/a.py 123', compiles: false, added: ['TL102'] }]);
    expect(text).toContain('Fixes applied one at a time: 2, 1 good, 1 bad.');
    expect(text).toContain('p: TL101 p/a.py 123: does not compile; new findings: TL102');
  });
});

describe('the CLI output and the baseline options', () => {
  test('findings come from a plain list or from the profile report object', () => {
    const f = { ruleId: 'TL601', path: 'a.py', line: 3 } as CliFinding;
    expect(cliFindings([f])).toEqual([f]);
    expect(cliFindings({ findings: [f], readiness: { packages: [] } })).toEqual([f]);
    expect(() => cliFindings({ readiness: {} })).toThrow(/no findings list/);
  });

  test('a run compared with no baseline package does not claim "no change"', () => {
    const r = { name: 'p', version: '1', files: 1, lines: 10, counts: { TL601: 1 }, keys: ['TL601 p/a.py 1'] } as PackageResult;
    const text = formatReport([r], diffBaseline(null, [r]));
    expect(text).toContain('Nothing compared against the baseline.');
    expect(text).not.toContain('No change');
  });

  test('a baseline counts only for a run with the same options, in the same order', () => {
    expect(sameOptions([], [])).toBe(true);
    expect(sameOptions(['--profile', 'free-threading'], ['--profile', 'free-threading'])).toBe(true);
    expect(sameOptions([], ['--profile', 'free-threading'])).toBe(false);
    expect(sameOptions(['--select', 'A', '--ignore', 'B'], ['--select', 'B', '--ignore', 'A'])).toBe(false);
  });
});
