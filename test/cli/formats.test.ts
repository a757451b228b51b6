/** The Ruff-named report formats, on synthetic findings with exact output. */
import type { Finding, RuleMeta } from '../../src/lint/index.js';
import type { ReportContext } from '../../src/cli/reporters/context.js';
import { REPORTERS } from '../../src/cli/reporters/index.js';
import { gitlabReporter } from '../../src/cli/reporters/gitlab.js';
import { groupedReporter } from '../../src/cli/reporters/grouped.js';
import { jsonLinesReporter } from '../../src/cli/reporters/json-lines.js';
import { jsonReporter } from '../../src/cli/reporters/json.js';
import { junitReporter, xmlEscape } from '../../src/cli/reporters/junit.js';
import { rdjsonReporter } from '../../src/cli/reporters/rdjson.js';

const RULE: RuleMeta = { id: 'TL301', name: 'thread-run-called', severity: 'error', summary: 's', why: 'w', fix: 'sometimes', inTests: false, helpUri: 'https://example.test/TL301.md' };

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'TL301', severity: 'error', path: 'pkg/a.py', line: 2, column: 8, endLine: 2, endColumn: 15,
    message: 'Use <start> & "not" run', helpUri: RULE.helpUri, statementLine: 2, statementEndLine: 2, fingerprint: 'fp-1',
    fix: { description: 'Replace `.run()` with `.start()`', safe: true, edits: [{ startLine: 2, startColumn: 10, endLine: 2, endColumn: 13, text: 'start' }] },
    ...overrides,
  };
}

const SOURCE = 'import threading\nπ = 1; t.run()\n';
const ctx: ReportContext = { filesAnalyzed: 2, rules: [RULE], guidance: new Map(), toolVersion: '1.2.3', source: (p) => (p === 'pkg/a.py' ? SOURCE : undefined) };
const two = [finding(), finding({ path: 'b.py', line: 1, column: 1, endLine: 1, endColumn: 3, fingerprint: 'fp-2', severity: 'notice', fix: undefined })];

test('concise is the one-line text format', () => {
  expect(REPORTERS.concise(two, [], ctx)).toBe(REPORTERS.text(two, [], ctx));
});

test('grouped puts the findings of a file under its name', () => {
  expect(groupedReporter(two, [], ctx)).toBe(
    'pkg/a.py:\n  2:8 TL301 [error] Use <start> & "not" run\n\nb.py:\n  1:1 TL301 [notice] Use <start> & "not" run\n\n2 findings (1 error, 1 notice) in 2 files; 1 fixable with --fix.\n',
  );
});

test('json-lines holds the json format\'s objects, one per line', () => {
  const lines = jsonLinesReporter(two, [], ctx).trimEnd().split('\n');
  expect(lines.map((l) => JSON.parse(l))).toEqual(JSON.parse(jsonReporter(two, [], ctx)));
  expect(jsonLinesReporter([], [], ctx)).toBe('');
});

test('junit: a suite per file, a failing case per finding, XML escaped', () => {
  expect(junitReporter([finding()], [], ctx)).toBe(
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuites name="threadlint" tests="1" failures="1" errors="0">',
      '  <testsuite name="pkg/a.py" tests="1" failures="1" errors="0">',
      '    <testcase name="threadlint.TL301" classname="pkg/a.py" file="pkg/a.py" line="2" column="8">',
      '      <failure message="Use &lt;start&gt; &amp; &quot;not&quot; run" type="error">line 2, col 8, Use &lt;start&gt; &amp; &quot;not&quot; run</failure>',
      '    </testcase>',
      '  </testsuite>',
      '</testsuites>',
      '',
    ].join('\n'),
  );
  expect(junitReporter([], [], ctx)).toContain('<testcase name="No findings" classname="threadlint"/>');
  expect(xmlEscape('a\u0000b\u001bc\'')).toBe('abc&apos;');
});

test('gitlab: Code Quality issues with unique fingerprints and GitLab severities', () => {
  const issues = JSON.parse(gitlabReporter(two, [], ctx));
  expect(issues[0]).toEqual({
    description: 'TL301: Use <start> & "not" run',
    check_name: 'TL301',
    fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/),
    severity: 'major',
    location: { path: 'pkg/a.py', positions: { begin: { line: 2, column: 8 }, end: { line: 2, column: 15 } } },
  });
  expect(issues[1].severity).toBe('info');
  expect(new Set(issues.map((i: { fingerprint: string }) => i.fingerprint)).size).toBe(2);
});

test('rdjson: columns in UTF-8 bytes, safe fixes as suggestions', () => {
  const report = JSON.parse(rdjsonReporter(two, [], ctx));
  expect(report.source).toEqual({ name: 'threadlint', url: 'https://github.com/threadlint/threadlint' });
  // `π` is one UTF-16 unit but two UTF-8 bytes: column 8 becomes 9.
  expect(report.diagnostics[0]).toEqual({
    message: 'Use <start> & "not" run',
    location: { path: 'pkg/a.py', range: { start: { line: 2, column: 9 }, end: { line: 2, column: 16 } } },
    severity: 'ERROR',
    code: { value: 'TL301', url: RULE.helpUri },
    suggestions: [{ range: { start: { line: 2, column: 11 }, end: { line: 2, column: 14 } }, text: 'start' }],
  });
  expect(report.diagnostics[1]).toMatchObject({ severity: 'INFO', location: { range: { start: { line: 1, column: 1 } } } });
  expect(report.diagnostics[1].suggestions).toBeUndefined();
});
