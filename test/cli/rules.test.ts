import { readFileSync } from 'node:fs';
import { findRule, rulesTable } from '../../src/cli/commands/rules.js';
import { ruleCatalog, type RuleMeta } from '../../src/lint/index.js';
import { makeProject, removeProject, runCli } from './helpers.js';

const meta = (id: string, name: string, severity: RuleMeta['severity'], fix: RuleMeta['fix']): RuleMeta => ({
  id, name, severity, fix, summary: `Summary ${id}.`, why: '', helpUri: '',
});

let dir: string;
beforeAll(async () => {
  dir = await makeProject({});
});
afterAll(async () => {
  await removeProject(dir);
});

describe('rulesTable', () => {
  it('aligns every column but the last', () => {
    expect(rulesTable([meta('TL101', 'bare-acquire', 'error', 'sometimes'), meta('TL5', 'x', 'notice', 'never')])).toBe(
      [
        'ID     NAME          SEVERITY  FIX        SUMMARY',
        'TL101  bare-acquire  error     sometimes  Summary TL101.',
        'TL5    x             notice    never      Summary TL5.',
        '',
      ].join('\n'),
    );
  });

  it('finds a rule by ID in any case or by name', () => {
    const rules = [meta('TL301', 'thread-run-called', 'error', 'always')];
    expect(findRule(rules, 'tl301')?.id).toBe('TL301');
    expect(findRule(rules, 'thread-run-called')?.id).toBe('TL301');
    expect(findRule(rules, 'TL3')).toBeUndefined();
  });
});

describe('threadlint rules', () => {
  it('lists the catalog', async () => {
    const run = await runCli(['rules'], dir);
    expect(run).toEqual({ code: 0, stdout: rulesTable(ruleCatalog()), stderr: '' });
    expect(run.stdout).toMatch(/^TL301 +thread-run-called +error +always +`run\(\)` called on a Thread/m);
  });

  it('prints a rule\'s guidance page by ID or name', async () => {
    const page = readFileSync('rules/TL301.md', 'utf8');
    expect(await runCli(['rules', 'TL301'], dir)).toEqual({ code: 0, stdout: page, stderr: '' });
    expect((await runCli(['rules', 'thread-run-called'], dir)).stdout).toBe(page);
  });

  it('exits 2 on an unknown rule', async () => {
    expect(await runCli(['rules', 'TL999'], dir)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'threadlint: error: unknown rule: TL999 (run `threadlint rules` for the list)\n',
    });
  });
});
