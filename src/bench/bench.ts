/**
 * `npm run bench`: speed and memory on real corpora and on generated worst cases.
 * Every measurement runs in a child process of its own, so each peak RSS is its own.
 *
 * - the Python standard library of the machine's python3 (its tests included) and its
 *   threading-heavy files (those importing threading, concurrent, multiprocessing,
 *   queue or _thread): files, MB, parse-only CPU time (tree-sitter alone), the whole
 *   pipeline's CPU time (parse, tree, model, rules, fix checks) with `--jobs 1`, the
 *   ratio, MB/s, peak RSS; best of N rounds, alternated (the machines are shared);
 * - wall time with `--jobs 1` against `--jobs N` (N = cores);
 * - the pathological set (src/bench/pathological.ts): time, RSS, notes;
 * - 100 … 1,600 fixable snippets: time and the slope per snippet.
 *
 *   node dist/bench/bench.js [--corpus DIR] [--rounds N] [--only stdlib|jobs|pathological|slope]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, closeWorkers } from '../lint/index.js';
import { decodeSource } from '../engine/source.js';
import { parseFloor } from '../engine/tree/parser.js';
import { DEFAULT_CONFIG, type AnalysisResult, type SourceFile } from '../engine/types.js';
import { fixableSnippets, pathologicalSet } from './pathological.js';

const THREADING_IMPORT = /^\s*(?:import|from)\s+(?:threading|concurrent|multiprocessing|queue|_thread)\b/m;
/** Whole-file analysis, as the CLI runs it on a folder: no test-code filter, so every rule works. */
const CONFIG = { ...DEFAULT_CONFIG, tests: [] };

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

function stdlibPath(): string {
  return execFileSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' }).trim();
}

function pythonFiles(root: string): string[] {
  const out: string[] = [];
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      let st;
      try {
        st = statSync(full);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (name !== 'site-packages' && name !== '__pycache__') stack.push(full);
      } else if (name.endsWith('.py')) out.push(full);
    }
  }
  return out.sort();
}

