/**
 * `npm run ecosystem`: threadlint on pinned versions of thread-heavy open-source
 * packages, as Ruff keeps an ecosystem check. Downloads each package from the package
 * index pip is configured with (the sdist when there is one — it carries the tests —
 * else the wheel), unpacks it outside the repository, runs the CLI on it
 * (`node bin/threadlint.js check --format json`), and prints findings per package and
 * per rule, per 1,000 lines, and the change against `ecosystem/baseline.json`.
 *
 *   npm run ecosystem -- [--packages a,b] [--select IDS] [--ignore IDS] [--profile NAME]
 *                        [--config FILE] [--cache DIR] [--baseline FILE] [--update-baseline]
 *                        [--check-fixes] [--dump FILE] [--all-keys] [--jobs N]
 *
 * --check-fixes applies every offered fix one at a time to a scratch copy of its file
 * and checks that `python3 -m py_compile` passes, the finding is gone and nothing new
 * appears. --dump writes every finding with a few lines of context to FILE (JSON lines,
 * for reading by hand; keep it outside the repository: it quotes third-party code).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { applyEdits } from '../engine/index.js';
import { PACKAGES, type EcosystemPackage } from './packages.js';
import {
  cliFindings,
  countByRule,
  diffBaseline,
  findingKeys,
  fixOutcomeOk,
  formatFixOutcomes,
  formatReport,
  judgeFix,
  makeBaseline,
  sameOptions,
  type Baseline,
  type CliFinding,
  type FixOutcome,
  type PackageResult,
} from './report.js';

const run = promisify(execFile);
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(REPO, 'bin', 'threadlint.js');
const SKIPPED = new Set(['node_modules', '__pycache__', '.git', '.tox', '.venv', 'venv']);

interface Options {
  packages: EcosystemPackage[];
  cache: string;
  baseline: string;
  /** Passed through to `threadlint check`. */
  cliArgs: string[];
  updateBaseline: boolean;
  checkFixes: boolean;
  dump?: string;
  allKeys: boolean;
  jobs: number;
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      packages: { type: 'string' },
      select: { type: 'string' },
      ignore: { type: 'string' },
      profile: { type: 'string' },
      config: { type: 'string' },
      cache: { type: 'string' },
      baseline: { type: 'string' },
      'update-baseline': { type: 'boolean', default: false },
      'check-fixes': { type: 'boolean', default: false },
      dump: { type: 'string' },
      'all-keys': { type: 'boolean', default: false },
      jobs: { type: 'string' },
    },
  });
  let packages = [...PACKAGES];
  if (values.packages) {
    const wanted = values.packages.split(',').map((s) => s.trim());
    const unknown = wanted.filter((w) => !PACKAGES.some((p) => p.name === w));
    if (unknown.length) throw new Error(`not in the ecosystem set: ${unknown.join(', ')} (see src/ecosystem/packages.ts)`);
    packages = packages.filter((p) => wanted.includes(p.name));
  }
  const cliArgs: string[] = [];
  if (values.select) cliArgs.push('--select', values.select);
  if (values.ignore) cliArgs.push('--ignore', values.ignore);
  if (values.profile) cliArgs.push('--profile', values.profile);
  if (values.config) cliArgs.push('--config', resolve(values.config));
  return {
    packages,
    cache: resolve(values.cache ?? process.env.THREADLINT_ECOSYSTEM_CACHE ?? join(homedir(), '.cache', 'threadlint-ecosystem')),
    baseline: resolve(values.baseline ?? join(REPO, 'ecosystem', 'baseline.json')),
    cliArgs,
    updateBaseline: values['update-baseline'],
    checkFixes: values['check-fixes'],
    dump: values.dump ? resolve(values.dump) : undefined,
    allKeys: values['all-keys'],
    jobs: Math.max(1, Number(values.jobs ?? 1) || 1),
  };
}

