import { DEFAULT_CONFIG, type FailOn, type RuleLevel, type Severity, type ThreadlintConfig } from '../../src/engine/types.js';
import { failsAt, isPathIncluded, matchesIdList, ruleLevel } from '../../src/config/resolve.js';

function config(overrides: Partial<ThreadlintConfig>): ThreadlintConfig {
  return { ...DEFAULT_CONFIG, ...overrides };
}

describe('ruleLevel: the longest matching key wins', () => {
  const rules: Record<string, RuleLevel> = { TL1: 'off', TL10: 'warning', TL101: 'error', TL2: 'notice' };
  it.each<[string, Severity, RuleLevel]>([
    ['TL101', 'notice', 'error'],   // exact ID beats TL10 and TL1
    ['TL102', 'error', 'warning'],  // TL10 beats TL1
    ['TL110', 'error', 'off'],      // only TL1 matches
    ['TL201', 'error', 'notice'],
    ['TL301', 'warning', 'warning'], // no key: the rule's default
  ])('%s (default %s) → %s', (ruleId, defaultSeverity, expected) => {
    expect(ruleLevel(config({ rules }), ruleId, defaultSeverity)).toBe(expected);
  });

  it('does not depend on the order keys were written in', () => {
    expect(ruleLevel(config({ rules: { TL101: 'off', TL1: 'error' } }), 'TL101', 'warning')).toBe('off');
  });
});

describe('matchesIdList (--select / --ignore)', () => {
  it.each<[string, string[], boolean]>([
    ['TL101', ['TL101'], true],
    ['TL101', ['TL1'], true],
    ['TL201', ['TL1', 'TL20'], true],
    ['TL201', ['TL1', 'TL202'], false],
    ['TL101', [], false],
    ['TL101', [''], false],
    ['TL101', [' TL10 '], true],
  ])('%s in %j → %s', (ruleId, ids, expected) => {
    expect(matchesIdList(ruleId, ids)).toBe(expected);
  });
});

describe('isPathIncluded', () => {
  const excludeMigrations = config({ paths: { include: ['**/*.py', '**/*.pyi'], exclude: ['**/migrations/**'] } });
  it.each<[string, ThreadlintConfig, boolean]>([
    ['a.py', DEFAULT_CONFIG, true],
    ['pkg/sub/a.py', DEFAULT_CONFIG, true],
    ['stubs/a.pyi', DEFAULT_CONFIG, true],
    ['.github/scripts/release.py', DEFAULT_CONFIG, true],
    ['README.md', DEFAULT_CONFIG, false],
    ['./a.py', DEFAULT_CONFIG, true],
    ['pkg\\a.py', DEFAULT_CONFIG, true],
    ['migrations/0001_initial.py', excludeMigrations, false],
    ['app/migrations/0001_initial.py', excludeMigrations, false],
    ['app/models.py', excludeMigrations, true],
    ['app/migrations_helper.py', excludeMigrations, true],
    ['src/app.py', config({ paths: { include: ['src/**'], exclude: [] } }), true],
    ['tests/test_app.py', config({ paths: { include: ['src/**'], exclude: [] } }), false],
    ['a.py', config({ paths: { include: [], exclude: [] } }), false],
  ])('%s', (path, cfg, expected) => {
    expect(isPathIncluded(cfg, path)).toBe(expected);
  });
});

describe('failsAt', () => {
  it.each<[Severity, FailOn, boolean]>([
    ['error', 'error', true], ['warning', 'error', false], ['notice', 'error', false],
    ['error', 'warning', true], ['warning', 'warning', true], ['notice', 'warning', false],
    ['error', 'notice', true], ['warning', 'notice', true], ['notice', 'notice', true],
    ['error', 'never', false], ['notice', 'never', false],
  ])('%s with fail_on %s → %s', (severity, failOn, expected) => {
    expect(failsAt(severity, failOn)).toBe(expected);
  });
});
