/**
 * The Ruff-style flags of DESIGN.md revision 2, each through the real `main`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLEAN, RUN_CALLED, makeProject, removeProject, runCli } from './helpers.js';

const MESSAGE = "`t.run()` runs the thread's target in the calling thread; use `.start()` to run it on a new thread.";
const line = (path: string, row = 7) => `${path}:${row}:1: TL301 [error] ${MESSAGE}`;
const ESC = String.fromCharCode(27);

/** A lock made fresh for one `with`: TL103, which has no fix. */
const USELESS_LOCK = 'import threading\n\n\ndef f():\n    with threading.Lock():\n        print(1)\n';

let dir: string;
afterEach(async () => {
  if (dir) await removeProject(dir);
});

describe('--output-format', () => {
  it('is --format under Ruff\'s name; two that disagree are a usage error', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED });
    const format = await runCli(['check', '--format', 'json'], dir);
    expect(await runCli(['check', '--output-format', 'json'], dir)).toEqual(format);
    expect(JSON.parse(format.stdout)[0].ruleId).toBe('TL301');
    const both = await runCli(['check', '--format', 'json', '--output-format', 'sarif'], dir);
    expect(both).toEqual({ code: 2, stdout: '', stderr: 'threadlint: error: --format json and --output-format sarif disagree; give one\n' });
    expect((await runCli(['check', '--output-format', 'xml'], dir)).code).toBe(2);
  });
});

describe('--statistics', () => {
  it('counts findings per rule, most frequent first, in text or json', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED, 'b.py': RUN_CALLED, 'c.py': USELESS_LOCK });
    const text = await runCli(['check', '--statistics'], dir);
    expect(text).toEqual({ code: 1, stdout: '2\tTL301\t[*] thread-run-called\n1\tTL103\t[ ] useless-lock\n', stderr: '' });
    const json = await runCli(['check', '--statistics', '--format', 'json'], dir);
    expect(JSON.parse(json.stdout)).toEqual([
      { code: 'TL301', name: 'thread-run-called', count: 2, fixable: 2 },
      { code: 'TL103', name: 'useless-lock', count: 1, fixable: 0 },
    ]);
    expect((await runCli(['check', '--statistics', '--format', 'sarif'], dir)).code).toBe(2);
  });
});

describe('--show-settings', () => {
  it('prints the config file, the resolved settings and the files, analyses nothing and exits 0', async () => {
    dir = await makeProject({
      '.git/HEAD': '',
      'pyproject.toml': '[project]\nrequires-python = ">=3.12"\n\n[tool.threadlint]\nfail_on = "warning"\n',
      'src/a.py': RUN_CALLED,
    });
    const run = await runCli(['check', '--show-settings', '--profile', 'free-threading', '--jobs', '3'], join(dir, 'src'));
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('config file: ../pyproject.toml\n');
    expect(run.stdout).toContain('project root: ..\n');
    expect(run.stdout).toContain('jobs: 3\n');
    expect(run.stdout).toContain('  fail_on: warning\n');
    expect(run.stdout).toContain('  python_version: "3.12"\n');
    expect(run.stdout).toContain('  profile: free-threading\n');
    expect(run.stdout).toContain('files to analyse:\n  - a.py\n');
    expect(existsSync(join(dir, '.threadlint_cache'))).toBe(false);
  });

  it('rejects an unknown profile', async () => {
    dir = await makeProject({ 'a.py': CLEAN });
    const run = await runCli(['check', '--profile', 'turbo'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("argument 'turbo' is invalid");
  });
});

describe('--select, --extend-select, --ignore', () => {
  it('--extend-select turns on a rule the config turns off, and adds to --select', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED + USELESS_LOCK.replace('import threading\n', ''), 'threadlint.yml': 'rules:\n  TL301: off\n' });
    const off = await runCli(['check', '--format', 'json'], dir);
    expect(JSON.parse(off.stdout).map((f: { ruleId: string }) => f.ruleId)).toEqual(['TL103']);
    const on = await runCli(['check', '--format', 'json', '--extend-select', 'TL3'], dir);
    expect(JSON.parse(on.stdout).map((f: { ruleId: string; severity: string }) => `${f.ruleId} ${f.severity}`)).toEqual(['TL301 error', 'TL103 error']);
    const narrowed = await runCli(['check', '--format', 'json', '--select', 'TL1', '--extend-select', 'TL301'], dir);
    expect(JSON.parse(narrowed.stdout)).toHaveLength(2);
    expect((await runCli(['check', '--extend-select', 'TL999'], dir)).stderr).toBe('threadlint: error: --extend-select: unknown rule ID or prefix: TL999\n');
  });
});

