import type { FileNote, Finding, RuleMeta } from '../../src/lint/index.js';
import type { ReportContext } from '../../src/cli/reporters/context.js';
import { escapeData, escapeProperty, githubReporter } from '../../src/cli/reporters/github.js';
import { jsonReporter } from '../../src/cli/reporters/json.js';
import { pathToUri, sarifLog } from '../../src/cli/reporters/sarif.js';
import { formatNote, tallyLine, textReporter } from '../../src/cli/reporters/text.js';
import { validateSarif } from './sarif-schema.js';

const RULE: RuleMeta = {
  id: 'TL301',
  name: 'thread-run-called',
  severity: 'error',
  summary: 'Summary of TL301.',
  why: 'Why TL301 matters.',
  fix: 'always',
  helpUri: 'https://example.test/rules/TL301.md',
};
const NOTICE_RULE: RuleMeta = { ...RULE, id: 'TL902', name: 'some-notice', severity: 'notice', fix: 'never', helpUri: 'https://example.test/TL902.md' };

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'TL301',
    severity: 'error',
    path: 'pkg/a.py',
    line: 7,
    column: 1,
    endLine: 7,
    endColumn: 8,
    message: '`t.run()` runs in the caller.',
    helpUri: RULE.helpUri,
    statementLine: 7,
    statementEndLine: 7,
    fingerprint: 'fp-1',
    fix: {
      description: 'Replace `.run()` with `.start()`',
      safe: true,
      edits: [{ startLine: 7, startColumn: 3, endLine: 7, endColumn: 6, text: 'start' }],
    },
    ...overrides,
  };
}

const ctx: ReportContext = {
  filesAnalyzed: 12,
  rules: [RULE, NOTICE_RULE],
  guidance: new Map([['TL301', '# TL301 page\n']]),
  toolVersion: '9.8.7',
};

describe('text reporter', () => {
  it('prints one line per finding and the tally', () => {
    const out = textReporter(
      [finding(), finding({ line: 9, severity: 'warning', fix: undefined }), finding({ line: 10, severity: 'error', fix: undefined })],
      [],
      ctx,
    );
    expect(out).toBe(
      'pkg/a.py:7:1: TL301 [error] `t.run()` runs in the caller.\n' +
        'pkg/a.py:9:1: TL301 [warning] `t.run()` runs in the caller.\n' +
        'pkg/a.py:10:1: TL301 [error] `t.run()` runs in the caller.\n' +
        '3 findings (2 errors, 1 warning) in 12 files; 1 fixable with --fix.\n',
    );
  });

  it('says so when nothing was found, with singular nouns where they fit', () => {
    expect(textReporter([], [], { ...ctx, filesAnalyzed: 1 })).toBe('No findings in 1 file.\n');
    expect(tallyLine([finding({ severity: 'notice', fix: undefined })], { ...ctx, filesAnalyzed: 1 })).toBe(
      '1 finding (1 notice) in 1 file.',
    );
  });

  it('counts applied fixes and leaves unsafe fixes out of the fixable count', () => {
    const unsafe = finding({ fix: { ...finding().fix!, safe: false } });
    expect(tallyLine([unsafe], { ...ctx, fixesApplied: 2 })).toBe('1 finding (1 error) in 12 files; 2 fixes applied.');
    expect(tallyLine([], { ...ctx, fixesApplied: 1 })).toBe('No findings in 12 files; 1 fix applied.');
  });

  it('formats notes for stderr with and without a line', () => {
    expect(formatNote({ path: 'x.py', kind: 'syntax-error', line: 3, message: 'bad' })).toBe('x.py:3: note: bad');
    expect(formatNote({ path: 'x.py', kind: 'unreadable', message: 'binary' })).toBe('x.py: note: binary');
  });
});

describe('json reporter', () => {
  it('emits exactly the documented keys, fix only when present', () => {
    const out = jsonReporter([finding(), finding({ line: 9, fix: undefined })], [], ctx);
    expect(out.endsWith('\n')).toBe(true);
    const parsed = JSON.parse(out) as Record<string, unknown>[];
    expect(parsed).toEqual([
      {
        ruleId: 'TL301',
        severity: 'error',
        path: 'pkg/a.py',
        line: 7,
        column: 1,
        endLine: 7,
        endColumn: 8,
        message: '`t.run()` runs in the caller.',
        helpUri: 'https://example.test/rules/TL301.md',
        fix: {
          description: 'Replace `.run()` with `.start()`',
          edits: [{ startLine: 7, startColumn: 3, endLine: 7, endColumn: 6, text: 'start' }],
        },
      },
      {
        ruleId: 'TL301',
        severity: 'error',
        path: 'pkg/a.py',
        line: 9,
        column: 1,
        endLine: 7,
        endColumn: 8,
        message: '`t.run()` runs in the caller.',
        helpUri: 'https://example.test/rules/TL301.md',
      },
    ]);
    expect(Object.keys(parsed[0])).toEqual([
      'ruleId', 'severity', 'path', 'line', 'column', 'endLine', 'endColumn', 'message', 'helpUri', 'fix',
    ]);
  });

  it('is an empty array when there is nothing to report', () => {
    expect(jsonReporter([], [{ path: 'a.py', kind: 'crash', message: 'x' }], ctx)).toBe('[]\n');
  });
});

