/**
 * `check --base REV` with context files: a change in one file that breaks a lock
 * discipline another, unchanged file establishes is reported on the changed line. The
 * package is test/fixtures/projects/guarded-registry (before/ and after/).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { makeProject, removeProject, runCli } from './helpers.js';

const FIXTURE = 'test/fixtures/projects/guarded-registry';

function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else out[relative(root, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(root);
  return out;
}

describe('check --base with context files', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await removeProject(dir);
    dir = '';
  });

  async function committedBefore(): Promise<(...args: string[]) => Buffer> {
    dir = await makeProject(tree(join(FIXTURE, 'before')));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
    git('init', '-q');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.test', 'commit', '-q', '-m', 'before');
    return git;
  }

  it('reports the unlocked change on the changed line, naming the lock held in the unchanged module', async () => {
    await committedBefore();
    const after = tree(join(FIXTURE, 'after'));
    await makeProjectFiles(dir, after);
    const run = await runCli(['check', '--base', 'HEAD', '--select', 'TL107,TL109', '--format', 'json'], dir);
    expect(run.code).toBe(1);
    const findings = (JSON.parse(run.stdout) as { findings?: unknown[] } | unknown[]) as unknown;
    const list = (Array.isArray(findings) ? findings : (findings as { findings: unknown[] }).findings) as { ruleId: string; path: string; line: number; message: string }[];
    expect(list.map((f) => `${f.ruleId} ${f.path}:${f.line}`)).toEqual(['TL107 app/handlers.py:19']);
    expect(list[0].message).toContain('without `registry_lock`, the lock that guards it (held at app/registry.py:15)');
  });

  it('without the changed line, the same tree reports nothing', async () => {
    await committedBefore();
    const run = await runCli(['check', '--base', 'HEAD', '--select', 'TL107,TL109'], dir);
    expect(run.code).toBe(0);
  });

  it('with context off, the changed file alone shows no guard to break', async () => {
    await committedBefore();
    await makeProjectFiles(dir, { ...tree(join(FIXTURE, 'after')), 'threadlint.yml': 'context: false\n' });
    const run = await runCli(['check', '--base', 'HEAD', '--select', 'TL107,TL109'], dir);
    expect(run.code).toBe(0);
  });
});

async function makeProjectFiles(dir: string, files: Record<string, string>): Promise<void> {
  const { writeFile, mkdir } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}
