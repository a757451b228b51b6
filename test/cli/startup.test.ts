/** `--version` and `--help` answer without loading the engine, the rules, the parser or the schema. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function loadedBy(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'threadlint-startup-'));
  const record = join(dir, 'imports.txt');
  try {
    execFileSync(process.execPath, ['--import', './test/cli/fixtures/record-imports.mjs', 'bin/threadlint.js', ...args], {
      env: { ...process.env, RECORD_IMPORTS: record, NODE_OPTIONS: '' },
      stdio: 'pipe',
    });
    return readFileSync(record, 'utf8').split('\n').filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const HEAVY = /web-tree-sitter|tree-sitter-python|\/ajv\/|\/engine\/(tree|model|file)|\/rules\/TL\d|\/lint\/analyze/;

test.each(['--version', '--help', 'check --help'])('threadlint %s loads no engine, rules, parser or schema', (args) => {
  const loaded = loadedBy(args.split(' '));
  expect(loaded.some((url) => url.includes('/dist/cli/main.js'))).toBe(true);
  expect(loaded.filter((url) => HEAVY.test(url))).toEqual([]);
});

test('`threadlint rules` (for contrast) loads the rules', () => {
  const loaded = loadedBy(['rules']);
  expect(loaded.some((url) => /\/rules\/TL301/.test(url))).toBe(true);
});