describe('github reporter', () => {
  it('escapes data and properties the way the Actions toolkit does', () => {
    expect(escapeData('100% a\r\nb: c, d')).toBe('100%25 a%0D%0Ab: c, d');
    expect(escapeProperty('100% a\r\nb: c, d')).toBe('100%25 a%0D%0Ab%3A c%2C d');
  });

  it('prints one workflow command per finding and note, then the tally', () => {
    const out = githubReporter(
      [
        finding({ path: 'dir,x/a:b.py', message: 'line one\nline two 50%' }),
        finding({ ruleId: 'TL902', severity: 'notice', line: 3, endLine: 5, endColumn: 2, fix: undefined }),
        finding({ severity: 'warning', ruleId: 'TL999', fix: undefined }),
      ],
      [{ path: 'bad.py', kind: 'syntax-error', line: 2, message: 'syntax error at line 2' }],
      ctx,
    );
    expect(out).toBe(
      '::error file=dir%2Cx/a%3Ab.py,line=7,col=1,endLine=7,endColumn=8,title=TL301 thread-run-called::line one%0Aline two 50%25\n' +
        '::notice file=pkg/a.py,line=3,endLine=5,title=TL902 some-notice::`t.run()` runs in the caller.\n' +
        '::warning file=pkg/a.py,line=7,col=1,endLine=7,endColumn=8,title=TL999::`t.run()` runs in the caller.\n' +
        '::warning file=bad.py,line=2,title=threadlint syntax-error::syntax error at line 2\n' +
        '3 findings (1 error, 1 warning, 1 notice) in 12 files; 1 fixable with --fix.\n',
    );
  });
});

describe('sarif reporter', () => {
  const notes: FileNote[] = [
    { path: 'bad.py', kind: 'syntax-error', line: 2, message: 'syntax error at line 2' },
    { path: 'big.py', kind: 'too-large', message: 'file is too large' },
  ];

  it('builds one run with every rule, results, fixes and notifications', () => {
    const log = sarifLog([finding({ path: 'my dir/a.py' }), finding({ ruleId: 'TL902', severity: 'notice', fix: undefined, fingerprint: 'fp-2' })], notes, ctx);
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0];
    expect(run.tool.driver).toEqual({
      name: 'threadlint',
      version: '9.8.7',
      semanticVersion: '9.8.7',
      informationUri: 'https://github.com/threadlint/threadlint',
      rules: [
        {
          id: 'TL301',
          name: 'thread-run-called',
          shortDescription: { text: 'Summary of TL301.' },
          fullDescription: { text: 'Summary of TL301. Why TL301 matters.' },
          helpUri: 'https://example.test/rules/TL301.md',
          help: { text: 'Summary of TL301. Why TL301 matters. See https://example.test/rules/TL301.md', markdown: '# TL301 page\n' },
          defaultConfiguration: { level: 'error' },
        },
        {
          id: 'TL902',
          name: 'some-notice',
          shortDescription: { text: 'Summary of TL301.' },
          fullDescription: { text: 'Summary of TL301. Why TL301 matters.' },
          helpUri: 'https://example.test/TL902.md',
          help: {
            text: 'Summary of TL301. Why TL301 matters. See https://example.test/TL902.md',
            markdown: '# TL902 some-notice\n\nSummary of TL301.\n\nWhy TL301 matters.\n\n[Guidance](https://example.test/TL902.md)\n',
          },
          defaultConfiguration: { level: 'note' },
        },
      ],
    });
    expect(run.results).toEqual([
      {
        ruleId: 'TL301',
        ruleIndex: 0,
        level: 'error',
        message: { text: '`t.run()` runs in the caller.' },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: 'my%20dir/a.py', uriBaseId: '%SRCROOT%' },
              region: { startLine: 7, startColumn: 1, endLine: 7, endColumn: 8 },
            },
          },
        ],
        partialFingerprints: { 'threadlint/v1': 'fp-1' },
        fixes: [
          {
            description: { text: 'Replace `.run()` with `.start()`' },
            artifactChanges: [
              {
                artifactLocation: { uri: 'my%20dir/a.py', uriBaseId: '%SRCROOT%' },
                replacements: [
                  { deletedRegion: { startLine: 7, startColumn: 3, endLine: 7, endColumn: 6 }, insertedContent: { text: 'start' } },
                ],
              },
            ],
          },
        ],
      },
      {
        ruleId: 'TL902',
        ruleIndex: 1,
        level: 'note',
        message: { text: '`t.run()` runs in the caller.' },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: 'pkg/a.py', uriBaseId: '%SRCROOT%' },
              region: { startLine: 7, startColumn: 1, endLine: 7, endColumn: 8 },
            },
          },
        ],
        partialFingerprints: { 'threadlint/v1': 'fp-2' },
      },
    ]);
    expect(run.invocations).toEqual([
      {
        executionSuccessful: true,
        toolExecutionNotifications: [
          {
            level: 'warning',
            message: { text: 'syntax error at line 2' },
            descriptor: { id: 'syntax-error' },
            locations: [{ physicalLocation: { artifactLocation: { uri: 'bad.py', uriBaseId: '%SRCROOT%' }, region: { startLine: 2 } } }],
          },
          {
            level: 'warning',
            message: { text: 'file is too large' },
            descriptor: { id: 'too-large' },
            locations: [{ physicalLocation: { artifactLocation: { uri: 'big.py', uriBaseId: '%SRCROOT%' } } }],
          },
        ],
      },
    ]);
  });

  it('validates against the SARIF 2.1.0 schema', () => {
    const log = sarifLog([finding(), finding({ severity: 'warning', fix: undefined })], notes, ctx);
    expect(validateSarif(log)).toEqual([]);
  });

  it('the schema check catches a broken log (so the check above can fail)', () => {
    const log = sarifLog([finding()], [], ctx) as unknown as { runs: { results: { level: string }[] }[] };
    log.runs[0].results[0].level = 'notice';
    expect(validateSarif(log)).toEqual(['/runs/0/results/0/level must be equal to one of the allowed values']);
  });

  it('percent-encodes each path segment', () => {
    expect(pathToUri('a b/c#d/e%.py')).toBe('a%20b/c%23d/e%25.py');
  });
});
