import { Command, CommanderError, Option } from 'commander';
import { runCheck, type CheckOptions } from './commands/check.js';
import { runRules } from './commands/rules.js';
import { SKIPPED_DIRS } from './collect-files.js';
import { EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import type { CliIO } from './io.js';
import { toolVersion } from './package-info.js';
import { FORMATS } from './reporters/index.js';

export type { CliIO } from './io.js';

const FILTER_MODES = ['added', 'diff_context', 'file', 'nofilter'] as const;

/** `TL1,TL201` → ['TL1', 'TL201']; repeated flags add up. */
function commaList(value: string, previous: string[] | undefined): string[] {
  const ids = value.split(',').map((id) => id.trim()).filter((id) => id.length > 0);
  return [...(previous ?? []), ...ids];
}

const CHECK_HELP = `
Files and folders:
  Folders are walked recursively, skipping every hidden folder and these:
    ${SKIPPED_DIRS.join(', ')}
  A folder's files are kept when the config's paths.include matches them and
  paths.exclude does not (paths relative to the working directory; below a folder
  outside it, relative to that folder). A file named on the command line is
  checked whatever its name, unless paths.exclude matches it.

Diffs:
  Paths in a --diff file are read relative to the working directory (run from the
  repository root). --base runs \`git diff REV\` in the working directory.

Exit codes:
  0  no finding at or above fail_on (or --exit-zero)
  1  findings at or above fail_on
  2  usage or config error, a missing path, or a failing git command`;

function buildProgram(io: CliIO, setExitCode: (code: number) => void): Command {
  const program = new Command('threadlint')
    .description('Find threading bugs in Python code.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)')
    .version(toolVersion(), '-V, --version');

  program
    .command('check')
    .description('Analyse Python files and report findings.')
    .argument('[paths...]', 'files and folders to analyse (default ".")')
    .addOption(new Option('--diff <file>', 'a unified diff (git diff output; "-" for stdin): report only on its changed lines').conflicts('base'))
    .option('--base <rev>', 'the same, from `git diff REV` in the working tree')
    .addOption(new Option('--filter-mode <mode>', 'which findings a diff keeps (default: config filter_mode, else added)').choices(FILTER_MODES))
    .addOption(new Option('--format <format>', 'report format').choices(FORMATS).default('text'))
    .option('--output <file>', 'write the report to this file instead of stdout')
    .option('--config <file>', 'config file (default: .github/threadlint.yml, threadlint.yml, then [tool.threadlint] in pyproject.toml)')
    .option('--select <ids>', 'only these comma-separated rule IDs or prefixes (TL1,TL201)', commaList)
    .option('--ignore <ids>', 'never these comma-separated rule IDs or prefixes', commaList)
    .option('--fix', 'apply every safe fix in place, then report what remains')
    .option('--show-fixes', 'print the safe fixes as a unified diff (on stderr when a json/sarif/github report goes to stdout)')
    .option('--exit-zero', 'exit 0 even when there are findings')
    .addHelpText('after', CHECK_HELP)
    .action(async (paths: string[], options: CheckOptions) => {
      setExitCode(await runCheck(paths, options, io));
    });

  program
    .command('rules')
    .description('List the rules, or print one rule\'s guidance page.')
    .argument('[id]', 'a rule ID (TL301) or name (thread-run-called)')
    .action(async (id: string | undefined) => {
      setExitCode(await runRules(id, io));
    });

  return program;
}

/**
 * Run the CLI on the user's arguments (without `node` and the script path) and return
 * the exit code. It never calls `process.exit`, so tests can call it directly.
 */
export async function main(argv: string[], io: CliIO): Promise<number> {
  let exitCode = EXIT_OK;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0; every other parse failure is a usage error.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      const lines = error.lines ?? [`threadlint: error: ${error.message}`];
      io.stderr.write(`${lines.join('\n')}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`threadlint: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_USAGE;
  }
}
