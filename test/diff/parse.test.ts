import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DiffParseError, parsePatch, parseUnifiedDiff } from '../../src/diff/parse.js';
import type { DiffFile } from '../../src/engine/types.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const read = (name: string): string => readFileSync(fixtures + name, 'utf8');
const names = readdirSync(fixtures)
  .filter((f) => f.endsWith('.diff'))
  .map((f) => f.slice(0, -'.diff'.length))
  .sort();

/** DiffFile as the golden JSON holds it: Sets become sorted arrays. */
function plain(file: DiffFile): object {
  const sorted = (s: Set<number>): number[] => [...s].sort((a, b) => a - b);
  return { ...file, addedLines: sorted(file.addedLines), contextLines: sorted(file.contextLines) };
}

/** Parse, turning a DiffParseError into a value so a test can tell it from a crash. */
function attempt(text: string): DiffFile[] | DiffParseError {
  try {
    return parseUnifiedDiff(text);
  } catch (e) {
    if (e instanceof DiffParseError) return e;
    throw e;
  }
}

describe('parseUnifiedDiff golden files', () => {
  it('has a .json for every .diff', () => {
    expect(names.length).toBeGreaterThanOrEqual(17);
    for (const name of names) expect(readdirSync(fixtures)).toContain(`${name}.json`);
  });

  it.each(names)('%s', (name) => {
    const parsed = parseUnifiedDiff(read(`${name}.diff`)).map(plain);
    expect(parsed).toEqual(JSON.parse(read(`${name}.json`)));
  });

  it('reads every golden diff the same with CRLF line endings', () => {
    for (const name of names) {
      const crlf = read(`${name}.diff`).replace(/\r?\n/g, '\r\n');
      expect(parseUnifiedDiff(crlf).map(plain)).toEqual(JSON.parse(read(`${name}.json`)));
    }
  });

  it('never crashes on a diff cut short at any line', () => {
    for (const name of names) {
      const lines = read(`${name}.diff`).split('\n');
      for (let n = 0; n <= lines.length; n++) {
        const result = attempt(lines.slice(0, n).join('\n'));
        if (result instanceof DiffParseError) expect(result.message).toMatch(/^diff line \d+: /);
      }
    }
  });
});

