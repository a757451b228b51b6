/**
 * The `threadlint` executable: runs `main` on the real process, with stdout and stderr
 * guarded (a closed pipe or a full disk ends the run quietly, never with a stack trace),
 * and sets the exit code without `process.exit`, so buffered output is still flushed.
 */
import { EXIT_USAGE } from './errors.js';
import { main } from './main.js';
import { describeWriteError, guardSink } from './output.js';

export async function runAsProcess(argv: string[] = process.argv.slice(2)): Promise<void> {
  const stdout = guardSink(process.stdout);
  const stderr = guardSink(process.stderr);
  let code = await main(argv, { cwd: process.cwd(), stdout, stderr, stdin: process.stdin, env: process.env });
  await stdout.flushed();
  if (stdout.failure) {
    stderr.write(`threadlint: error: cannot write to stdout: ${describeWriteError(stdout.failure)}\n`);
    code = EXIT_USAGE;
  }
  await stderr.flushed();
  process.exitCode = code;
}