/** Download (sdist first, then wheel) and unpack once; later runs reuse the cache. */
async function fetchPackage(pkg: EcosystemPackage, cache: string): Promise<string> {
  const dir = join(cache, `${pkg.name}-${pkg.version}`);
  const done = join(dir, '.unpacked');
  const tree = join(dir, 'tree');
  if (existsSync(done)) return readFileSync(done, 'utf8').trim();
  rmSync(dir, { recursive: true, force: true });
  const downloads = join(dir, 'download');
  mkdirSync(downloads, { recursive: true });
  const spec = `${pkg.name}==${pkg.version}`;
  try {
    await run('python3', ['-m', 'pip', 'download', '--no-deps', '--no-binary', ':all:', spec, '-d', downloads], { maxBuffer: 1 << 24 });
  } catch {
    await run('python3', ['-m', 'pip', 'download', '--no-deps', '--only-binary', ':all:', spec, '-d', downloads], { maxBuffer: 1 << 24 });
  }
  const [archive] = readdirSync(downloads);
  if (!archive) throw new Error(`pip downloaded nothing for ${spec}`);
  const file = join(downloads, archive);
  mkdirSync(tree, { recursive: true });
  if (/\.(tar\.gz|tgz|tar\.bz2)$/.test(archive)) await run('tar', ['-xf', file, '-C', tree]);
  else await run('python3', ['-m', 'zipfile', '-e', file, tree]);
  // An sdist unpacks into one folder; a wheel into the package folders themselves.
  const entries = readdirSync(tree);
  const root = !archive.endsWith('.whl') && entries.length === 1 && statSync(join(tree, entries[0])).isDirectory() ? join(tree, entries[0]) : tree;
  writeFileSync(done, `${root}\n`);
  return root;
}

function pythonFiles(root: string): string[] {
  const out: string[] = [];
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      const st = statSync(full);
      if (st.isDirectory()) {
        if (!name.startsWith('.') && !SKIPPED.has(name)) stack.push(full);
      } else if (name.endsWith('.py') || name.endsWith('.pyi')) out.push(full);
    }
  }
  return out.sort();
}

