import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatConfigError, parseConfigText } from '../../src/config/load.js';
import { ruleCatalog } from '../../src/lint/index.js';
import { CLEAN, RUN_CALLED, makeProject, removeProject, runCli } from './helpers.js';

/** The engine's TL301 message for `t.run()`; the one line to update if its wording changes. */
const MESSAGE = "`t.run()` runs the thread's target in the calling thread; use `.start()` to run it on a new thread.";
const line = (path: string, row = 7) => `${path}:${row}:1: TL301 [error] ${MESSAGE}`;

let dir: string;
afterEach(async () => {
  if (dir) await removeProject(dir);
});

describe('threadlint check: exit codes and the text format', () => {
  it('exits 1 and prints each finding and the tally', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED, 'pkg/b.py': CLEAN });
    const run = await runCli(['check'], dir);
    expect(run).toEqual({
      code: 1,
      stdout: `${line('a.py')}\n1 finding (1 error) in 2 files; 1 fixable with --fix.\n`,
      stderr: '',
    });
  });

  it('exits 0 on clean code', async () => {
    dir = await makeProject({ 'a.py': CLEAN });
    expect(await runCli(['check', '.'], dir)).toEqual({ code: 0, stdout: 'No findings in 1 file.\n', stderr: '' });
  });

  it('exits 0 with --exit-zero, and when fail_on is above the finding', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED, 'threadlint.yml': 'rules:\n  TL301: warning\n' });
    // --exit-zero does not hide a failure of the tool itself.
    expect((await runCli(['check', '--exit-zero', '--config', 'none.yml'], dir)).code).toBe(2);
    const lowered = await runCli(['check'], dir);
    expect(lowered.code).toBe(0);
    expect(lowered.stdout).toBe(`a.py:7:1: TL301 [warning] ${MESSAGE}\n1 finding (1 warning) in 1 file; 1 fixable with --fix.\n`);
    await writeFile(join(dir, 'threadlint.yml'), 'fail_on: warning\n');
    expect((await runCli(['check'], dir)).code).toBe(1);
    expect((await runCli(['check', '--exit-zero'], dir)).code).toBe(0);
  });

  it('exits 1 when a file could not be analysed, even with no finding (0 with --exit-zero)', async () => {
    dir = await makeProject({ 'a.py': CLEAN, 'blob.py': 'x = 1\0\n' });
    const run = await runCli(['check'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^blob\.py: note: /);
    expect((await runCli(['check', '--exit-zero'], dir)).code).toBe(0);
    expect((await runCli(['check', 'a.py'], dir)).code).toBe(0);
  });

  it('exits 2 on a path that does not exist, without analysing', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED });
    expect(await runCli(['check', 'a.py', 'nope.py'], dir)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'threadlint: error: no such file or directory: nope.py\n',
    });
  });

  it('exits 2 on a config error and prints every problem', async () => {
    const text = 'fail_on: sometimes\nrules:\n  TL301: loud\n';
    dir = await makeProject({ 'a.py': RUN_CALLED, '.github/threadlint.yml': text });
    const ids = ruleCatalog().map((r) => r.id);
    const parsed = parseConfigText(text, '.github/threadlint.yml', 'yaml', ids);
    if (parsed.ok) throw new Error('the config should be invalid');
    const run = await runCli(['check'], dir);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`${parsed.errors.map(formatConfigError).join('\n')}\n`);
    expect(run.stderr).toContain('.github/threadlint.yml:1: fail_on');
  });

  it('names a missing --config file', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED });
    const run = await runCli(['check', '--config', 'cfg/missing.yml'], dir);
    expect(run).toEqual({ code: 2, stdout: '', stderr: 'cfg/missing.yml: cannot read config: file not found\n' });
  });

  it('exits 2 on usage errors', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED });
    const unknown = await runCli(['check', '--bogus'], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("error: unknown option '--bogus'");
    expect((await runCli(['check', '--format', 'xml'], dir)).code).toBe(2);
    expect((await runCli(['check', '--diff', 'x.diff', '--base', 'HEAD'], dir)).code).toBe(2);
    expect(await runCli(['check', '--filter-mode', 'file'], dir)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'threadlint: error: --filter-mode needs --diff or --base\n',
    });
    expect((await runCli([], dir)).code).toBe(2);
  });

  it('prints help and the version with exit 0', async () => {
    dir = await makeProject({});
    const help = await runCli(['check', '--help'], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('.git, node_modules, .venv, venv, __pycache__, .tox');
    const version = await runCli(['--version'], dir);
    expect(version).toEqual({ code: 0, stdout: `${JSON.parse(readFileSync('package.json', 'utf8')).version}\n`, stderr: '' });
  });
});

