import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_CONFIG } from '../../src/engine/types.js';
import { discover, discoverConfig, hasThreadlintTable, loadConfigFile, parseDiscovered } from '../../src/config/discover.js';

const IDS = ['TL101', 'TL102', 'TL201'];
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'threadlint-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
}

const PYPROJECT_WITH = '[project]\nname = "x"\n\n[tool.threadlint.rules]\nTL101 = "off"\n';
const PYPROJECT_WITHOUT = '[project]\nname = "x"\n\n[tool.ruff]\nline-length = 100\n';

describe('discoverConfig', () => {
  it.each<[string, Record<string, string>, string | null]>([
    ['.github/threadlint.yml first', {
      '.github/threadlint.yml': 'fail_on: never\n', 'threadlint.yml': 'fail_on: notice\n', 'pyproject.toml': PYPROJECT_WITH,
    }, '.github/threadlint.yml'],
    ['then threadlint.yml', { 'threadlint.yml': 'fail_on: notice\n', 'pyproject.toml': PYPROJECT_WITH }, 'threadlint.yml'],
    ['then pyproject.toml with [tool.threadlint…]', { 'pyproject.toml': PYPROJECT_WITH }, 'pyproject.toml'],
    ['not a pyproject.toml without it', { 'pyproject.toml': PYPROJECT_WITHOUT }, null],
    ['nothing', {}, null],
  ])('%s', async (_name, files, expected) => {
    await put(files);
    const found = await discoverConfig(dir);
    expect(found && { path: found.path.slice(dir.length + 1), text: found.text, format: found.format, root: found.root }).toEqual(
      expected === null ? null : {
        path: expected,
        text: files[expected],
        format: expected === 'pyproject.toml' ? 'pyproject' : 'yaml',
        root: dir,
      },
    );
  });

  it('outside a repository, does not walk up to parent folders', async () => {
    await put({ 'threadlint.yml': 'fail_on: never\n', 'sub/a.py': '' });
    expect(await discoverConfig(join(dir, 'sub'))).toBeNull();
  });

  it('inside a repository, walks up to its root, and the nearest config wins', async () => {
    await put({ '.git/HEAD': '', 'pyproject.toml': PYPROJECT_WITH, 'pkg/threadlint.yml': 'fail_on: never\n', 'pkg/sub/deeper/a.py': '' });
    const nearest = await discoverConfig(join(dir, 'pkg', 'sub', 'deeper'));
    expect(nearest && [nearest.path, nearest.root]).toEqual([join(dir, 'pkg', 'threadlint.yml'), join(dir, 'pkg')]);
    await put({ 'other/x.py': '' });
    expect((await discover(join(dir, 'other'))).config?.path).toBe(join(dir, 'pyproject.toml'));
  });

  it('stops at the repository root', async () => {
    await put({ 'threadlint.yml': 'fail_on: never\n', 'repo/.git': 'gitdir: elsewhere\n', 'repo/src/a.py': '' });
    const found = await discover(join(dir, 'repo', 'src'));
    expect(found).toEqual({ config: null, repositoryRoot: join(dir, 'repo'), pythonVersion: undefined });
  });

  it('.github/threadlint.yml belongs to the folder above .github', async () => {
    await put({ '.git/HEAD': '', '.github/threadlint.yml': 'fail_on: never\n', 'src/a.py': '' });
    expect((await discoverConfig(join(dir, 'src')))?.root).toBe(dir);
  });

  it('reads requires-python from the project pyproject.toml, with or without a config', async () => {
    await put({ '.git/HEAD': '', 'pyproject.toml': '[project]\nrequires-python = ">=3.11"\n', 'src/a.py': '' });
    expect(await discover(join(dir, 'src'))).toEqual({ config: null, repositoryRoot: dir, pythonVersion: '3.11' });
    await put({ 'threadlint.yml': 'fail_on: never\n' });
    const found = await discoverConfig(join(dir, 'src'));
    expect(found && parseDiscovered(found, IDS)).toMatchObject({ ok: true, config: { python_version: '3.11', fail_on: 'never' } });
    await put({ 'threadlint.yml': 'python_version: "3.9"\n' });
    const set = await discoverConfig(join(dir, 'src'));
    expect(set && parseDiscovered(set, IDS)).toMatchObject({ ok: true, config: { python_version: '3.9' } });
  });
});

describe('hasThreadlintTable', () => {
  it.each<[string, boolean]>([
    [PYPROJECT_WITH, true],
    [PYPROJECT_WITHOUT, false],
    ['[tool]\nthreadlint = { fail_on = "never" }\n', true],
    // Broken TOML with a visible header still counts, so the syntax error gets reported.
    ['[tool.threadlint]\nfail_on = \n', true],
    ['[tool.ruff\n', false],
    // A header missing its `]` is still threadlint's: its error is reported, not skipped.
    ['[project]\nname = "x"\n[tool.threadlint\nfail_on = "never"\n', true],
    ['[tool.threadlint.rules\nTL101 = "off"\n', true],
    ['tool.threadlint.fail_on = \n', true],
    ['[tool.threadlintx]\n', false],
  ])('%j → %s', (text, expected) => {
    expect(hasThreadlintTable(text)).toBe(expected);
  });
});

describe('loadConfigFile', () => {
  it('reads YAML by default', async () => {
    await put({ 'ci/lint.yml': 'rules:\n  TL2: off\n' });
    expect(await loadConfigFile(join(dir, 'ci/lint.yml'), IDS)).toEqual({
      ok: true, config: { ...DEFAULT_CONFIG, rules: { TL2: 'off' } }, source: join(dir, 'ci/lint.yml'),
    });
  });

  it('reads *.toml as pyproject', async () => {
    await put({ 'pyproject.toml': PYPROJECT_WITH });
    const result = await loadConfigFile(join(dir, 'pyproject.toml'), IDS);
    expect(result.ok && result.config.rules).toEqual({ TL101: 'off' });
  });

  it('reports errors against the path it was given', async () => {
    await put({ 'threadlint.yml': 'rules:\n  TL999: off\n' });
    const path = join(dir, 'threadlint.yml');
    expect(await loadConfigFile(path, IDS)).toEqual({
      ok: false,
      errors: [{ source: path, key: 'rules.TL999', line: 2, message: 'unknown rule ID (known: TL101, TL102, TL201)' }],
    });
  });

  it('refuses a TOML file without [tool.threadlint] instead of running on the defaults', async () => {
    await put({ 'pyproject.toml': PYPROJECT_WITHOUT });
    const path = join(dir, 'pyproject.toml');
    expect(await loadConfigFile(path, IDS)).toEqual({
      ok: false, errors: [{ source: path, key: '', message: 'no [tool.threadlint] table in this file (threadlint reads its settings from there)' }],
    });
  });

  it('a YAML file named with --config gets python_version from the pyproject.toml beside it', async () => {
    await put({ 'lint.yml': 'fail_on: never\n', 'pyproject.toml': '[project]\nrequires-python = "~=3.12"\n' });
    const result = await loadConfigFile(join(dir, 'lint.yml'), IDS);
    expect(result.ok && result.config.python_version).toBe('3.12');
  });

  it('reports a missing file as a config error, not a crash', async () => {
    const path = join(dir, 'nope.yml');
    expect(await loadConfigFile(path, IDS)).toEqual({
      ok: false, errors: [{ source: path, key: '', message: 'cannot read config: file not found' }],
    });
  });
});
