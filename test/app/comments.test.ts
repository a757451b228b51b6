import { buildSuggestion, commentFor, extractFingerprint, fingerprintMarker, isValidAnchor, suggestionFence } from '../../src/app/comments.js';
import { parsePatch } from '../../src/diff/parse.js';
import type { Finding } from '../../src/lint/index.js';

const finding = (over: Partial<Finding>): Finding => ({
  ruleId: 'TL101',
  severity: 'error',
  path: 'a.py',
  line: 2,
  column: 1,
  endLine: 2,
  endColumn: 15,
  message: 'm',
  helpUri: 'https://example.test/TL101.md',
  statementLine: 2,
  statementEndLine: 2,
  fingerprint: 'abc',
  ...over,
});

describe('suggestionFence', () => {
  test('three backticks by default, one more than the longest run inside', () => {
    expect(suggestionFence('x = 1')).toBe('```');
    expect(suggestionFence('s = """```"""')).toBe('````');
    expect(suggestionFence('`````')).toBe('``````');
  });
});

describe('buildSuggestion', () => {
  const source = 'def f(lock):\n    lock.acquire()\n    work()\n    lock.release()\n';
  test('a multi-line fix replaces exactly the whole lines it touches', () => {
    const edits = [{ startLine: 2, startColumn: 5, endLine: 4, endColumn: 19, text: 'with lock:\n        work()' }];
    expect(buildSuggestion(source, edits, 2)).toEqual({ startLine: 2, endLine: 4, replacement: '    with lock:\n        work()' });
  });
  test('an edit ending at the start of the next line covers only the lines it changes', () => {
    const edits = [{ startLine: 3, startColumn: 1, endLine: 4, endColumn: 1, text: '' }];
    expect(buildSuggestion(source, edits)).toEqual({ startLine: 3, endLine: 3, replacement: '' });
  });
});

describe('anchors', () => {
  // two hunks: new lines 1-3 and 10-12
  const diff = parsePatch('@@ -1,2 +1,3 @@\n a\n+b\n c\n@@ -9,3 +10,3 @@\n x\n-y\n+Y\n z', 'a.py');
  test('start and end must lie in the same hunk on the new side', () => {
    expect(isValidAnchor(diff, 1, 3)).toBe(true);
    expect(isValidAnchor(diff, 11, 11)).toBe(true);
    expect(isValidAnchor(diff, 3, 10)).toBe(false);
    expect(isValidAnchor(diff, 5, 5)).toBe(false);
  });
  test('a fix spanning two hunks gets a plain comment on the finding line, no suggestion', () => {
    const text = Array.from({ length: 12 }, (_, i) => `line${i + 1}`).join('\n');
    const f = finding({ line: 2, endLine: 2, fix: { description: 'd', safe: true, edits: [{ startLine: 2, startColumn: 1, endLine: 11, endColumn: 1, text: '' }] } });
    const comment = commentFor(f, { diff, text }, { suggestions: true, ruleMeta: () => undefined })!;
    expect([comment.line, comment.start_line, comment.body.includes('suggestion')]).toEqual([2, undefined, false]);
  });
  test('a finding outside every hunk gets no comment', () => {
    expect(commentFor(finding({ line: 6, endLine: 6, statementLine: 6 }), { diff, text: '' }, { suggestions: true, ruleMeta: () => undefined })).toBeUndefined();
  });
});

test('the fingerprint marker reads back and cannot close the HTML comment', () => {
  expect(extractFingerprint(`body\n${fingerprintMarker('ab12:1')}`)).toBe('ab12:1');
  expect(fingerprintMarker('x-->y')).toBe('<!-- threadlint:fp=x--_y -->');
});