describe('--exclude and --extend-exclude', () => {
  it('a glob without a slash names a folder anywhere; --exclude replaces paths.exclude, --extend-exclude adds to it', async () => {
    dir = await makeProject({
      'threadlint.yml': 'paths:\n  exclude: ["legacy/**"]\n',
      'legacy/a.py': RUN_CALLED,
      'pkg/build/b.py': RUN_CALLED,
      'pkg/c.py': RUN_CALLED,
    });
    const paths = async (...flags: string[]) =>
      JSON.parse((await runCli(['check', '--format', 'json', ...flags], dir)).stdout).map((f: { path: string }) => f.path);
    expect(await paths()).toEqual(['pkg/build/b.py', 'pkg/c.py']);
    expect(await paths('--extend-exclude', 'build')).toEqual(['pkg/c.py']);
    expect(await paths('--exclude', 'build')).toEqual(['legacy/a.py', 'pkg/c.py']);
    expect(await paths('--exclude', 'pkg/*.py,legacy')).toEqual(['pkg/build/b.py']);
  });

  it('anchors globs with a slash at the working directory', async () => {
    dir = await makeProject({ '.git/HEAD': '', 'threadlint.yml': '', 'sub/gen/a.py': RUN_CALLED, 'sub/b.py': RUN_CALLED });
    const run = await runCli(['check', '--format', 'json', '--extend-exclude', 'gen/**'], join(dir, 'sub'));
    expect(JSON.parse(run.stdout).map((f: { path: string }) => f.path)).toEqual(['b.py']);
  });
});

describe('--stdin-filename', () => {
  it('analyses stdin under that name, with the config that name gets', async () => {
    dir = await makeProject({ 'threadlint.yml': 'per-file-ignores:\n  "scripts/**": [TL301]\n' });
    expect(await runCli(['check', '--stdin-filename', 'pkg/mod.py'], dir, RUN_CALLED)).toEqual({
      code: 1,
      stdout: `${line('pkg/mod.py')}\n1 finding (1 error) in 1 file; 1 fixable with --fix.\n`,
      stderr: '',
    });
    expect((await runCli(['check', '--stdin-filename', 'scripts/x.py'], dir, RUN_CALLED)).code).toBe(0);
    expect(existsSync(join(dir, '.threadlint_cache'))).toBe(false);
  });

  it('with --fix prints the fixed file on stdout and the report on stderr', async () => {
    dir = await makeProject({});
    const run = await runCli(['check', '--stdin-filename', 'a.py', '--fix'], dir, RUN_CALLED);
    expect(run.stdout).toBe(CLEAN);
    expect(run.stderr).toContain('No findings in 1 file; 1 fix applied.');
    expect(run.code).toBe(0);
  });

  it('refuses paths and a diff on stdin next to it', async () => {
    dir = await makeProject({ 'a.py': CLEAN });
    expect((await runCli(['check', '--stdin-filename', 'a.py', 'a.py'], dir)).stderr).toBe('threadlint: error: --stdin-filename reads one file from stdin; give no paths\n');
    expect((await runCli(['check', '--stdin-filename', 'a.py', '--diff', '-'], dir)).code).toBe(2);
  });
});

describe('--jobs', () => {
  it('gives the same report on worker threads as in this thread', async () => {
    // Big enough (over 256 KiB) that the lint layer really starts the workers.
    const padding = `# ${'x'.repeat(8000)}\n`;
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) files[`m${String(i).padStart(2, '0')}.py`] = (i % 3 === 0 ? RUN_CALLED : CLEAN) + padding;
    dir = await makeProject(files);
    const one = await runCli(['check', '--jobs', '1', '--no-cache'], dir);
    const two = await runCli(['check', '--jobs', '2', '--no-cache', '-v'], dir);
    expect(one.code).toBe(1);
    expect(one.stdout).toContain('14 findings (14 errors) in 40 files');
    expect(two.stdout).toBe(one.stdout);
    expect(two.stderr).toContain('40 files analysed in');
    expect(two.stderr).toContain('(jobs: 2)');
  });

  it('must be a whole number of at least 1', async () => {
    dir = await makeProject({ 'a.py': CLEAN });
    for (const bad of ['0', 'two', '1.5']) {
      const run = await runCli(['check', '--jobs', bad], dir);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('expected a whole number of at least 1');
    }
  });
});

