/**
 * `npm run bench`: throughput and memory on a real corpus, by default the Python
 * standard library of the machine's python3 (its test suite included). Prints the
 * corpus size, the parse-only time (tree-sitter alone), the whole pipeline's time
 * (parse, model, every rule, fix verification), their ratio, peak RSS, and findings
 * per rule.
 *
 *   node dist/bench/bench.js [--corpus DIR] [--limit N] [--rounds N]
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyze } from '../lint/analyze.js';
import { parseFloor } from '../engine/tree/parser.js';
import { decodeSource } from '../engine/source.js';
import { DEFAULT_CONFIG, type SourceFile } from '../engine/types.js';

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

function rssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

async function main(): Promise<void> {
  const root = argValue('--corpus') ?? stdlibPath();
  const limit = Number(argValue('--limit') ?? Infinity);
  const paths = pythonFiles(root).slice(0, limit);
  const files: SourceFile[] = paths.map((p) => ({ path: relative(root, p), content: readFileSync(p) }));
  const bytes = files.reduce((n, f) => n + f.content.length, 0);
  let lines = 0;
  for (const f of files) for (const b of f.content as Uint8Array) if (b === 10) lines++;
  const mb = bytes / 1e6;
  console.log(`corpus   ${root}`);
  console.log(`files    ${files.length}   lines ${lines.toLocaleString('en')}   ${mb.toFixed(1)} MB`);

  // Warm up the wasm module and the JIT on a slice, so neither pass pays for it.
  await analyze(files.slice(0, 50), { config: DEFAULT_CONFIG });

  // Alternate the two passes and keep each one's best round: the machines are shared,
  // and a single round mostly measures the neighbours.
  const rounds = Number(argValue('--rounds') ?? 2);
  let parseMs = Infinity;
  let fullMs = Infinity;
  let rssAfterParse = 0;
  let result: Awaited<ReturnType<typeof analyze>> | undefined;
  for (let round = 0; round < rounds; round++) {
    const t0 = performance.now();
    for (const f of files) {
      const decoded = decodeSource(f.content);
      if (decoded.ok) await parseFloor(decoded.text);
    }
    parseMs = Math.min(parseMs, performance.now() - t0);
    if (round === 0) rssAfterParse = rssMiB();
    const t1 = performance.now();
    result = await analyze(files, { config: DEFAULT_CONFIG });
    fullMs = Math.min(fullMs, performance.now() - t1);
  }
  if (!result) throw new Error('--rounds must be at least 1');

  const perRule = new Map<string, number>();
  for (const f of result.findings) perRule.set(f.ruleId, (perRule.get(f.ruleId) ?? 0) + 1);
  const notes = new Map<string, number>();
  for (const n of result.notes) notes.set(n.kind, (notes.get(n.kind) ?? 0) + 1);

  console.log(`parse    ${(parseMs / 1000).toFixed(2)} s   ${(mb / (parseMs / 1000)).toFixed(2)} MB/s   (tree-sitter only; best of ${rounds})`);
  console.log(`analyze  ${(fullMs / 1000).toFixed(2)} s   ${(mb / (fullMs / 1000)).toFixed(2)} MB/s   (parse + model + rules + fix checks; best of ${rounds})`);
  console.log(`ratio    ${(fullMs / parseMs).toFixed(2)}x parse-only`);
  console.log(`memory   peak RSS ${rssMiB().toFixed(0)} MiB (after the first parse-only pass: ${rssAfterParse.toFixed(0)} MiB)`);
  console.log(`findings ${result.findings.length}: ${[...perRule].sort().map(([id, n]) => `${id} ${n}`).join(', ') || 'none'}`);
  console.log(`notes    ${[...notes].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
