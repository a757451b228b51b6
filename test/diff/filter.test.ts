import { diffByNewPath, diffPosition, filterFindings, hunkIndexOf } from '../../src/diff/filter.js';
import { parsePatch, parseUnifiedDiff } from '../../src/diff/parse.js';
import type { DiffFile, DiffPosition, FilterMode } from '../../src/engine/types.js';

// app.py: hunk 0 holds new lines 1-5 (2 and 3 added), hunk 1 holds 11-13 (12 added).
const app = parsePatch(
  ['@@ -1,4 +1,5 @@', ' a', '-b', '+B', '+C', ' d', ' e', '@@ -10,2 +11,3 @@', ' x', '+y', ' z'].join('\n'),
  'app.py',
);
const added = parsePatch('@@ -0,0 +1,2 @@\n+n = 1\n+m = 2', 'new.py', undefined, 'added');
const deleted = parsePatch('@@ -1 +0,0 @@\n-gone = 1', 'gone.py', undefined, 'deleted');
// Built by hand so that a deleted file is in the map: filterFindings must still skip it.
const diff = new Map<string, DiffFile>([
  ['app.py', app],
  ['new.py', added],
  ['gone.py', deleted],
]);

interface TestFinding {
  id: string;
  path: string;
  line: number;
  endLine: number;
  statementLine: number;
  statementEndLine: number;
  diffPosition?: DiffPosition;
}
const finding = (id: string, path: string, line: number, statementLine = line, statementEndLine = statementLine): TestFinding => ({
  id, path, line, endLine: line, statementLine, statementEndLine,
});
const findings = [
  finding('A-added-line', 'app.py', 2),
  finding('B-context-line', 'app.py', 4),
  finding('C-outside-hunks', 'app.py', 7),
  finding('D-statement-reaches-added', 'app.py', 10, 9, 12),
  finding('E-statement-between-hunks', 'app.py', 6, 6, 10),
  finding('F-file-not-in-diff', 'other.py', 1),
  finding('G-deleted-file', 'gone.py', 1),
  finding('H-new-file', 'new.py', 1),
];

describe('filterFindings', () => {
  it.each<[FilterMode, string[]]>([
    ['added', ['A-added-line', 'D-statement-reaches-added', 'H-new-file']],
    ['diff_context', ['A-added-line', 'B-context-line', 'D-statement-reaches-added', 'H-new-file']],
    ['file', ['A-added-line', 'B-context-line', 'C-outside-hunks', 'D-statement-reaches-added', 'E-statement-between-hunks', 'H-new-file']],
    ['nofilter', findings.map((f) => f.id)],
  ])('mode %s keeps %j', (mode, kept) => {
    expect(filterFindings(findings, diff, mode).map((f) => f.id)).toEqual(kept);
  });

  it('marks where each reported line sits and leaves the input untouched', () => {
    const marked = filterFindings(findings, diff, 'nofilter');
    expect(Object.fromEntries(marked.map((f) => [f.id, f.diffPosition]))).toEqual({
      'A-added-line': 'added',
      'B-context-line': 'context',
      'C-outside-hunks': 'outside',
      'D-statement-reaches-added': 'outside',
      'E-statement-between-hunks': 'outside',
      'F-file-not-in-diff': 'outside',
      'G-deleted-file': 'outside',
      'H-new-file': 'added',
    });
    expect(marked[0]).not.toBe(findings[0]);
    expect(findings.every((f) => f.diffPosition === undefined)).toBe(true);
  });

  it('keeps a statement spanning thousands of lines when one of them was added', () => {
    const long = finding('long', 'app.py', 1, 1, 100_000);
    expect(filterFindings([long], diff, 'added').map((f) => f.diffPosition)).toEqual(['context']);
  });
});

describe('diffPosition and hunkIndexOf', () => {
  it.each([
    [1, 'context', 0],
    [2, 'added', 0],
    [5, 'context', 0],
    [6, 'outside', -1],
    [10, 'outside', -1],
    [11, 'context', 1],
    [12, 'added', 1],
    [13, 'context', 1],
    [14, 'outside', -1],
  ])('line %i is %s, in hunk %i', (line, position, hunk) => {
    expect(diffPosition(app, line)).toBe(position);
    expect(hunkIndexOf(app, line)).toBe(hunk);
  });

  it('finds no line in a hunk that only removes lines', () => {
    const removal = parsePatch('@@ -5,2 +4,0 @@\n-a\n-b', 'x.py');
    expect([hunkIndexOf(removal, 4), hunkIndexOf(removal, 3), diffPosition(removal, 4)]).toEqual([-1, -1, 'outside']);
  });
});

describe('diffByNewPath', () => {
  it('keys files by new path and leaves deleted files out', () => {
    const files = parseUnifiedDiff(
      [
        'diff --git a/old.py b/new.py',
        'similarity index 100%',
        'rename from old.py',
        'rename to new.py',
        'diff --git a/gone.py b/gone.py',
        'deleted file mode 100644',
        'diff --git a/kept.py b/kept.py',
        'old mode 100644',
        'new mode 100755',
      ].join('\n'),
    );
    const byPath = diffByNewPath(files);
    expect([...byPath.keys()]).toEqual(['new.py', 'kept.py']);
    expect(byPath.get('new.py')?.oldPath).toBe('old.py');
  });
});
