import { DEFAULT_CONFIG, type ThreadlintConfig } from '../../src/engine/types.js';
import {
  formatConfigError, parseConfigText, pythonVersionFromRequires, validateConfigObject, type ConfigError, type ConfigResult,
} from '../../src/config/load.js';
import { ruleKeys } from '../../src/config/schema.js';

const IDS = ['TL101', 'TL102', 'TL201'];
const SOURCE = '.github/threadlint.yml';

/** Every YAML case starts with a comment line, so line numbers are not trivially 1. */
function yaml(body: string): ConfigResult {
  return parseConfigText(`# threadlint settings\n${body}\n`, SOURCE, 'yaml', IDS);
}

function configOf(result: ConfigResult): ThreadlintConfig {
  if (!result.ok) throw new Error(`expected ok, got ${result.errors.map(formatConfigError).join('; ')}`);
  return result.config;
}

function errorsOf(result: ConfigResult): Omit<ConfigError, 'source'>[] {
  if (result.ok) throw new Error('expected errors, got a config');
  return result.errors.map(({ key, line, message }) => ({ key, line, message }));
}

describe('ruleKeys', () => {
  it('accepts each ID and its prefixes from TL<digit> on', () => {
    expect(ruleKeys(IDS)).toEqual(['TL1', 'TL10', 'TL101', 'TL102', 'TL2', 'TL20', 'TL201']);
  });
});

describe('parseConfigText (YAML): valid values', () => {
  it.each<[string, Partial<ThreadlintConfig>]>([
    ['rules:\n  TL101: off\n  TL2: notice', { rules: { TL101: 'off', TL2: 'notice' } }],
    ['rules:\n  TL10: warning\n  TL1: error', { rules: { TL10: 'warning', TL1: 'error' } }],
    ['paths:\n  exclude: ["**/migrations/**"]', { paths: { include: ['**/*.py', '**/*.pyi'], exclude: ['**/migrations/**'] } }],
    ['paths:\n  include: ["src/**/*.py"]', { paths: { include: ['src/**/*.py'], exclude: [] } }],
    ['fail_on: never', { fail_on: 'never' }],
    ['fail_on: warning', { fail_on: 'warning' }],
    ['fail_on: notice', { fail_on: 'notice' }],
    ['filter_mode: diff_context', { filter_mode: 'diff_context' }],
    ['filter_mode: file', { filter_mode: 'file' }],
    ['filter_mode: nofilter', { filter_mode: 'nofilter' }],
    ['python_version: "3.10"', { python_version: '3.10' }],
    ["python_version: '3.13'", { python_version: '3.13' }],
    ['default_timeout: 2.5', { default_timeout: 2.5 }],
    ['max_comments: 0', { max_comments: 0 }],
    ['max_comments: 1000', { max_comments: 1000 }],
    ['review_event: REQUEST_CHANGES', { review_event: 'REQUEST_CHANGES' }],
    ['suggestions: false', { suggestions: false }],
    ['_extends: org/.github', {}],
  ])('%s', (body, expected) => {
    expect(configOf(yaml(body))).toEqual({ ...DEFAULT_CONFIG, ...expected });
  });
});