describe('--report-unused-ignores', () => {
  it('reports a suppression that silences nothing', async () => {
    dir = await makeProject({ 'a.py': `${CLEAN.trimEnd()}  # threadlint: ignore[TL301]\n` });
    expect((await runCli(['check'], dir)).code).toBe(0);
    const run = await runCli(['check', '--report-unused-ignores', '--format', 'json'], dir);
    expect(JSON.parse(run.stdout).map((f: { ruleId: string; line: number }) => `${f.ruleId}:${f.line}`)).toEqual(['TL002:7']);
  });
});

describe('-q and -v', () => {
  it('-q prints the findings only; -v says what the run used; both at once is an error', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED, 'threadlint.yml': '' });
    const verbose = await runCli(['check', '-v'], dir);
    expect(verbose.stderr).toContain(`threadlint: config: ${join(dir, 'threadlint.yml')}; project root: ${dir}\n`);
    expect(verbose.stderr).toMatch(/threadlint: cache .*: 0 hits, 1 misses, 1 written\n/);
    expect((await runCli(['check', '-v'], dir)).stderr).toMatch(/: 1 hits, 0 misses, 0 written\n/);
    expect(await runCli(['check', '-q'], dir)).toEqual({ code: 1, stdout: `${line('a.py')}\n`, stderr: '' });
    expect(await runCli(['check', '-q'], join(dir, '.threadlint_cache'))).toMatchObject({ stdout: '', stderr: '' });
    expect((await runCli(['check', '-q', '-v'], dir)).code).toBe(2);
  });
});

