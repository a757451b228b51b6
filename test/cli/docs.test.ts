/** The user documentation stays true to the code it documents. */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CONFIG_KEYS, EXTENDS_KEY } from '../../src/config/schema.js';
import { DEFAULT_CONFIG, ruleCatalog } from '../../src/lint/index.js';

const configuration = readFileSync('docs/configuration.md', 'utf8');

describe('docs/configuration.md', () => {
  it('has a section for every config key, and for nothing else', () => {
    const headings = [...configuration.matchAll(/^### `([^`]+)`$/gm)].map((m) => m[1]);
    expect(headings).toEqual([...CONFIG_KEYS, EXTENDS_KEY]);
  });

  it('shows every default as the tool has it', () => {
    const keys = configuration.slice(configuration.indexOf('## The keys'));
    const block = /```yaml\n([\s\S]*?)```/.exec(keys)![1];
    expect(parse(block)).toEqual(DEFAULT_CONFIG);
  });
});

test('docs/comparison.md compares every rule', () => {
  const comparison = readFileSync('docs/comparison.md', 'utf8');
  const rows = [...comparison.matchAll(/^\| (TL\d{3}) ([a-z0-9-]+) \|/gm)].map((m) => `${m[1]} ${m[2]}`);
  expect(rows).toEqual(ruleCatalog().map((r) => `${r.id} ${r.name}`));
});

test('the project files a package needs are there, and the licence is the one package.json names', () => {
  for (const file of ['LICENSE', 'CHANGELOG.md', 'CONTRIBUTING.md', 'SECURITY.md', 'packages/threadlint/README.md']) expect(existsSync(file)).toBe(true);
  expect(readFileSync('LICENSE', 'utf8')).toMatch(/^MIT License\n/);
  expect(JSON.parse(readFileSync('packages/threadlint/package.json', 'utf8')).license).toBe('MIT');
  expect(JSON.parse(readFileSync('package.json', 'utf8')).license).toBe('MIT');
  expect(readFileSync('CHANGELOG.md', 'utf8')).toContain(`## [${JSON.parse(readFileSync('package.json', 'utf8')).version}]`);
});