function corpus(root: string, heavy: boolean): SourceFile[] {
  const files = pythonFiles(root).map((p) => ({ path: relative(root, p), content: readFileSync(p) }));
  return heavy ? files.filter((f) => THREADING_IMPORT.test(Buffer.from(f.content).toString('latin1'))) : files;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const rssMiB = () => process.resourceUsage().maxRSS / 1024;

// ---------------------------------------------------------------- phases (child processes)

async function phaseCorpus(root: string, heavy: boolean, rounds: number): Promise<object> {
  const files = corpus(root, heavy);
  const bytes = files.reduce((n, f) => n + f.content.length, 0);
  // One untimed pass of each, so both are measured with a warm JIT (the first pass of a
  // process compiles the model and the rules, which the parse-only floor barely has).
  await analyze(files, { config: CONFIG });
  for (const f of files) {
    const d = decodeSource(f.content);
    if (d.ok) await parseFloor(d.text);
  }
  let parse = Infinity;
  let full = Infinity;
  let result: AnalysisResult | undefined;
  for (let r = 0; r < rounds; r++) {
    let t = cpuMs();
    for (const f of files) {
      const d = decodeSource(f.content);
      if (d.ok) await parseFloor(d.text);
    }
    parse = Math.min(parse, cpuMs() - t);
    t = cpuMs();
    result = await analyze(files, { config: CONFIG });
    full = Math.min(full, cpuMs() - t);
  }
  const perRule: Record<string, number> = {};
  for (const f of result!.findings) perRule[f.ruleId] = (perRule[f.ruleId] ?? 0) + 1;
  return { files: files.length, mb: bytes / 1e6, parseMs: parse, fullMs: full, rss: rssMiB(), perRule, notes: result!.notes.length };
}

async function phaseJobs(root: string, jobs: number): Promise<object> {
  const files = corpus(root, false);
  await analyze(files.slice(0, 30), { config: CONFIG, jobs });
  const t = performance.now();
  const result = await analyze(files, { config: CONFIG, jobs });
  const wallMs = performance.now() - t;
  await closeWorkers();
  return { jobs, wallMs, findings: result.findings.length, rss: rssMiB() };
}

async function phaseSource(source: string): Promise<object> {
  await analyze([{ path: 'warm.py', content: fixableSnippets(10) }], { config: CONFIG });
  const t = performance.now();
  const result = await analyze([{ path: 'p.py', content: source }], { config: CONFIG });
  return {
    ms: performance.now() - t,
    rss: rssMiB(),
    findings: result.findings.length,
    fixes: result.findings.filter((f) => f.fix).length,
    notes: result.notes.map((n) => `${n.kind}: ${n.message}`),
  };
}

// ---------------------------------------------------------------- orchestration

function child<T>(args: string[], input?: string): T {
  const script = fileURLToPath(import.meta.url);
  const run = spawnSync(process.execPath, ['--expose-gc', script, '--phase', ...args], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`bench phase ${args.join(' ')} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as T;
}

interface CorpusStats {
  files: number;
  mb: number;
  parseMs: number;
  fullMs: number;
  rss: number;
  perRule: Record<string, number>;
  notes: number;
}

function printCorpus(name: string, s: CorpusStats): void {
  const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(`${name}: ${s.files} files, ${s.mb.toFixed(1)} MB`);
  console.log(`  parse-only  ${secs(s.parseMs)} CPU   ${(s.mb / (s.parseMs / 1000)).toFixed(2)} MB/s   (tree-sitter alone)`);
  console.log(`  pipeline    ${secs(s.fullMs)} CPU   ${(s.mb / (s.fullMs / 1000)).toFixed(2)} MB/s   (--jobs 1: tree, model, rules, fix checks)`);
  console.log(`  ratio       ${(s.fullMs / s.parseMs).toFixed(2)}x parse-only   peak RSS ${s.rss.toFixed(0)} MiB   notes ${s.notes}`);
  console.log(`  findings    ${Object.entries(s.perRule).sort().map(([id, n]) => `${id} ${n}`).join(', ') || 'none'}`);
}

async function main(): Promise<void> {
  const phase = argValue('--phase');
  const root = argValue('--corpus') ?? stdlibPath();
  if (phase) {
    let out: object;
    if (phase === 'corpus') out = await phaseCorpus(root, process.argv.includes('--heavy'), Number(argValue('--rounds') ?? 2));
    else if (phase === 'jobs') out = await phaseJobs(root, Number(argValue('--jobs')));
    else out = await phaseSource(readFileSync(0, 'utf8'));
    console.log(JSON.stringify(out));
    return;
  }
  const only = argValue('--only');
  const rounds = argValue('--rounds') ?? '2';
  const common = ['--corpus', root, '--rounds', rounds];
  console.log(`corpus ${root}\n`);
  if (!only || only === 'stdlib') {
    printCorpus('all files', child<CorpusStats>(['corpus', ...common]));
    printCorpus('threading-heavy files', child<CorpusStats>(['corpus', '--heavy', ...common]));
    console.log();
  }
  if (!only || only === 'jobs') {
    const n = Math.max(2, availableParallelism());
    const one = child<{ wallMs: number; rss: number }>(['jobs', '--corpus', root, '--jobs', '0']);
    const many = child<{ wallMs: number; rss: number }>(['jobs', '--corpus', root, '--jobs', String(n)]);
    console.log(`wall time, all files: --jobs 1 ${(one.wallMs / 1000).toFixed(2)} s (RSS ${one.rss.toFixed(0)} MiB), --jobs ${n} ${(many.wallMs / 1000).toFixed(2)} s (RSS ${many.rss.toFixed(0)} MiB): ${(one.wallMs / many.wallMs).toFixed(2)}x\n`);
  }
  if (!only || only === 'pathological') {
    console.log('pathological set');
    for (const p of pathologicalSet()) {
      const r = child<{ ms: number; rss: number; findings: number; fixes: number; notes: string[] }>(['source'], p.source);
      console.log(`  ${p.name.padEnd(30)} ${(p.source.length / 1024).toFixed(0).padStart(6)} KB  ${(r.ms / 1000).toFixed(2).padStart(6)} s  RSS ${r.rss.toFixed(0).padStart(4)} MiB  ${r.findings} findings, ${r.fixes} fixes${r.notes.length ? `  ${r.notes.join('; ')}` : ''}`);
    }
    console.log();
  }
  if (!only || only === 'slope') {
    const sizes = [100, 200, 400, 800, 1600];
    const times = sizes.map((n) => child<{ ms: number }>(['source'], fixableSnippets(n)).ms);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const mx = mean(sizes);
    const my = mean(times);
    const slope = sizes.reduce((s, x, i) => s + (x - mx) * (times[i] - my), 0) / sizes.reduce((s, x) => s + (x - mx) ** 2, 0);
    console.log(`fixable snippets: ${sizes.map((n, i) => `${n}: ${(times[i] / 1000).toFixed(2)} s`).join(', ')}`);
    console.log(`  slope ${slope.toFixed(3)} ms per snippet; time(1600) / time(800) = ${(times[4] / times[3]).toFixed(2)} (2.0 is linear)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
