import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { CheckOptions } from './commands/check.js';
import { PROFILES } from '../config/schema.js';
import { FORMATS, SKIPPED_DIRS } from './constants.js';
import { EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import type { CliIO } from './io.js';
import { toolVersion } from './package-info.js';

export type { CliIO } from './io.js';

const FILTER_MODES = ['added', 'diff_context', 'file', 'nofilter'] as const;


/** `TL1,TL201` → ['TL1', 'TL201']; repeated flags add up. */
function commaList(value: string, previous: string[] | undefined): string[] {
  const ids = value.split(',').map((id) => id.trim()).filter((id) => id.length > 0);
  return [...(previous ?? []), ...ids];
}

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number of at least 1.');
  return Number(value);
}

interface RawCheckOptions extends Omit<CheckOptions, 'format'> {
  format?: CheckOptions['format'];
  outputFormat?: CheckOptions['format'];
}

/** `--format` and its Ruff spelling `--output-format` are one option; both at once must agree. */
function resolveFormat(raw: RawCheckOptions): CheckOptions {
  const { format, outputFormat, ...rest } = raw;
  if (format && outputFormat && format !== outputFormat) {
    throw new UsageError(`--format ${format} and --output-format ${outputFormat} disagree; give one`);
  }
  return { ...rest, format: outputFormat ?? format ?? 'text' };
}

const CHECK_HELP = `
Files and folders:
  Folders are walked recursively, respecting .gitignore, and skipping every hidden
  folder and these: ${SKIPPED_DIRS.join(', ')}
  A folder's files are kept when the config's paths.include matches them and
  paths.exclude (plus --exclude / --extend-exclude) does not. Config globs are
  relative to the project root (the folder of the config file); --exclude globs to
  the working directory, and one without a slash names a file or folder anywhere.
  A file named on the command line is checked whatever its name, unless an exclude
  matches it.

Config:
  --config FILE, else the nearest .github/threadlint.yml, threadlint.yml or
  pyproject.toml with [tool.threadlint], from the working directory up to the
  repository root. python_version defaults to requires-python of pyproject.toml.

Cache:
  Results per file are kept in .threadlint_cache/ at the project root (it ignores
  itself for git); --no-cache skips it.

Colour:
  On in a terminal; NO_COLOR turns it off, FORCE_COLOR on.

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
    .addOption(new Option('--format <format>', 'report format (default: text)').choices(FORMATS))
    .addOption(new Option('--output-format <format>', 'the same as --format (Ruff\'s name)').choices(FORMATS))
    .option('--output <file>', 'write the report to this file instead of stdout')
    .option('--config <file>', 'config file (default: discovered, see below)')
    .option('--select <ids>', 'only these comma-separated rule IDs or prefixes (TL1,TL201)', commaList)
    .option('--extend-select <ids>', 'these rules as well, even where the config turns them off', commaList)
    .option('--ignore <ids>', 'never these comma-separated rule IDs or prefixes', commaList)
    .option('--exclude <globs>', 'comma-separated globs to leave out, instead of the config\'s paths.exclude', commaList)
    .option('--extend-exclude <globs>', 'comma-separated globs to leave out, besides paths.exclude', commaList)
    .addOption(new Option('--profile <profile>', 'rule profile (default: config profile)').choices(PROFILES))
    .option('--stdin-filename <path>', 'read the file from stdin and report it under this path')
    .option('--fix', 'apply every safe fix in place, then report what remains (with --stdin-filename: print the fixed file)')
    .option('--show-fixes', 'print the safe fixes as a unified diff (on stderr when a machine-readable report goes to stdout)')
    .option('--add-noqa', 'write `# threadlint: ignore[ID]` on every current finding (adopting on legacy code)')
    .option('--report-unused-ignores', 'report suppression comments that silence nothing (TL002)')
    .option('--statistics', 'print how many findings each rule has instead of the findings')
    .option('--show-settings', 'print the resolved settings and the files to analyse, then exit')
    .option('--jobs <n>', 'worker threads (default: every core; 1: no worker threads)', positiveInteger)
    .option('--no-cache', 'do not read or write .threadlint_cache/')
    .option('--exit-zero', 'exit 0 even when there are findings')
    .option('-q, --quiet', 'print the findings only: no tally, no notes')
    .option('-v, --verbose', 'say which config, cache and timing the run used (on stderr)')
    .addHelpText('after', CHECK_HELP)
    .action(async (paths: string[], options: RawCheckOptions) => {
      // Loaded here, not at start-up: `--version` and `--help` need none of it.
      const { runCheck } = await import('./commands/check.js');
      checked = true;
      setExitCode(await runCheck(paths, resolveFormat(options), io));
    });

  program
    .command('rules')
    .description('List the rules, or print one rule\'s guidance page.')
    .argument('[id]', 'a rule ID (TL301) or name (thread-run-called)')
    .action(async (id: string | undefined) => {
      const { runRules } = await import('./commands/rules.js');
      setExitCode(await runRules(id, io));
    });

  return program;
}

/**
 * Run the CLI on the user's arguments (without `node` and the script path) and return
 * the exit code. It never calls `process.exit`, so tests can call it directly.
 */
let checked = false;

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
  } finally {
    // Worker threads would keep the process alive after the run.
    if (checked) await (await import('../lint/pool.js')).closeWorkers();
  }
}
