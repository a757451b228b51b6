import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_CONFIG } from '../../src/engine/types.js';
import { discoverConfig, hasThreadlintTable, loadConfigFile } from '../../src/config/discover.js';

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
    expect(found && { ...found, path: found.path.slice(dir.length + 1) }).toEqual(
      expected === null ? null : {
        path: expected,
        text: files[expected],
        format: expected === 'pyproject.toml' ? 'pyproject' : 'yaml',
      },
    );
  });

  it('does not walk up to parent folders', async () => {
    await put({ 'threadlint.yml': 'fail_on: never\n', 'sub/a.py': '' });
    expect(await discoverConfig(join(dir, 'sub'))).toBeNull();
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

  it('reports a missing file as a config error, not a crash', async () => {
    const path = join(dir, 'nope.yml');
    expect(await loadConfigFile(path, IDS)).toEqual({
      ok: false, errors: [{ source: path, key: '', message: 'cannot read config: file not found' }],
    });
  });
});
