/**
 * `threadlint … | head -1` and `threadlint … > /dev/full`: every command, run as the real
 * executable (the build), with a reader that is gone before it writes, ends without a
 * stack trace and with the exit code it has with a reader; a full disk is named once and
 * is exit 2.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_CALLED, makeProject, removeProject } from './helpers.js';

const BIN = join(process.cwd(), 'bin', 'threadlint.js');

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the executable; `stdout`: 'pipe' (read it), 'closed' (reader gone at once) or a file descriptor. */
function exec(args: string[], cwd: string, stdout: 'pipe' | 'closed' | number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', typeof stdout === 'number' ? stdout : 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    if (stdout === 'closed') child.stdout!.destroy();
    else child.stdout?.on('data', (d: Buffer) => (out += d));
    child.stderr!.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: out, stderr: err }));
  });
}

let dir: string;
beforeAll(async () => {
  // Enough findings that the report is bigger than a pipe's buffer (64 KiB).
  const files: Record<string, string> = {};
  for (let i = 0; i < 10; i++) files[`m${i}.py`] = RUN_CALLED.repeat(40);
  dir = await makeProject(files);
});
afterAll(async () => {
  await removeProject(dir);
});

const COMMANDS: string[][] = [
  ['check'],
  ['check', '--exit-zero'],
  ['check', '--format', 'json'],
  ['check', '--format', 'sarif'],
  ['check', '--format', 'github'],
  ['check', '--output-format', 'full'],
  ['check', '--show-fixes'],
  ['check', '--statistics'],
  ['check', '--show-settings'],
  ['check', '--bogus'],
  ['rules'],
  ['rules', 'TL301'],
  ['--help'],
  ['--version'],
];

test('the built executable exists (npm test builds first)', () => {
  expect(existsSync(join(process.cwd(), 'dist', 'cli', 'process.js'))).toBe(true);
});

describe.each(COMMANDS.map((c) => [c.join(' '), c] as const))('threadlint %s', (_name, args) => {
  it('with its reader gone: same exit code, no stack trace', async () => {
    const [normal, closed] = await Promise.all([exec(args, dir, 'pipe'), exec(args, dir, 'closed')]);
    expect(closed.code).toBe(normal.code);
    expect(closed.stderr).toBe(normal.stderr);
    expect(closed.stderr).not.toMatch(/\n\s+at |EPIPE|Error:/);
  });
});

const full = existsSync('/dev/full') ? describe : describe.skip;
full('stdout on a full disk (/dev/full)', () => {
  it.each([['check'], ['check', '--exit-zero'], ['rules']])('threadlint %s: one clear line, exit 2', async (...args) => {
    const fd = openSync('/dev/full', 'w');
    try {
      const run = await exec(args, dir, fd);
      expect(run).toEqual({ code: 2, stdout: '', stderr: 'threadlint: error: cannot write to stdout: no space left on device (ENOSPC)\n' });
    } finally {
      closeSync(fd);
    }
  });
});
