import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in memory, as the shell would in `cwd` (a terminal with `tty`, and `env`). */
export async function runCli(args: string[], cwd: string, stdin = '', options: { env?: Record<string, string>; tty?: boolean } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    cwd,
    stdout: { write: (s: string) => (stdout += s), isTTY: options.tty },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: Readable.from([stdin]),
    env: options.env ?? {},
  });
  return { code, stdout, stderr };
}

/** A fresh temp folder holding `files` (path → text). */
export async function makeProject(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'threadlint-cli-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

export async function removeProject(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** TL301 fires on line 7, columns 1–8; its fix turns `run` (columns 3–6) into `start`. */
export const RUN_CALLED = `import threading

def work():
    pass

t = threading.Thread(target=work)
t.run()
`;

export const CLEAN = `import threading

def work():
    pass

t = threading.Thread(target=work)
t.start()
`;