describe('threadlint check: which files', () => {
  it('skips tool folders and hidden folders, keeps paths.include, honours paths.exclude', async () => {
    dir = await makeProject({
      'src/a.py': RUN_CALLED,
      'src/gen/skip.py': RUN_CALLED,
      '.venv/lib.py': RUN_CALLED,
      'venv/lib.py': RUN_CALLED,
      'node_modules/x/y.py': RUN_CALLED,
      '.hidden/h.py': RUN_CALLED,
      'src/__pycache__/c.py': RUN_CALLED,
      '.tox/t.py': RUN_CALLED,
      'notes.txt': RUN_CALLED,
      'threadlint.yml': 'paths:\n  exclude: ["src/gen/**"]\n',
    });
    const run = await runCli(['check'], dir);
    expect(run.stdout).toBe(`${line('src/a.py')}\n1 finding (1 error) in 1 file; 1 fixable with --fix.\n`);
  });

  it('checks a file named on the command line whatever its name, unless excluded', async () => {
    dir = await makeProject({
      'tool': RUN_CALLED,
      'gen/x.py': RUN_CALLED,
      '.venv/v.py': RUN_CALLED,
      'threadlint.yml': 'paths:\n  exclude: ["gen/**"]\n',
    });
    const run = await runCli(['check', 'tool', 'gen/x.py', '.venv'], dir);
    expect(run).toEqual({
      code: 1,
      stdout: `${line('.venv/v.py')}\n${line('tool')}\n2 findings (2 errors) in 2 files; 2 fixable with --fix.\n`,
      stderr: 'gen/x.py: note: excluded by paths.exclude in the config; not analysed\n',
    });
  });

  it('walks a folder outside the working directory, matching globs below that folder', async () => {
    dir = await makeProject({ 'here/a.py': CLEAN, 'other/x.py': RUN_CALLED, 'other/gen/y.py': RUN_CALLED, 'here/threadlint.yml': 'paths:\n  exclude: ["gen/**"]\n' });
    const run = await runCli(['check', '../other'], join(dir, 'here'));
    expect(run).toEqual({ code: 1, stdout: `${line('../other/x.py')}\n1 finding (1 error) in 1 file; 1 fixable with --fix.\n`, stderr: '' });
  });

  it('reports notes on stderr and goes on with the other files', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED, 'bin.py': 'x = 1\0\n' });
    const run = await runCli(['check'], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(`${line('a.py')}\n1 finding (1 error) in 1 file; 1 fixable with --fix.\n`);
    expect(run.stderr).toBe('bin.py: note: binary file (contains NUL bytes)\n');
  });

  it('warns when there is nothing to analyse', async () => {
    dir = await makeProject({ 'README.md': '# hi\n' });
    expect(await runCli(['check'], dir)).toEqual({
      code: 0,
      stdout: 'No findings in 0 files.\n',
      stderr: 'threadlint: warning: no Python files found to analyse\n',
    });
  });
});

describe('threadlint check: rule selection', () => {
  it('--select and --ignore take IDs and prefixes', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED });
    expect((await runCli(['check', '--select', 'TL3'], dir)).stdout).toContain(line('a.py'));
    expect((await runCli(['check', '--select', 'TL301,TL30'], dir)).code).toBe(1);
    expect(await runCli(['check', '--ignore', 'TL301'], dir)).toEqual({ code: 0, stdout: 'No findings in 1 file.\n', stderr: '' });
    expect((await runCli(['check', '--ignore', 'TL3', '--select', 'TL301'], dir)).code).toBe(0);
  });

  it('refuses an ID that names no rule', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED });
    expect(await runCli(['check', '--select', 'TL301,TL999'], dir)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'threadlint: error: --select: unknown rule ID or prefix: TL999\n',
    });
  });
});

const TWO_RUNS = `${RUN_CALLED}t2 = threading.Thread(target=work)\nt2.run()\n`;
/** Adds lines 8–9 of a.py; line 7 stays outside the diff. */
const DIFF = `diff --git a/a.py b/a.py
--- a/a.py
+++ b/a.py
@@ -6,2 +6,4 @@
 t = threading.Thread(target=work)
 t.run()
+t2 = threading.Thread(target=work)
+t2.run()
`;