describe('parseConfigText (YAML): invalid values name the key and its line', () => {
  const UNKNOWN_RULE = 'unknown rule ID (known: TL101, TL102, TL201)';
  it.each<[string, string, number | undefined, string]>([
    ['rules:\n  TL999: off', 'rules.TL999', 3, UNKNOWN_RULE],
    ['rules:\n  TL3: off', 'rules.TL3', 3, UNKNOWN_RULE],
    ['rules:\n  tl101: off', 'rules.tl101', 3, UNKNOWN_RULE],
    ['rules:\n  TL: off', 'rules.TL', 3, UNKNOWN_RULE],
    ['rules:\n  TL101: loud', 'rules.TL101', 3, 'must be one of off, notice, warning, error (got "loud")'],
    ['rules:\n  TL101: false', 'rules.TL101', 3, 'must be one of off, notice, warning, error (got false)'],
    ['rules: [TL101]', 'rules', 2, 'must be a mapping (got a list)'],
    ['rules:', 'rules', 2, 'must be a mapping (got nothing)'],
    ['paths:\n  exclude:\n    - "**/migrations/**"\n    - 7', 'paths.exclude[1]', 5, 'must be a string (got 7)'],
    ['paths:\n  exclude: "**/migrations/**"', 'paths.exclude', 3, 'must be a list (got "**/migrations/**")'],
    ['paths:\n  include: [""]', 'paths.include[0]', 3, 'must not be empty'],
    ['paths:\n  excludes: []', 'paths.excludes', 3, 'unknown key (known: include, exclude)'],
    ['fail_on: errors', 'fail_on', 2, 'must be one of error, warning, notice, never (got "errors")'],
    ['filter_mode: lines', 'filter_mode', 2, 'must be one of added, diff_context, file, nofilter (got "lines")'],
    ['python_version: 3.10', 'python_version', 2,
      'must be a quoted string like "3.10" (got the number 3.1: unquoted, 3.10 reads as 3.1)'],
    ['python_version: 3.9', 'python_version', 2,
      'must be a quoted string like "3.10" (got the number 3.9: unquoted, 3.10 reads as 3.1)'],
    ['python_version: "2.7"', 'python_version', 2, 'must be a Python 3 version like "3.9" (got "2.7")'],
    ['python_version: three', 'python_version', 2, 'must be a Python 3 version like "3.9" (got "three")'],
    ['default_timeout: 0', 'default_timeout', 2, 'must be greater than 0 (got 0)'],
    ['default_timeout: "30"', 'default_timeout', 2, 'must be a number (got "30")'],
    ['max_comments: -1', 'max_comments', 2, 'must be at least 0 (got -1)'],
    ['max_comments: 1001', 'max_comments', 2, 'must be at most 1000 (got 1001)'],
    ['max_comments: 2.5', 'max_comments', 2, 'must be a whole number (got 2.5)'],
    ['review_event: APPROVE', 'review_event', 2, 'must be one of COMMENT, REQUEST_CHANGES (got "APPROVE")'],
    ['suggestions: yes', 'suggestions', 2, 'must be true or false (got "yes")'],
    ['fail-on: error', 'fail-on', 2, 'unknown key (did you mean fail_on?)'],
    ['colour: red', 'colour', 2,
      'unknown key (known: rules, paths, fail_on, filter_mode, python_version, default_timeout, max_comments, review_event, suggestions, tests, profile, per-file-ignores, context)'],
    ['- rules', '', undefined, 'the config must be a mapping of keys to values (got a list)'],
  ])('%s', (body, key, line, message) => {
    expect(errorsOf(yaml(body))).toEqual([{ key, line, message }]);
  });

  it('reports every error at once, in line order, with the source', () => {
    const result = yaml('max_comments: -1\nrules:\n  TL999: off\nfail_on: sometimes');
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([
      '.github/threadlint.yml:2: max_comments: must be at least 0 (got -1)',
      '.github/threadlint.yml:4: rules.TL999: unknown rule ID (known: TL101, TL102, TL201)',
      '.github/threadlint.yml:5: fail_on: must be one of error, warning, notice, never (got "sometimes")',
    ]);
  });
});

