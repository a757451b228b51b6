import type { FileAnalysis, Finding } from '../../src/engine/types.js';
import { DEFAULT_CONFIG } from '../../src/engine/types.js';
import type { FileJob } from '../../src/lint/file-job.js';
import { verifyProjectFixes } from '../../src/lint/project-fixes.js';

/** A project finding on `a.py` line `line`, whose fix appends `# fixed-<line>` to that line (columns are 1-based). */
function finding(line: number, ruleId = 'TL107'): Finding {
  return {
    ruleId,
    severity: 'error',
    path: 'a.py',
    line,
    column: 1,
    endLine: line,
    endColumn: 2,
    statementLine: line,
    statementEndLine: line,
    message: 'm',
    helpUri: 'u',
    fingerprint: `f${line}`,
    fix: { description: 'd', safe: true, edits: [{ startLine: line, startColumn: 6, endLine: line, endColumn: 6, text: ` # fixed-${line}` }] },
  } as Finding;
}

const source = 'x = 1\ny = 2\nz = 3\n';
const analysis = (content: string, extra: Partial<FileAnalysis> = {}): FileAnalysis => ({ path: 'a.py', findings: [], notes: [], facts: { content }, suppressions: [], analysed: true, ...extra });
const jobs: FileJob[] = [{ file: { path: 'a.py', content: source }, config: DEFAULT_CONFIG }];

/**
 * A fake project step: the finding on line N stays until the text carries `fixed-N`; with
 * `breaks`, a fix on that line makes another rule report.
 */
function check(lines: number[], options: { breaks?: number[]; syntax?: number[] } = {}) {
  const runs: string[] = [];
  return {
    runs,
    jobs,
    results: [analysis(source)],
    run: async (job: FileJob) => {
      const text = String(job.file.content);
      runs.push(text);
      const broken = (options.syntax ?? []).some((n) => text.includes(`fixed-${n}`));
      return analysis(text, broken ? { syntaxError: true } : {});
    },
    project: (results: readonly FileAnalysis[]) => {
      const text = String(results[0].facts.content);
      const out = lines.filter((n) => !text.includes(`fixed-${n}`)).map((n) => finding(n));
      for (const n of options.breaks ?? []) if (text.includes(`fixed-${n}`)) out.push(finding(n, 'TL105'));
      return out;
    },
  };
}

describe('fixes of the project step are verified', () => {
  test('fixes that remove their findings and add none are kept, checked in one batch', async () => {
    const fs = [finding(1), finding(3)];
    const c = check([1, 3]);
    await verifyProjectFixes(fs, c);
    expect(fs.every((f) => f.fix)).toBe(true);
    expect(c.runs).toHaveLength(1);
    expect(c.runs[0]).toBe('x = 1 # fixed-1\ny = 2\nz = 3 # fixed-3\n');
  });

  test('a fix that makes another rule report loses its fix; the others keep theirs', async () => {
    const fs = [finding(1), finding(2), finding(3)];
    await verifyProjectFixes(fs, check([1, 2, 3], { breaks: [2] }));
    expect(fs.map((f) => !!f.fix)).toEqual([true, false, true]);
  });

  test('a fix that leaves its finding in place, or breaks the syntax, is dropped', async () => {
    const stays = [finding(1)];
    await verifyProjectFixes(stays, check([])); // the project step never reported line 1: nothing to remove
    const lines = [finding(2)];
    const stubborn = check([2]);
    stubborn.project = () => [finding(2)];
    await verifyProjectFixes(lines, stubborn);
    const broken = [finding(3)];
    await verifyProjectFixes(broken, check([3], { syntax: [3] }));
    expect(lines[0].fix).toBeUndefined();
    expect(broken[0].fix).toBeUndefined();
  });

  test('overlapping fixes: the later one loses its fix before anything runs', async () => {
    const a = finding(1);
    const b = finding(1);
    b.column = 2;
    b.fix = { description: 'd', safe: true, edits: [{ startLine: 1, startColumn: 5, endLine: 1, endColumn: 6, text: '2 # fixed-1' }] };
    a.fix = { description: 'd', safe: true, edits: [{ startLine: 1, startColumn: 1, endLine: 1, endColumn: 6, text: 'x = 1 # fixed-1' }] };
    await verifyProjectFixes([a, b], check([1]));
    expect(a.fix).toBeDefined();
    expect(b.fix).toBeUndefined();
  });
});
