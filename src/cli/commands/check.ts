import { readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import pLimit from 'p-limit';
import { failsAt, matchesIdList, ruleLevel } from '../../config/resolve.js';
import {
  analyze,
  ruleCatalog,
  type AnalysisResult,
  type DiffFile,
  type FileNote,
  type FilterMode,
  type Finding,
  type Profile,
  type RuleMeta,
  type SourceFile,
  type ThreadlintConfig,
} from '../../lint/index.js';
import { addIgnoreComments } from '../add-noqa.js';
import { CACHE_DIR_NAME, FileCache } from '../cache.js';
import { collectFiles } from '../collect-files.js';
import { colorEnabled, colors } from '../colors.js';
import { diffLoader } from '../diff-source.js';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from '../errors.js';
import { fixUntilStable, noFixes, type Contents, type FixOutcome } from '../fixes.js';
import { readAllText, type CliIO } from '../io.js';
import { loadCliConfig, type CliConfig } from '../load-config.js';
import { readGuidancePages, toolVersion } from '../package-info.js';
import { ProjectPaths } from '../project-paths.js';
import { FORMATS_WITH_NOTES, HUMAN_FORMATS, REPORTERS, formatNote, type Format, type ReportContext } from '../reporters/index.js';
import { ruleCounts, statisticsJson, statisticsText } from '../reporters/statistics.js';
import { showSettings } from '../show-settings.js';
import { decodeForFix, encodeFixed } from '../source-text.js';
import { unifiedDiff } from '../unified-diff.js';
import { layoutOf, readiness, type ProjectLayout } from '../../report/index.js';

export interface CheckOptions {
  diff?: string;
  base?: string;
  filterMode?: FilterMode;
  format: Format;
  output?: string;
  config?: string;
  select?: string[];
  extendSelect?: string[];
  ignore?: string[];
  exclude?: string[];
  extendExclude?: string[];
  fix?: boolean;
  showFixes?: boolean;
  exitZero?: boolean;
  statistics?: boolean;
  showSettings?: boolean;
  stdinFilename?: string;
  profile?: Profile;
  /** Worker threads; 1 = this thread. Default: every core. */
  jobs?: number;
  /** `--no-cache` sets it false. */
  cache?: boolean;
  addNoqa?: boolean;
  reportUnusedIgnores?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/** Every `--select`/`--ignore` entry must name at least one rule: a typo is an error, not a no-op. */
function checkRuleSelectors(flag: string, ids: string[] | undefined, knownRuleIds: string[]): void {
  const unknown = (ids ?? []).filter((id) => !knownRuleIds.some((known) => matchesIdList(known, [id])));
  if (unknown.length > 0) throw new UsageError(`${flag}: unknown rule ID or prefix: ${unknown.join(', ')}`);
}

/** Flag combinations that cannot mean anything: refused before any work. */
function checkCombinations(pathArgs: string[], opts: CheckOptions): void {
  const refuse = (message: string) => {
    throw new UsageError(message);
  };
  if (opts.filterMode && opts.diff === undefined && opts.base === undefined) refuse('--filter-mode needs --diff or --base');
  if (opts.stdinFilename !== undefined) {
    if (pathArgs.length > 0) refuse('--stdin-filename reads one file from stdin; give no paths');
    if (opts.diff === '-') refuse('--stdin-filename and --diff - both read stdin; give the diff as a file');
    if (opts.addNoqa) refuse('--add-noqa writes files; it cannot work on stdin');
  }
  if (opts.addNoqa && (opts.fix || opts.showFixes)) refuse('--add-noqa cannot be combined with --fix or --show-fixes');
  if (opts.statistics && opts.format !== 'text' && opts.format !== 'json' && opts.format !== 'concise') {
    refuse('--statistics prints text or json; drop --format or use --format json');
  }
  if (opts.quiet && opts.verbose) refuse('-q and -v contradict each other');
}

/** Reads in parallel, but not so many at once that a big tree runs out of file handles. */
const READ_CONCURRENCY = 32;

async function readContents(files: string[], paths: ProjectPaths): Promise<{ contents: Contents; notes: FileNote[] }> {
  const limit = pLimit(READ_CONCURRENCY);
  const read = await Promise.all(
    files.map((file) => limit(() => readFile(file).then((bytes) => ({ file, bytes }), (error: Error) => ({ file, error })))),
  );
  const contents: Contents = new Map();
  const notes: FileNote[] = [];
  for (const r of read) {
    if ('bytes' in r) contents.set(paths.analysis(r.file), r.bytes);
    else notes.push({ path: paths.analysis(r.file), kind: 'unreadable', message: `cannot read file: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}` });
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

/** The config after the command line: filter mode, profile, excludes, rules re-enabled by --extend-select. */
function effectiveConfig(loaded: ThreadlintConfig, opts: CheckOptions, rules: readonly RuleMeta[], paths: ProjectPaths): ThreadlintConfig {
  const config: ThreadlintConfig = { ...loaded, rules: { ...loaded.rules }, paths: { ...loaded.paths } };
  if (opts.filterMode) config.filter_mode = opts.filterMode;
  if (opts.profile) config.profile = opts.profile;
  if (opts.exclude) config.paths.exclude = paths.cliGlobs(opts.exclude);
  if (opts.extendExclude) config.paths.exclude = [...config.paths.exclude, ...paths.cliGlobs(opts.extendExclude)];
  // `--extend-select` turns rules on even where the config says `off`, at their default severity.
  for (const rule of rules) {
    if (opts.extendSelect && matchesIdList(rule.id, opts.extendSelect) && ruleLevel(config, rule.id, rule.severity) === 'off') {
      config.rules[rule.id] = rule.severity;
    }
  }
  return config;
}

interface Run {
  opts: CheckOptions;
  io: CliIO;
  loaded: CliConfig;
  config: ThreadlintConfig;
  rules: RuleMeta[];
  paths: ProjectPaths;
  select?: string[];
  jobs: number;
  cache?: FileCache;
  /** Context files of the last analysis (the tally counts them: they were analysed too). */
  contextFiles: number;
}

/** Which files are reported and which only feed cross-file facts, for this diff. */
function partition(contents: Contents, diff: Map<string, DiffFile> | undefined, config: ThreadlintConfig): { files: SourceFile[]; context: SourceFile[] } {
  const all = [...contents].map(([path, content]) => ({ path, content }));
  if (!diff || config.filter_mode === 'nofilter') return { files: all, context: [] };
  const files = all.filter((f) => diff.has(f.path));
  return { files, context: config.context ? all.filter((f) => !diff.has(f.path)) : [] };
}

/**
 * Analyse; with --fix or --show-fixes, also apply safe fixes until none is left
 * (written to disk only with --fix). After each write the diff is loaded again, so
 * `--base` sees the rewritten working tree.
 */
async function analyzeAndFix(run: Run, contents: Contents): Promise<FixOutcome> {
  const { opts, io, paths } = run;
  const loadDiff = diffLoader(io, opts);
  let diff = paths.diff(await loadDiff());
  const analyzeContents = (current: Contents): Promise<AnalysisResult> => {
    const { files, context } = partition(current, diff, run.config);
    run.contextFiles = context.length;
    return analyze(files, {
      config: run.config,
      diff,
      context,
      select: run.select,
      ignore: opts.ignore,
      // `--jobs 1` is this thread; small runs stay in it anyway (the lint layer decides).
      jobs: run.jobs > 1 ? run.jobs : 0,
      cache: run.cache,
      reportUnusedIgnores: opts.reportUnusedIgnores,
    });
  };
  if (!opts.fix && !opts.showFixes) return noFixes(await analyzeContents(contents));
  return fixUntilStable(contents, {
    analyze: analyzeContents,
    write:
      opts.fix && opts.stdinFilename === undefined
        ? async (files) => {
            for (const [path, source] of files) await writeOrFail(paths.absolute(path), encodeFixed(source));
            diff = paths.diff(await loadDiff());
          }
        : undefined,
  });
}

/** `--add-noqa`: write the ignore comments, then analyse again so the report shows what is left. */
async function addNoqa(run: Run, contents: Contents, result: AnalysisResult): Promise<{ contents: Contents; after: AnalysisResult }> {
  const byPath = new Map<string, Finding[]>();
  for (const f of result.findings) byPath.set(f.path, [...(byPath.get(f.path) ?? []), f]);
  const next: Contents = new Map(contents);
  let added = 0;
  let files = 0;
  for (const [path, findings] of byPath) {
    const bytes = contents.get(path);
    const source = typeof bytes === 'string' ? { text: bytes, bom: false } : bytes && decodeForFix(bytes);
    if (!source) {
      run.io.stderr.write(`${run.paths.display(path)}: note: ignore comments not added: the file is not UTF-8\n`);
      continue;
    }
    const plan = await addIgnoreComments(source.text, findings);
    for (const { finding, reason } of plan.skipped) {
      run.io.stderr.write(`${run.paths.display(path)}:${finding.line}: note: no ignore comment for ${finding.ruleId}: ${reason}\n`);
    }
    if (plan.added === 0) continue;
    const encoded = encodeFixed({ text: plan.text, bom: source.bom });
    await writeOrFail(run.paths.absolute(path), encoded);
    next.set(path, encoded);
    added += plan.added;
    files++;
  }
  run.io.stderr.write(`threadlint: added ${added} ignore ${added === 1 ? 'comment' : 'comments'} in ${files} ${files === 1 ? 'file' : 'files'}\n`);
  return { contents: next, after: added > 0 ? (await analyzeAndFix(run, next)).before : result };
}

function printSettings(run: Run, files: string[]): number {
  const { io, loaded, opts } = run;
  const cacheDir = opts.cache === false || opts.stdinFilename !== undefined ? undefined : join(loaded.root, CACHE_DIR_NAME);
  io.stdout.write(showSettings({ cwd: io.cwd, configFile: loaded.source, root: loaded.root, files, select: run.select, ignore: opts.ignore, jobs: run.jobs, cacheDir, config: run.config }));
  return EXIT_OK;
}

function displayed<T extends { path: string }>(items: readonly T[], paths: ProjectPaths): T[] {
  return paths.same ? [...items] : items.map((item) => ({ ...item, path: paths.display(item.path) }));
}

/** `threadlint check`: returns the exit code. */
export async function runCheck(pathArgs: string[], opts: CheckOptions, io: CliIO): Promise<number> {
  const started = performance.now();
  checkCombinations(pathArgs, opts);
  // The readiness report is the free-threading profile's output.
  if (opts.format === 'ft-report') opts = { ...opts, profile: opts.profile ?? 'free-threading' };
  if (opts.format === 'ft-report' && opts.profile !== 'free-threading') throw new UsageError('--format ft-report is the free-threading profile\'s report; drop --profile or use --profile free-threading');
  const rules = ruleCatalog();
  const knownRuleIds = rules.map((r) => r.id);
  checkRuleSelectors('--select', opts.select, knownRuleIds);
  checkRuleSelectors('--extend-select', opts.extendSelect, knownRuleIds);
  checkRuleSelectors('--ignore', opts.ignore, knownRuleIds);
  const loaded = await loadCliConfig(io.cwd, opts.config, knownRuleIds);
  const paths = new ProjectPaths(io.cwd, loaded.root);
  const config = effectiveConfig(loaded.config, opts, rules, paths);
  const run: Run = {
    opts,
    io,
    loaded,
    config,
    rules,
    paths,
    select: opts.select ? [...opts.select, ...(opts.extendSelect ?? [])] : undefined,
    jobs: opts.jobs ?? availableParallelism(),
    contextFiles: 0,
  };
  const verbose = (line: string) => opts.verbose && io.stderr.write(`threadlint: ${line}\n`);

  // What to analyse: one file from stdin, or the files under the paths.
  let contents: Contents;
  const notes: FileNote[] = [];
  if (opts.stdinFilename !== undefined) {
    const text = await readAllText(io.stdin);
    contents = new Map([[paths.analysis(resolve(io.cwd, opts.stdinFilename)), text]]);
  } else {
    const collected = await collectFiles(io.cwd, pathArgs.length > 0 ? pathArgs : ['.'], config, { root: loaded.root, repositoryRoot: loaded.repositoryRoot });
    notes.push(...collected.notes);
    if (opts.showSettings) return printSettings(run, collected.files.map((f) => paths.display(paths.analysis(f))));
    const read = await readContents(collected.files, paths);
    contents = read.contents;
    notes.push(...displayed(read.notes, paths));
  }
  if (opts.showSettings) return printSettings(run, [...contents.keys()].map((p) => paths.display(p)));
  if (opts.cache !== false && opts.stdinFilename === undefined) {
    run.cache = await FileCache.open(join(loaded.root, CACHE_DIR_NAME), toolVersion());
    if (!run.cache) verbose(`cache off: cannot create ${join(loaded.root, CACHE_DIR_NAME)}`);
  }
  verbose(`config: ${loaded.source ?? 'none (defaults)'}; project root: ${loaded.root}`);

  let outcome = await analyzeAndFix(run, contents);
  if (opts.addNoqa) {
    const noqa = await addNoqa(run, contents, outcome.before);
    outcome = noFixes(noqa.after);
    contents = noqa.contents;
  }
  await run.cache?.close();
  // Without --fix nothing was written: report on the files as they are.
  const result = opts.fix ? outcome.after : outcome.before;
  const findings = displayed(result.findings, paths);
  notes.push(...displayed([...result.notes, ...outcome.notes], paths));
  let byDisplay: Map<string, string> | undefined;
  const finalText = (path: string): string | undefined => {
    byDisplay ??= new Map([...contents.keys()].map((p) => [paths.display(p), p]));
    const analysisPath = byDisplay.get(path);
    if (analysisPath === undefined) return undefined;
    const changed = outcome.changed.get(analysisPath);
    if (changed && opts.fix) return changed.after;
    const content = contents.get(analysisPath);
    return typeof content === 'string' ? content : content && decodeForFix(content)?.text;
  };

  const toFile = opts.output !== undefined;
  // With --fix on stdin the fixed source goes to stdout, as Ruff does; the report to stderr.
  const fixedStdin = opts.fix && opts.stdinFilename !== undefined;
  const reportSink = fixedStdin ? io.stderr : io.stdout;
  const ctx: ReportContext = {
    filesAnalyzed: result.filesAnalyzed + run.contextFiles,
    fixesApplied: opts.fix ? outcome.applied : undefined,
    rules,
    guidance: opts.format === 'sarif' ? await readGuidancePages(rules.map((r) => r.id)) : new Map(),
    toolVersion: toolVersion(),
    colors: colors(HUMAN_FORMATS.has(opts.format) && colorEnabled(fixedStdin ? { ...io, stdout: io.stderr } : io, toFile)),
    source: finalText,
    quiet: opts.quiet,
    readiness: config.profile === 'free-threading' && (opts.format === 'json' || opts.format === 'ft-report') ? readiness(findings, readinessLayout(io.cwd, pathArgs)) : undefined,
  };
  const report = opts.statistics
    ? (opts.format === 'json' ? statisticsJson : statisticsText)(ruleCounts(findings, rules))
    : REPORTERS[opts.format](findings, notes, ctx);

  if (!FORMATS_WITH_NOTES.has(opts.format) && !opts.quiet) {
    for (const note of notes) io.stderr.write(`${formatNote(note)}\n`);
  }
  if (contents.size === 0 && !opts.quiet) io.stderr.write('threadlint: warning: no Python files found to analyse\n');
  if (opts.showFixes) {
    const diff = [...outcome.changed].map(([path, { before, after }]) => unifiedDiff(paths.display(path), before, after)).join('');
    // A machine-readable report on stdout must stay parseable: the diff then goes to stderr.
    (!toFile && !HUMAN_FORMATS.has(opts.format) ? io.stderr : reportSink).write(diff);
  }
  if (opts.fix && (!HUMAN_FORMATS.has(opts.format) || fixedStdin) && !opts.quiet) {
    io.stderr.write(`threadlint: ${outcome.applied} ${outcome.applied === 1 ? 'fix' : 'fixes'} applied\n`);
  }
  if (fixedStdin) {
    const [path] = contents.keys();
    io.stdout.write(outcome.changed.get(path)?.after ?? (contents.get(path) as string));
  }
  if (!toFile) reportSink.write(report);
  else await writeOrFail(resolve(io.cwd, opts.output!), report);

  if (run.cache) {
    const s = run.cache.stats;
    verbose(`cache ${run.cache.dir}: ${s.hits} hits, ${s.misses} misses, ${s.writes} written${s.failedWrites ? `, ${s.failedWrites} writes failed` : ''}`);
  }
  verbose(`${result.filesAnalyzed} files analysed in ${((performance.now() - started) / 1000).toFixed(2)} s (jobs: ${run.jobs})`);
  if (opts.exitZero) return EXIT_OK;
  // A file that could not be analysed is not a clean file: the run does not pass.
  const unanalysed = result.notes.some((n) => NOT_ANALYSED.has(n.kind));
  return unanalysed || result.findings.some((f) => failsAt(f.severity, config.fail_on)) ? EXIT_FINDINGS : EXIT_OK;
}

/**
 * The files under the checked paths (relative to the working directory, as findings are),
 * for the readiness report's packages and extension sources.
 */
function readinessLayout(cwd: string, pathArgs: string[]): ProjectLayout {
  const roots = (pathArgs.length > 0 ? pathArgs : ['.']).map((p) => resolve(cwd, p));
  const layouts = roots.map((root) => {
    const prefix = relative(cwd, root).split(sep).join('/');
    let isDir = false;
    try {
      isDir = statSync(root).isDirectory();
    } catch {
      // a path that vanished: nothing to list
    }
    if (!isDir) return { prefix: '', files: [prefix], read: (p: string) => (p === prefix ? readIfSmall(root) : undefined) };
    const layout = layoutOf(root);
    const at = prefix && !prefix.startsWith('..') ? `${prefix}/` : '';
    return { prefix: at, files: layout.files.map((f) => `${at}${f}`), read: (p: string) => layout.read(p.slice(at.length)) };
  });
  const files = [...new Set(layouts.flatMap((l) => l.files))].sort();
  return {
    files,
    read: (path) => layouts.find((l) => l.prefix === '' || path.startsWith(l.prefix))?.read(path),
  };
}

function readIfSmall(file: string): string | undefined {
  try {
    return statSync(file).size <= 8 * 1024 * 1024 ? readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

const NOT_ANALYSED: ReadonlySet<string> = new Set(['crash', 'budget', 'unreadable', 'too-large']);