/** `threadlint check --format json` in `cwd` (so paths come out relative to it). */
async function threadlint(cwd: string, args: string[], paths: string[]): Promise<CliFinding[]> {
  const output = join(cwd, '..', `threadlint-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  try {
    await run(process.execPath, [CLI, 'check', '--format', 'json', '--exit-zero', '--output', output, ...args, ...paths], { cwd, maxBuffer: 1 << 26 });
    return cliFindings(JSON.parse(readFileSync(output, 'utf8')));
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`threadlint failed in ${cwd}: ${e.stderr?.trim() || e.message}`);
  } finally {
    rmSync(output, { force: true });
  }
}

interface Analysed {
  pkg: EcosystemPackage;
  root: string;
  findings: CliFinding[];
  keys: string[];
  result: PackageResult;
}

async function analysePackage(pkg: EcosystemPackage, opts: Options): Promise<Analysed> {
  const root = await fetchPackage(pkg, opts.cache);
  const files = pythonFiles(root);
  let lines = 0;
  for (const f of files) lines += readFileSync(f, 'utf8').split('\n').length;
  const started = Date.now();
  const findings = await threadlint(root, opts.cliArgs, ['.']);
  const cache = new Map<string, string[]>();
  const linesOf = (p: string) => {
    let l = cache.get(p);
    if (!l) cache.set(p, (l = readFileSync(join(root, p), 'utf8').split('\n')));
    return l;
  };
  const keys = findingKeys(findings, linesOf);
  process.stderr.write(`${pkg.name} ${pkg.version}: ${files.length} files, ${lines} lines, ${findings.length} findings (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  const result: PackageResult = { name: pkg.name, version: pkg.version, files: files.length, lines, counts: countByRule(findings), keys };
  return { pkg, root, findings, keys, result };
}

/** Every fix alone, on a scratch copy of its file: compiles, finding gone, nothing new. */
async function checkFixes(analysed: Analysed, opts: Options): Promise<FixOutcome[]> {
  const outcomes: FixOutcome[] = [];
  const scratch = join(opts.cache, 'scratch', analysed.pkg.name);
  const beforeByPath = new Map<string, CliFinding[]>();
  for (const [i, f] of analysed.findings.entries()) {
    if (!f.fix) continue;
    const key = `${analysed.pkg.name}: ${analysed.keys[i]}`;
    try {
      const original = readFileSync(join(analysed.root, f.path), 'utf8');
      // The file alone, before and after: a fix is judged on the file it edits.
      let before = beforeByPath.get(f.path);
      if (!before) {
        const origDir = join(scratch, 'before');
        rmSync(origDir, { recursive: true, force: true });
        mkdirSync(dirname(join(origDir, f.path)), { recursive: true });
        writeFileSync(join(origDir, f.path), original);
        before = await threadlint(origDir, opts.cliArgs, [f.path]);
        beforeByPath.set(f.path, before);
      }
      const fixedDir = join(scratch, 'after');
      rmSync(fixedDir, { recursive: true, force: true });
      mkdirSync(dirname(join(fixedDir, f.path)), { recursive: true });
      writeFileSync(join(fixedDir, f.path), applyEdits(original, f.fix.edits));
      let compiles = true;
      try {
        await run('python3', ['-m', 'py_compile', join(fixedDir, f.path)], { env: { ...process.env, PYTHONPYCACHEPREFIX: join(scratch, 'pycache') } });
      } catch {
        compiles = false;
      }
      const after = await threadlint(fixedDir, opts.cliArgs, [f.path]);
      outcomes.push({ key, compiles, ...judgeFix(f.ruleId, before, after) });
    } catch (error) {
      outcomes.push({ key, compiles: false, gone: false, added: [], error: (error as Error).message });
    }
  }
  return outcomes;
}

/** Every finding with its context, for reading by hand. */
function dumpFindings(analysed: readonly Analysed[], file: string): void {
  const rows: string[] = [];
  for (const a of analysed) {
    for (const [i, f] of a.findings.entries()) {
      const lines = readFileSync(join(a.root, f.path), 'utf8').split('\n');
      const from = Math.max(1, f.line - 6);
      const to = Math.min(lines.length, f.endLine + 6);
      const context = lines.slice(from - 1, to).map((l, j) => `${String(from + j).padStart(5)}${from + j === f.line ? '>' : ' '} ${l}`);
      rows.push(JSON.stringify({ package: a.pkg.name, key: a.keys[i], ruleId: f.ruleId, path: f.path, line: f.line, message: f.message, fix: !!f.fix, context: context.join('\n') }));
    }
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${rows.join('\n')}\n`);
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function main(): Promise<number> {
  const opts = options(process.argv.slice(2));
  if (!existsSync(join(REPO, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  mkdirSync(opts.cache, { recursive: true });
  const inside = relative(REPO, opts.cache);
  if (!inside.startsWith('..') && !isAbsolute(inside)) {
    throw new Error(`the cache ${opts.cache} is inside the repository; third-party code stays outside it`);
  }
  const skipped: string[] = [];
  const attempts = await mapLimit(opts.packages, opts.jobs, (p) =>
    analysePackage(p, opts).catch((error: unknown) => {
      // One package the index cannot serve does not stop the run; the report says so.
      skipped.push(`${p.name} ${p.version}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      return null;
    }),
  );
  const analysed = attempts.filter((a): a is Analysed => a !== null);
  const results = analysed.map((a) => a.result);
  for (const line of skipped) process.stdout.write(`Skipped ${line}\n`);
  if (analysed.length === 0) throw new Error('no package could be analysed (see the lines above)');
  const stored = existsSync(opts.baseline) ? (JSON.parse(readFileSync(opts.baseline, 'utf8')) as Baseline) : null;
  // A baseline taken with other options (another profile, --select …) says nothing about this run.
  const baseline = stored && sameOptions(stored.options, opts.cliArgs) ? stored : null;
  if (stored && !baseline) process.stdout.write(`The baseline was taken with options [${stored.options.join(' ')}]: not compared.\n`);
  const diff = diffBaseline(baseline, results);
  process.stdout.write(formatReport(results, diff, opts.allKeys ? Infinity : 40));
  if (opts.dump) {
    dumpFindings(analysed, opts.dump);
    process.stdout.write(`Every finding with context: ${opts.dump}\n`);
  }
  if (opts.updateBaseline) {
    if (opts.packages.length !== PACKAGES.length || skipped.length) throw new Error('--update-baseline needs the whole set (no --packages, nothing skipped)');
    mkdirSync(dirname(opts.baseline), { recursive: true });
    writeFileSync(opts.baseline, `${JSON.stringify(makeBaseline(results, opts.cliArgs), null, 2)}\n`);
    process.stdout.write(`Baseline written: ${relative(process.cwd(), opts.baseline)}\n`);
  }
  if (opts.checkFixes) {
    const outcomes: FixOutcome[] = [];
    for (const a of analysed) outcomes.push(...(await checkFixes(a, opts)));
    process.stdout.write(formatFixOutcomes(outcomes));
    if (!outcomes.every(fixOutcomeOk)) return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ecosystem: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
