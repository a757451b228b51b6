/**
 * Context files through the CLI: `check --base REV` (and `--diff FILE`) in a git
 * repository reports only on the changed files but reads the rest of the tree for
 * cross-file facts, so a change that breaks a discipline established in an unchanged
 * file is reported on the changed line. The cases are the App's
 * (test/fixtures/projects/ctx-*), so both paths are held to the same expectations.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contextCases, ScratchRepo, type ContextCase } from '../helpers/context-cases.js';
import { runCli } from './helpers.js';

interface JsonFinding {
  ruleId: string;
  path: string;
  line: number;
  message: string;
}

let scratch: ScratchRepo | undefined;

afterEach(() => {
  scratch?.remove();
  scratch = undefined;
});

async function check(c: ContextCase, args: string[], options: { without?: string[]; config?: string } = {}): Promise<JsonFinding[]> {
  scratch = new ScratchRepo(c, options.without);
  if (options.config !== undefined) writeFileSync(join(scratch.dir, 'threadlint.yml'), options.config);
  const run = await runCli(['check', ...args, '--format', 'json', '--no-cache', '--jobs', '1'], scratch.dir);
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as JsonFinding[];
}

const expected = (c: ContextCase) => c.expect.map((e) => `${e.path}:${e.line} ${e.rule}`);
const shown = (findings: JsonFinding[]) => findings.map((f) => `${f.path}:${f.line} ${f.ruleId}`);

describe.each(contextCases().map((c) => [c.name, c] as const))('%s', (_name, c) => {
  test('check --base HEAD: one finding on the changed line, naming the site in the unchanged file', async () => {
    const findings = await check(c, ['--base', 'HEAD']);
    expect(shown(findings)).toEqual(expected(c));
    for (const [i, e] of c.expect.entries()) for (const text of e.mentions) expect(findings[i].message).toContain(text);
  });

  test('check --diff FILE: the same finding', async () => {
    scratch = new ScratchRepo(c);
    const diffPath = join(scratch.dir, 'pr.diff');
    writeFileSync(diffPath, scratch.git('diff', '--no-color', '--no-ext-diff', 'HEAD'));
    const run = await runCli(['check', '--diff', diffPath, '--format', 'json', '--no-cache', '--jobs', '1'], scratch.dir);
    expect(shown(JSON.parse(run.stdout) as JsonFinding[])).toEqual(expected(c));
  });

  test('with `context: false` there is no finding', async () => {
    expect(await check(c, ['--base', 'HEAD'], { config: 'context: false\n' })).toEqual([]);
  });

  test('without the unchanged files that establish the discipline there is no finding', async () => {
    expect(await check(c, ['--base', 'HEAD'], { without: c.establishedIn })).toEqual([]);
  });
});