describe('colour', () => {
  it('is on in a terminal, off with NO_COLOR or in a file, forced by FORCE_COLOR', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED });
    expect((await runCli(['check'], dir, '', { tty: true, env: {} })).stdout).toContain(`${ESC}[`);
    expect((await runCli(['check'], dir, '', { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain(ESC);
    expect((await runCli(['check'], dir, '', { tty: true, env: { TERM: 'dumb' } })).stdout).not.toContain(ESC);
    expect((await runCli(['check'], dir, '', { env: {} })).stdout).not.toContain(ESC);
    expect((await runCli(['check'], dir, '', { env: { FORCE_COLOR: '1' } })).stdout).toContain(`${ESC}[`);
    expect((await runCli(['check'], dir, '', { tty: true, env: { FORCE_COLOR: '0' } })).stdout).not.toContain(ESC);
    // Machine formats and files are never coloured.
    expect((await runCli(['check', '--format', 'json'], dir, '', { env: { FORCE_COLOR: '1' } })).stdout).not.toContain(ESC);
    await runCli(['check', '--output', 'out.txt'], dir, '', { tty: true, env: { FORCE_COLOR: '1' } });
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe(`${line('a.py')}\n1 finding (1 error) in 1 file; 1 fixable with --fix.\n`);
  });
});

describe('.gitignore', () => {
  it('skips what git ignores, at every level, and still checks a file named explicitly', async () => {
    dir = await makeProject({
      '.git/HEAD': '',
      '.git/info/exclude': 'scratch.py\n',
      '.gitignore': 'build/\n*.gen.py\n!keep.gen.py\n',
      'build/a.py': RUN_CALLED,
      'pkg/.gitignore': 'local_*.py\n',
      'pkg/local_x.py': RUN_CALLED,
      'pkg/x.gen.py': RUN_CALLED,
      'pkg/keep.gen.py': RUN_CALLED,
      'pkg/real.py': RUN_CALLED,
      'scratch.py': RUN_CALLED,
    });
    const paths = async (cwd: string, ...args: string[]) =>
      JSON.parse((await runCli(['check', '--format', 'json', ...args], cwd)).stdout).map((f: { path: string }) => f.path);
    expect(await paths(dir)).toEqual(['pkg/keep.gen.py', 'pkg/real.py']);
    // From a subfolder the repository's .gitignore files above it still apply.
    expect(await paths(join(dir, 'pkg'))).toEqual(['keep.gen.py', 'real.py']);
    expect(await paths(dir, 'build/a.py', 'pkg/local_x.py')).toEqual(['build/a.py', 'pkg/local_x.py']);
  });
});

describe('run from a subfolder', () => {
  it('uses the project config with globs relative to its folder, and reports paths relative to the working directory', async () => {
    dir = await makeProject({
      '.git/HEAD': '',
      'pyproject.toml': '[tool.threadlint.paths]\nexclude = ["src/generated/**"]\n',
      'src/generated/g.py': RUN_CALLED,
      'src/app/a.py': RUN_CALLED,
    });
    const fromRoot = await runCli(['check', '--format', 'json'], dir);
    const fromSub = await runCli(['check', '--format', 'json'], join(dir, 'src'));
    expect(JSON.parse(fromRoot.stdout).map((f: { path: string }) => f.path)).toEqual(['src/app/a.py']);
    expect(JSON.parse(fromSub.stdout).map((f: { path: string }) => f.path)).toEqual(['app/a.py']);
    // The cache lives at the project root, whichever folder the run starts from.
    expect(existsSync(join(dir, '.threadlint_cache', '.gitignore'))).toBe(true);
    expect(existsSync(join(dir, 'src', '.threadlint_cache'))).toBe(false);
  });
});

describe('input that cannot be analysed fails loudly', () => {
  it('a file that does not parse is a TL001 finding and exit 1', async () => {
    dir = await makeProject({ 'a.py': 'def broken(:\n    pass\n' });
    const run = await runCli(['check', '--format', 'json'], dir);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).map((f: { ruleId: string; severity: string }) => `${f.ruleId} ${f.severity}`)).toEqual(['TL001 error']);
  });

  it('text that is not a diff on --diff - is a usage error', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED });
    const run = await runCli(['check', '--diff', '-'], dir, 'a.py\nb.py\n');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^threadlint: error: cannot read the diff from stdin: no file header/);
    // An empty diff is "nothing changed", not an error.
    expect(await runCli(['check', '--diff', '-'], dir, '')).toMatchObject({ code: 0 });
  });

  it('a pyproject.toml whose [tool.threadlint header is broken is a config error', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED, 'pyproject.toml': '[project]\nname = "x"\n\n[tool.threadlint\nfail_on = "never"\n' });
    const run = await runCli(['check'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^pyproject\.toml:4: invalid TOML/);
  });

  it('--config on a TOML file without [tool.threadlint] is a config error', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED, 'tools.toml': '[tool.ruff]\nline-length = 99\n' });
    expect(await runCli(['check', '--config', 'tools.toml'], dir)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'tools.toml: no [tool.threadlint] table in this file (threadlint reads its settings from there)\n',
    });
  });
});

describe('the result cache', () => {
  it('lives in .threadlint_cache/, ignores itself for git, and --no-cache leaves it alone', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED });
    await runCli(['check', '--no-cache'], dir);
    expect(existsSync(join(dir, '.threadlint_cache'))).toBe(false);
    const cold = await runCli(['check'], dir);
    expect(readFileSync(join(dir, '.threadlint_cache', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    expect(readFileSync(join(dir, '.threadlint_cache', 'CACHEDIR.TAG'), 'utf8')).toMatch(/^Signature: 8a477f597d28d172789f06886806bc55/);
    expect(await runCli(['check'], dir)).toEqual(cold);
    // A changed file is a miss, not a stale hit.
    await writeFile(join(dir, 'a.py'), CLEAN);
    expect((await runCli(['check'], dir)).code).toBe(0);
  });

  it('a folder it cannot create only turns it off', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED, '.threadlint_cache': 'a file in the way\n' });
    const run = await runCli(['check', '-v'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('threadlint: cache off: cannot create');
  });
});

describe('the full format', () => {
  it('shows the code around each finding with the span underlined, the fix and the page', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED });
    const run = await runCli(['check', '--output-format', 'full'], dir);
    expect(run.stdout).toBe(
      [
        line('a.py'),
        '  |',
        '5 |',
        '6 | t = threading.Thread(target=work)',
        '7 | t.run()',
        '  | ^^^^^^^',
        '  |',
        '  help: Replace `.run()` with `.start()`',
        '  docs: https://github.com/threadlint/threadlint/blob/main/rules/TL301.md',
        '',
        '1 finding (1 error) in 1 file; 1 fixable with --fix.',
        '',
      ].join('\n'),
    );
  });
});
