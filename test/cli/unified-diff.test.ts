import { unifiedDiff } from '../../src/cli/unified-diff.js';

const lines = (n: number, change?: Record<number, string>) =>
  Array.from({ length: n }, (_, i) => `${change?.[i + 1] ?? `line ${i + 1}`}\n`).join('');

describe('unifiedDiff', () => {
  it('is empty when nothing changed', () => {
    expect(unifiedDiff('a.py', 'x\n', 'x\n')).toBe('');
  });

  it('prints one hunk with three lines of context', () => {
    expect(unifiedDiff('a.py', lines(10), lines(10, { 5: 'five' }))).toBe(
      ['--- a/a.py', '+++ b/a.py', '@@ -2,7 +2,7 @@', ' line 2', ' line 3', ' line 4', '-line 5', '+five', ' line 6', ' line 7', ' line 8', ''].join('\n'),
    );
  });

  it('splits distant changes into hunks and merges close ones', () => {
    const out = unifiedDiff('a.py', lines(30), lines(30, { 2: 'two', 4: 'four', 25: 'x' }));
    expect(out.split('\n').filter((l) => l.startsWith('@@'))).toEqual(['@@ -1,7 +1,7 @@', '@@ -22,7 +22,7 @@']);
  });

  it('handles insertions, deletions and a missing final newline', () => {
    expect(unifiedDiff('p/b.py', 'a\nb\nc', 'a\nX\nY\nc')).toBe(
      ['--- a/p/b.py', '+++ b/p/b.py', '@@ -1,3 +1,4 @@', ' a', '-b', '+X', '+Y', ' c', '\\ No newline at end of file', ''].join('\n'),
    );
    expect(unifiedDiff('c.py', 'a\nb\n', 'a\n')).toBe(['--- a/c.py', '+++ b/c.py', '@@ -1,2 +1 @@', ' a', '-b', ''].join('\n'));
    expect(unifiedDiff('d.py', '', 'new\n')).toBe(['--- a/d.py', '+++ b/d.py', '@@ -0,0 +1 @@', '+new', ''].join('\n'));
  });
});