describe('parseConfigText (YAML): files that are empty or do not parse', () => {
  it.each(['', '\n', '# nothing configured yet\n', '---\n'])('%j gives the defaults', (text) => {
    expect(configOf(parseConfigText(text, SOURCE, 'yaml', IDS))).toEqual(DEFAULT_CONFIG);
  });

  it('reports a YAML syntax error with its line', () => {
    const result = parseConfigText('rules:\n  TL101: off\n  a: [1\nfoo: bar\n', SOURCE, 'yaml', IDS);
    expect(errorsOf(result)).toEqual([{
      key: '',
      line: 4,
      message: 'invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    }]);
  });

  it('reports a duplicate key as a syntax error', () => {
    expect(errorsOf(parseConfigText('fail_on: error\nfail_on: never\n', SOURCE, 'yaml', IDS)))
      .toEqual([{ key: '', line: 2, message: 'invalid YAML: Map keys must be unique' }]);
  });

  it('never hands out DEFAULT_CONFIG itself: mutating a result changes no later result', () => {
    configOf(yaml('')).paths.include.push('**/*.txt');
    expect(configOf(yaml('')).paths.include).toEqual(['**/*.py', '**/*.pyi']);
    expect(DEFAULT_CONFIG.paths.include).toEqual(['**/*.py', '**/*.pyi']);
  });
});

describe('parseConfigText (pyproject.toml)', () => {
  const PYPROJECT = 'pyproject.toml';
  const parse = (text: string): ConfigResult => parseConfigText(text, PYPROJECT, 'pyproject', IDS);

  it('reads [tool.threadlint] and its rules and paths tables', () => {
    const text = [
      '[project]', 'name = "demo"', '',
      '[tool.threadlint]', 'fail_on = "warning"', 'python_version = "3.12"', 'max_comments = 10', '',
      '[tool.threadlint.rules]', 'TL101 = "off"', 'TL2 = "notice"', '',
      '[tool.threadlint.paths]', 'exclude = ["**/migrations/**"]',
    ].join('\n');
    expect(configOf(parse(text))).toEqual({
      ...DEFAULT_CONFIG,
      fail_on: 'warning',
      python_version: '3.12',
      max_comments: 10,
      rules: { TL101: 'off', TL2: 'notice' },
      paths: { include: ['**/*.py', '**/*.pyi'], exclude: ['**/migrations/**'] },
    });
  });

  it('gives the defaults without a [tool.threadlint] table', () => {
    expect(configOf(parse('[project]\nname = "demo"\n\n[tool.ruff]\nline-length = 100\n'))).toEqual(DEFAULT_CONFIG);
  });

  it('names the key and line of each error in the usual table layout', () => {
    const text = [
      '[project]', 'name = "demo"', '',
      '[tool.threadlint]', 'fail_on = "warning"', 'python_version = 3.10', 'colour = "red"', '',
      '[tool.threadlint.rules]', 'TL101 = "off"', 'TL999 = "error"', '',
      '[tool.threadlint.paths]', 'exclude = [', '  "**/migrations/**",', '  3,', ']',
    ].join('\n');
    expect(errorsOf(parse(text))).toEqual([
      { key: 'python_version', line: 6,
        message: 'must be a quoted string like "3.10" (got the number 3.1: unquoted, 3.10 reads as 3.1)' },
      { key: 'colour', line: 7, message: expect.stringMatching(/^unknown key \(known: rules, paths,/) },
      { key: 'rules.TL999', line: 11, message: 'unknown rule ID (known: TL101, TL102, TL201)' },
      // Array items are not scanned: the line of the array's key.
      { key: 'paths.exclude[1]', line: 14, message: 'must be a string (got 3)' },
    ]);
  });

  it('finds dotted keys, and falls back to the key of an inline table', () => {
    const text = [
      '[tool.threadlint]', 'rules.TL999 = "off"', 'paths = { include = ["**/*.py"], exclud = [] }',
      '"fail_on" = "sometimes"',
    ].join('\n');
    expect(errorsOf(parse(text))).toEqual([
      { key: 'rules.TL999', line: 2, message: 'unknown rule ID (known: TL101, TL102, TL201)' },
      { key: 'paths.exclud', line: 3, message: 'unknown key (known: include, exclude)' },
      { key: 'fail_on', line: 4, message: 'must be one of error, warning, notice, never (got "sometimes")' },
    ]);
  });

  it('finds keys written as threadlint.* under a [tool] table', () => {
    expect(errorsOf(parse('[tool]\nthreadlint.suggestions = "yes"\n')))
      .toEqual([{ key: 'suggestions', line: 2, message: 'must be true or false (got "yes")' }]);
  });

  it('reports a TOML syntax error with its line', () => {
    expect(errorsOf(parse('[tool.threadlint]\nfail_on = \n')))
      .toEqual([{ key: '', line: 2, message: 'invalid TOML: invalid value' }]);
  });

  it('reports a date where a string belongs', () => {
    expect(errorsOf(parse('[tool.threadlint]\npython_version = 2024-01-01\n')))
      .toEqual([{ key: 'python_version', line: 2, message: 'must be a string (got a date)' }]);
  });
});

describe('validateConfigObject (Probot context.config)', () => {
  it('gives the defaults for no config at all', () => {
    expect(validateConfigObject(null, SOURCE, IDS)).toEqual({ ok: true, config: DEFAULT_CONFIG, source: SOURCE });
    expect(configOf(validateConfigObject(undefined, SOURCE, IDS))).toEqual(DEFAULT_CONFIG);
  });

  it('drops _extends and does not touch the object it was given', () => {
    const value = { _extends: 'org/.github', rules: { TL2: 'off' } };
    expect(configOf(validateConfigObject(value, SOURCE, IDS))).toEqual({ ...DEFAULT_CONFIG, rules: { TL2: 'off' } });
    expect(value).toEqual({ _extends: 'org/.github', rules: { TL2: 'off' } });
  });

  it('has no lines without the raw text', () => {
    expect(errorsOf(validateConfigObject({ rules: { TL999: 'off' } }, SOURCE, IDS)))
      .toEqual([{ key: 'rules.TL999', line: undefined, message: 'unknown rule ID (known: TL101, TL102, TL201)' }]);
  });

  it('locates keys in the raw YAML; inherited keys get no line', () => {
    const text = '_extends: org/.github\nrules:\n  TL999: off\n';
    // `max_comments` came from org/.github through _extends: it is not in this text.
    const merged = { rules: { TL999: 'off' }, max_comments: -3 };
    expect(errorsOf(validateConfigObject(merged, SOURCE, IDS, text))).toEqual([
      { key: 'rules.TL999', line: 3, message: 'unknown rule ID (known: TL101, TL102, TL201)' },
      { key: 'max_comments', line: undefined, message: 'must be at least 0 (got -3)' },
    ]);
  });
});

describe('formatConfigError', () => {
  it.each<[ConfigError, string]>([
    [{ source: SOURCE, key: 'rules.TL999', line: 4, message: 'unknown rule ID (known: TL101)' },
      '.github/threadlint.yml:4: rules.TL999: unknown rule ID (known: TL101)'],
    [{ source: SOURCE, key: 'max_comments', message: 'must be at least 0 (got -3)' },
      '.github/threadlint.yml: max_comments: must be at least 0 (got -3)'],
    [{ source: 'pyproject.toml', key: '', line: 2, message: 'invalid TOML: invalid value' },
      'pyproject.toml:2: invalid TOML: invalid value'],
  ])('%j', (error, text) => {
    expect(formatConfigError(error)).toBe(text);
  });
});

describe('revision 2 keys', () => {
  const parse = (text: string) => parseConfigText(text, 'threadlint.yml', 'yaml', IDS);
  it('fills tests, profile, per-file-ignores and context with their defaults', () => {
    const result = parse('');
    expect(result.ok && result.config.tests).toEqual(['**/test_*.py', '**/*_test.py', '**/tests/**', '**/testing/**', '**/conftest.py']);
    expect(result.ok && result.config.profile).toBe('default');
    expect(result.ok && result.config['per-file-ignores']).toEqual({});
    expect(result.ok && result.config.context).toBe(true);
  });
  it('accepts per-file-ignores of rule IDs and prefixes and refuses other values', () => {
    const good = parse('per-file-ignores:\n  "scripts/**": [TL201, TL3]\nprofile: free-threading\n');
    expect(good.ok && good.config['per-file-ignores']).toEqual({ 'scripts/**': ['TL201', 'TL3'] });
    expect(good.ok && good.config.profile).toBe('free-threading');
    expect(parse('per-file-ignores:\n  "scripts/**": [oops]\n').ok).toBe(false);
    expect(parse('profile: fast\n').ok).toBe(false);
  });
});

describe('requires-python gives python_version', () => {
  it.each<[string, string | undefined]>([
    ['>=3.10', '3.10'],
    ['>= 3.8, <4', '3.8'],
    ['~=3.12', '3.12'],
    ['==3.11.*', '3.11'],
    ['>3.9', '3.9'],
    ['>=3.8,>=3.10', '3.10'],
    ['>=3', '3.0'],
    ['<4', undefined],
    ['!=3.5.*', undefined],
    ['>=2.7', undefined],
    ['python three', undefined],
  ])('%j → %s', (spec, expected) => {
    expect(pythonVersionFromRequires(spec)).toBe(expected);
  });

  const parse = (text: string) => parseConfigText(text, 'pyproject.toml', 'pyproject', IDS);

  it('fills python_version from [project] when [tool.threadlint] does not set it', () => {
    expect(configOf(parse('[project]\nrequires-python = ">=3.11"\n\n[tool.threadlint]\nfail_on = "never"\n'))).toMatchObject({ python_version: '3.11', fail_on: 'never' });
    expect(configOf(parse('[project]\nrequires-python = ">=3.11"\n\n[tool.threadlint]\npython_version = "3.9"\n')).python_version).toBe('3.9');
  });

  it('an explicit python_version is still validated, an inferred one never fails the config', () => {
    expect(configOf(parse('[project]\nrequires-python = ">=2.7"\n\n[tool.threadlint]\n')).python_version).toBe(DEFAULT_CONFIG.python_version);
    expect(parseConfigText('fail_on: never\n', 'threadlint.yml', 'yaml', IDS, { pythonVersion: '3.13' })).toMatchObject({ ok: true, config: { python_version: '3.13' } });
  });
});
