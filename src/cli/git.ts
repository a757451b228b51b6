import { execFile } from 'node:child_process';
import { UsageError } from './errors.js';

/** Large diffs are fine; the default 1 MiB buffer is not. */
const MAX_DIFF_BYTES = 512 * 1024 * 1024;

/**
 * `git diff REV` of the working tree, as text. Options pin down what user config could
 * change (colour, external diff tools, a/ b/ prefixes, octal-quoted paths), and
 * `--relative` makes paths relative to `cwd` like the findings' paths.
 */
export async function gitDiff(cwd: string, rev: string): Promise<string> {
  if (rev.startsWith('-')) throw new UsageError(`--base: not a revision: ${rev}`);
  const args = [
    '-c', 'core.quotePath=off',
    'diff', '--no-color', '--no-ext-diff', '--relative', '--src-prefix=a/', '--dst-prefix=b/',
    rev, '--',
  ];
  return new Promise((resolvePromise, reject) => {
    execFile('git', args, { cwd, maxBuffer: MAX_DIFF_BYTES, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (!error) return resolvePromise(stdout);
      const reason =
        (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'git is not installed or not on PATH' : stderr.trim() || error.message;
      reject(new UsageError(`git diff ${rev} failed: ${reason}`));
    });
  });
}