describe('threadlint check: diffs', () => {
  const second = `a.py:9:1: TL301 [error] ${MESSAGE.replace('`t.run()`', '`t2.run()`')}`;

  it('--diff FILE keeps findings on added lines only', async () => {
    dir = await makeProject({ 'a.py': TWO_RUNS, 'b.py': RUN_CALLED, 'change.diff': DIFF });
    const run = await runCli(['check', '--diff', 'change.diff'], dir);
    expect(run).toEqual({ code: 1, stdout: `${second}\n1 finding (1 error) in 2 files; 1 fixable with --fix.\n`, stderr: '' });
  });

  it('--diff - reads the diff from stdin; --filter-mode widens it', async () => {
    dir = await makeProject({ 'a.py': TWO_RUNS, 'b.py': RUN_CALLED });
    expect((await runCli(['check', '--diff', '-'], dir, DIFF)).stdout).toBe(
      `${second}\n1 finding (1 error) in 2 files; 1 fixable with --fix.\n`,
    );
    expect((await runCli(['check', '--diff', '-', '--filter-mode', 'file'], dir, DIFF)).stdout).toBe(
      `${line('a.py')}\n${second}\n2 findings (2 errors) in 2 files; 2 fixable with --fix.\n`,
    );
    expect((await runCli(['check', '--diff', '-', '--filter-mode', 'nofilter'], dir, DIFF)).stdout).toContain(line('b.py'));
  });

  it('an unreadable diff file is a usage error', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED });
    const run = await runCli(['check', '--diff', 'missing.diff'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^threadlint: error: --diff: cannot read missing\.diff: ENOENT/);
  });

  it('--base REV diffs the working tree against a git revision', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED, 'b.py': RUN_CALLED });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
    git('init', '-q');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.test', 'commit', '-q', '--allow-empty', '-m', 'root');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.test', 'commit', '-q', '-m', 'base');
    await writeFile(join(dir, 'a.py'), TWO_RUNS);
    const run = await runCli(['check', '--base', 'HEAD'], dir);
    expect(run).toEqual({ code: 1, stdout: `${second}\n1 finding (1 error) in 2 files; 1 fixable with --fix.\n`, stderr: '' });
    // Everything added since the root commit.
    expect((await runCli(['check', '--base', 'HEAD~1'], dir)).stdout).toBe(
      `${line('a.py')}\n${second}\n${line('b.py')}\n3 findings (3 errors) in 2 files; 3 fixable with --fix.\n`,
    );
  });

  it('a failing git command is exit 2 with git\'s message', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED });
    const run = await runCli(['check', '--base', 'HEAD'], dir);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^threadlint: error: git diff HEAD failed: .*not a git repository/i);
    expect(await runCli(['check', '--base', '--output=x'], dir)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'threadlint: error: --base: not a revision: --output=x\n',
    });
  });
});

describe('threadlint check: fixes', () => {
  it('--fix rewrites the file, re-runs, and reports what remains', async () => {
    dir = await makeProject({ 'a.py': TWO_RUNS, 'b.py': CLEAN });
    const run = await runCli(['check', '--fix'], dir);
    expect(run).toEqual({ code: 0, stdout: 'No findings in 2 files; 2 fixes applied.\n', stderr: '' });
    expect(readFileSync(join(dir, 'a.py'), 'utf8')).toBe(TWO_RUNS.replace('t.run()', 't.start()').replace('t2.run()', 't2.start()'));
    expect(readFileSync(join(dir, 'b.py'), 'utf8')).toBe(CLEAN);
  });

  it('--fix keeps a BOM', async () => {
    dir = await makeProject({ 'a.py': `\ufeff${RUN_CALLED}` });
    expect((await runCli(['check', '--fix'], dir)).code).toBe(0);
    expect(readFileSync(join(dir, 'a.py'), 'utf8')).toBe(`\ufeff${CLEAN}`);
  });

  it('--show-fixes prints the fixes as a diff without touching the file', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED });
    const run = await runCli(['check', '--show-fixes'], dir);
    const diff = '--- a/a.py\n+++ b/a.py\n@@ -4,4 +4,4 @@\n     pass\n \n t = threading.Thread(target=work)\n-t.run()\n+t.start()\n';
    expect(run).toEqual({ code: 1, stdout: `${diff}${line('a.py')}\n1 finding (1 error) in 1 file; 1 fixable with --fix.\n`, stderr: '' });
    expect(readFileSync(join(dir, 'a.py'), 'utf8')).toBe(RUN_CALLED);
    // With a JSON report on stdout, the diff moves to stderr.
    const json = await runCli(['check', '--show-fixes', '--fix', '--format', 'json'], dir);
    expect(json).toEqual({ code: 0, stdout: '[]\n', stderr: `${diff}threadlint: 1 fix applied\n` });
  });
});

describe('threadlint check: formats and --output', () => {
  it('--format json', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED });
    const run = await runCli(['check', '--format', 'json'], dir);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual([
      {
        ruleId: 'TL301',
        severity: 'error',
        path: 'a.py',
        line: 7,
        column: 1,
        endLine: 7,
        endColumn: 8,
        message: MESSAGE,
        helpUri: 'https://github.com/threadlint/threadlint/blob/main/rules/TL301.md',
        fix: { description: 'Replace `.run()` with `.start()`', edits: [{ startLine: 7, startColumn: 3, endLine: 7, endColumn: 6, text: 'start' }] },
      },
    ]);
  });

  it('--format github', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED });
    expect((await runCli(['check', '--format', 'github'], dir)).stdout).toBe(
      `::error file=a.py,line=7,col=1,endLine=7,endColumn=8,title=TL301 thread-run-called::${MESSAGE}\n` +
        '1 finding (1 error) in 1 file; 1 fixable with --fix.\n',
    );
  });

  it('--output writes the report to a file and nothing to stdout', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED });
    const run = await runCli(['check', '--format', 'json', '--output', 'out/report.json'], dir);
    expect(run).toEqual({ code: 1, stdout: '', stderr: '' });
    expect(JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8'))).toHaveLength(1);
    const text = await runCli(['check', '--output', 'report.txt'], dir);
    expect(text.stdout).toBe('');
    expect(readFileSync(join(dir, 'report.txt'), 'utf8')).toBe(`${line('a.py')}\n1 finding (1 error) in 1 file; 1 fixable with --fix.\n`);
    expect(existsSync(join(dir, 'a.py'))).toBe(true);
  });
});
