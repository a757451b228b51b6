import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import pLimit from 'p-limit';
import { failsAt, matchesIdList } from '../../config/resolve.js';
import {
  analyze,
  ruleCatalog,
  type AnalysisResult,
  type FileNote,
  type FilterMode,
  type RuleMeta,
  type ThreadlintConfig,
} from '../../lint/index.js';
import { collectFiles, type CollectedFiles } from '../collect-files.js';
import { diffLoader } from '../diff-source.js';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from '../errors.js';
import { fixUntilStable, noFixes, type Contents, type FixOutcome } from '../fixes.js';
import type { CliIO } from '../io.js';
import { loadCliConfig } from '../load-config.js';
import { readGuidancePages, toolVersion } from '../package-info.js';
import { FORMATS_WITH_NOTES, REPORTERS, formatNote, type Format, type ReportContext } from '../reporters/index.js';
import { encodeFixed } from '../source-text.js';
import { unifiedDiff } from '../unified-diff.js';

export interface CheckOptions {
  diff?: string;
  base?: string;
  filterMode?: FilterMode;
  format: Format;
  output?: string;
  config?: string;
  select?: string[];
  ignore?: string[];
  fix?: boolean;
  showFixes?: boolean;
  exitZero?: boolean;
}

/** Every `--select`/`--ignore` entry must name at least one rule: a typo is an error, not a no-op. */
function checkRuleSelectors(flag: string, ids: string[] | undefined, knownRuleIds: string[]): void {
  const unknown = (ids ?? []).filter((id) => !knownRuleIds.some((known) => matchesIdList(known, [id])));
  if (unknown.length > 0) throw new UsageError(`${flag}: unknown rule ID or prefix: ${unknown.join(', ')}`);
}

/** Reads in parallel, but not so many at once that a big tree runs out of file handles. */
const READ_CONCURRENCY = 32;

async function readContents(cwd: string, paths: string[]): Promise<{ contents: Contents; notes: FileNote[] }> {
  const limit = pLimit(READ_CONCURRENCY);
  const read = await Promise.all(
    paths.map((path) => limit(() => readFile(resolve(cwd, path)).then((bytes) => ({ path, bytes }), (error: Error) => ({ path, error })))),
  );
  const contents: Contents = new Map();
  const notes: FileNote[] = [];
  for (const r of read) {
    if ('bytes' in r) contents.set(r.path, r.bytes);
    else notes.push({ path: r.path, kind: 'unreadable', message: `cannot read file: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}` });
  }
  return { contents, notes };
}

async function writeOrFail(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, data);
  } catch (e) {
    throw new UsageError(`cannot write ${path}: ${(e as Error).message}`);
  }
}

interface Prepared {
  config: ThreadlintConfig;
  rules: RuleMeta[];
  collected: CollectedFiles;
  read: { contents: Contents; notes: FileNote[] };
}

/** Everything that can fail with a usage error, done before any analysis. */
async function prepare(pathArgs: string[], opts: CheckOptions, io: CliIO): Promise<Prepared> {
  if (opts.filterMode && opts.diff === undefined && opts.base === undefined) {
    throw new UsageError('--filter-mode needs --diff or --base');
  }
  const rules = ruleCatalog();
  const knownRuleIds = rules.map((r) => r.id);
  checkRuleSelectors('--select', opts.select, knownRuleIds);
  checkRuleSelectors('--ignore', opts.ignore, knownRuleIds);
  const loaded = await loadCliConfig(io.cwd, opts.config, knownRuleIds);
  const config: ThreadlintConfig = opts.filterMode ? { ...loaded, filter_mode: opts.filterMode } : loaded;
  const collected = await collectFiles(io.cwd, pathArgs.length > 0 ? pathArgs : ['.'], config);
  const read = await readContents(io.cwd, collected.paths);
  return { config, rules, collected, read };
}

/**
 * Analyse; with --fix or --show-fixes, also apply safe fixes until none is left
 * (written to disk only with --fix). After each write the diff is loaded again, so
 * `--base` sees the rewritten working tree.
 */
async function analyzeAndFix(prepared: Prepared, opts: CheckOptions, io: CliIO): Promise<FixOutcome> {
  const loadDiff = diffLoader(io, opts);
  let diff = await loadDiff();
  const analyzeContents = (contents: Contents): Promise<AnalysisResult> =>
    analyze([...contents].map(([path, content]) => ({ path, content })), {
      config: prepared.config,
      diff,
      select: opts.select,
      ignore: opts.ignore,
    });
  if (!opts.fix && !opts.showFixes) return noFixes(await analyzeContents(prepared.read.contents));
  return fixUntilStable(prepared.read.contents, {
    analyze: analyzeContents,
    write: opts.fix
      ? async (files) => {
          for (const [path, source] of files) await writeOrFail(resolve(io.cwd, path), encodeFixed(source));
          diff = await loadDiff();
        }
      : undefined,
  });
}

/** `threadlint check`: returns the exit code. */
export async function runCheck(pathArgs: string[], opts: CheckOptions, io: CliIO): Promise<number> {
  const prepared = await prepare(pathArgs, opts, io);
  const outcome = await analyzeAndFix(prepared, opts, io);
  // Without --fix nothing was written: report on the files as they are.
  const result = opts.fix ? outcome.after : outcome.before;
  const notes = [...prepared.collected.notes, ...prepared.read.notes, ...result.notes, ...outcome.notes];
  const ctx: ReportContext = {
    filesAnalyzed: result.filesAnalyzed,
    fixesApplied: opts.fix ? outcome.applied : undefined,
    rules: prepared.rules,
    guidance: opts.format === 'sarif' ? await readGuidancePages(prepared.rules.map((r) => r.id)) : new Map(),
    toolVersion: toolVersion(),
  };
  const report = REPORTERS[opts.format](result.findings, notes, ctx);
  const reportOnStdout = opts.output === undefined;

  if (!FORMATS_WITH_NOTES.has(opts.format)) {
    for (const note of notes) io.stderr.write(`${formatNote(note)}\n`);
  }
  if (prepared.collected.paths.length === 0) io.stderr.write('threadlint: warning: no Python files found to analyse\n');
  if (opts.showFixes) {
    const diff = [...outcome.changed].map(([path, { before, after }]) => unifiedDiff(path, before, after)).join('');
    // A machine-readable report on stdout must stay parseable: the diff then goes to stderr.
    (reportOnStdout && opts.format !== 'text' ? io.stderr : io.stdout).write(diff);
  }
  if (opts.fix && opts.format !== 'text') {
    io.stderr.write(`threadlint: ${outcome.applied} ${outcome.applied === 1 ? 'fix' : 'fixes'} applied\n`);
  }
  if (reportOnStdout) io.stdout.write(report);
  else await writeOrFail(resolve(io.cwd, opts.output!), report);

  if (opts.exitZero) return EXIT_OK;
  return result.findings.some((f) => failsAt(f.severity, prepared.config.fail_on)) ? EXIT_FINDINGS : EXIT_OK;
}