describe('parseUnifiedDiff on unusual input', () => {
  it('returns no files for empty or diff-free text', () => {
    expect(parseUnifiedDiff('')).toEqual([]);
    expect(parseUnifiedDiff('just some text\n--- not a header\n')).toEqual([]);
  });

  it('reads a hand-written diff without git headers or a/ b/ prefixes', () => {
    const [file] = parseUnifiedDiff('--- /dev/null\n+++ b/pkg/new.py\n@@ -0,0 +1 @@\n+x = 1\n');
    expect(plain(file)).toEqual({
      oldPath: null,
      newPath: 'pkg/new.py',
      status: 'added',
      binary: false,
      hunks: [{ oldStart: 0, oldLines: 0, newStart: 1, newLines: 1 }],
      addedLines: [1],
      contextLines: [],
    });
  });

  it('keeps a path under a folder named a/ with --no-prefix', () => {
    const [file] = parseUnifiedDiff('diff --git a/x.py a/x.py\n--- a/x.py\n+++ a/x.py\n@@ -1 +1 @@\n-1\n+2\n');
    expect([file.oldPath, file.newPath, file.status]).toEqual(['a/x.py', 'a/x.py', 'modified']);
  });

  it('reads a quoted name holding a space and an escaped tab', () => {
    const text = 'diff --git "a/my dir/t\\tx.py" "b/my dir/t\\tx.py"\nold mode 100644\nnew mode 100755\n';
    const [file] = parseUnifiedDiff(text);
    expect([file.oldPath, file.newPath, file.status]).toEqual(['my dir/t\tx.py', 'my dir/t\tx.py', 'modified']);
  });

  it('treats an empty line inside a hunk as a context line whose space was trimmed', () => {
    const [file] = parseUnifiedDiff('--- a/x.py\n+++ b/x.py\n@@ -1,3 +1,3 @@\n a\n\n-b\n+c\n');
    expect([...file.contextLines]).toEqual([1, 2]);
    expect([...file.addedLines]).toEqual([3]);
  });

  it.each([
    ['a hunk cut short', '--- a/x.py\n+++ b/x.py\n@@ -1,3 +1,3 @@\n a\n-b\n', 6, /hunk at line 3 ends early: 1 old and 2 new/],
    ['a hunk overrun by the next file', 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n+b\ndiff --git a/y b/y\n', 7, /ends early/],
    ['a malformed hunk header', 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,a +1 @@\n', 4, /malformed hunk header "@@ -1,a \+1 @@"/],
    ['a hunk with no file header', '@@ -1 +1 @@\n-a\n+b\n', 1, /hunk without a file header/],
    ['a combined diff', 'diff --cc x.py\nindex 1,2..3\n', 1, /combined diffs/],
    ['a broken quoted name', 'diff --git a/x b/x\nrename from "x\\q"\nrename to y\n', 2, /badly quoted file name in "rename from "x\\q""/],
    ['a header without names', 'diff --git \nnew file mode 100644\n', 1, /cannot tell which file/],
  ])('reports %s with its line number', (_label, text, line, message) => {
    const error = attempt(text);
    expect(error).toBeInstanceOf(DiffParseError);
    expect((error as DiffParseError).line).toBe(line);
    expect((error as DiffParseError).message).toMatch(message);
  });
});

describe('parsePatch (GitHub "list pull request files")', () => {
  // A GitHub patch: hunks only, no trailing newline.
  const patch = [
    '@@ -1,4 +1,5 @@',
    ' import threading',
    '-lock = None',
    '+lock = threading.Lock()',
    '+other = threading.Lock()',
    ' ',
    ' def run():',
    '@@ -20,2 +21,3 @@ def run():',
    '     pass',
    '-x = 1',
    '\\ No newline at end of file',
    '+x = 2',
    '+y = 3',
    '\\ No newline at end of file',
  ].join('\n');

  it('reads hunks with new-side line numbers', () => {
    expect(plain(parsePatch(patch, 'src/app.py'))).toEqual({
      oldPath: 'src/app.py',
      newPath: 'src/app.py',
      status: 'modified',
      binary: false,
      hunks: [
        { oldStart: 1, oldLines: 4, newStart: 1, newLines: 5 },
        { oldStart: 20, oldLines: 2, newStart: 21, newLines: 3 },
      ],
      addedLines: [2, 3, 22, 23],
      contextLines: [1, 4, 5, 21],
    });
  });

  it('derives the status from previousPath or takes it as given', () => {
    const renamed = parsePatch('', 'new.py', 'old.py');
    expect([renamed.oldPath, renamed.newPath, renamed.status, renamed.hunks]).toEqual(['old.py', 'new.py', 'renamed', []]);
    const added = parsePatch('@@ -0,0 +1,2 @@\n+a\n+b', 'n.py', undefined, 'added');
    expect([added.oldPath, added.newPath, added.status, [...added.addedLines]]).toEqual([null, 'n.py', 'added', [1, 2]]);
    const deleted = parsePatch('@@ -1 +0,0 @@\n-a', 'd.py', undefined, 'deleted');
    expect([deleted.oldPath, deleted.newPath, deleted.status, deleted.addedLines.size]).toEqual(['d.py', null, 'deleted', 0]);
  });

  it('names the file and line of text outside a hunk', () => {
    expect(() => parsePatch('@@ -1 +1 @@\n-a\n+b\n+c', 'x.py')).toThrow(new DiffParseError('x.py: expected a hunk header (@@), got "+c"', 4));
    expect(() => parsePatch('@@ -1 +1 @@\n-a\n+b\n+c', 'x.py')).toThrow('diff line 4: x.py: expected a hunk header');
  });
});
