import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCache } from '../../src/cli/cache.js';
import { analyze, DEFAULT_CONFIG, type FileAnalysis } from '../../src/lint/index.js';
import { RULES } from '../../src/rules/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'threadlint-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const KEY = 'ab'.repeat(32);
const result = (path = 'a.py'): FileAnalysis => ({
  path,
  findings: [],
  notes: [],
  facts: { TL106: { orders: [1, 2], seen: new Set([3]), byName: new Map([['x', 1]]) } },
  suppressions: [],
  analysed: true,
});

async function entryFiles(cacheDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const version of await readdir(cacheDir, { withFileTypes: true })) {
    if (!version.isDirectory()) continue;
    for (const shard of await readdir(join(cacheDir, version.name), { withFileTypes: true })) {
      if (shard.isDirectory()) out.push(...(await readdir(join(cacheDir, version.name, shard.name))).map((f) => join(version.name, shard.name, f)));
    }
  }
  return out.sort();
}

describe('FileCache', () => {
  it('returns what was stored, Sets and Maps included, and counts hits and misses', async () => {
    const cache = (await FileCache.open(join(dir, 'c'), '1.0.0'))!;
    expect(await cache.get(KEY)).toBeUndefined();
    await cache.set(KEY, result());
    expect(await cache.get(KEY)).toEqual(result());
    expect(cache.stats).toEqual({ hits: 1, misses: 1, writes: 1, failedWrites: 0 });
    expect(readFileSync(join(dir, 'c', '.gitignore'), 'utf8')).toContain('\n*\n');
  });

  it('treats a corrupt or foreign entry as a miss and removes it', async () => {
    const cache = (await FileCache.open(join(dir, 'c'), '1.0.0'))!;
    await cache.set(KEY, result());
    const [file] = await entryFiles(join(dir, 'c'));
    await writeFile(join(dir, 'c', file), '{"key": "ab');
    expect(await cache.get(KEY)).toBeUndefined();
    expect(existsSync(join(dir, 'c', file))).toBe(false);
    await cache.set(KEY, result());
    await writeFile(join(dir, 'c', file), JSON.stringify({ key: 'other', value: result() }));
    expect(await cache.get(KEY)).toBeUndefined();
    await writeFile(join(dir, 'c', file), JSON.stringify({ key: KEY, value: { path: 'a.py' } }));
    expect(await cache.get(KEY)).toBeUndefined();
  });

  it('drops the results of other versions when it opens', async () => {
    await (await FileCache.open(join(dir, 'c'), '1.0.0'))!.set(KEY, result());
    const reopened = (await FileCache.open(join(dir, 'c'), '2.0.0'))!;
    expect(await reopened.get(KEY)).toBeUndefined();
    expect(readdirSync(join(dir, 'c')).filter((n) => n.startsWith('1.0.0'))).toEqual([]);
  });

  it('prunes entries unused for 30 days, then the least recently used over the bound', async () => {
    let now = Date.now();
    const cache = (await FileCache.open(join(dir, 'c'), '1.0.0', { maxBytes: 2000, now: () => now }))!;
    const keys = ['01', '02', '03', '04', '05', '06'].map((p) => p.repeat(32));
    for (const key of keys) await cache.set(key, result(`${key.slice(0, 2)}.py`));
    const files = await entryFiles(join(dir, 'c'));
    // Oldest first: keys[0] last used 40 days ago, then one day apart.
    for (const [i, file] of files.entries()) {
      const t = new Date(now - (i === 0 ? 40 : 6 - i) * 24 * 3600 * 1000);
      await utimes(join(dir, 'c', file), t, t);
    }
    const size = readFileSync(join(dir, 'c', files[1])).length;
    const outcome = await cache.prune();
    expect(outcome.removed).toBeGreaterThanOrEqual(1);
    expect(outcome.bytes).toBeLessThanOrEqual(2000);
    const left = await entryFiles(join(dir, 'c'));
    expect(left).not.toContain(files[0]);
    // The newest survive; what is kept fits the bound.
    expect(left).toContain(files[files.length - 1]);
    expect(left.length * size).toBeLessThanOrEqual(2000);
    expect(left.length).toBeLessThan(files.length);
  });

  it('a hit marks an entry used, so pruning by age keeps it', async () => {
    const now = Date.now();
    const cache = (await FileCache.open(join(dir, 'c'), '1.0.0', { now: () => now }))!;
    await cache.set(KEY, result());
    const [file] = await entryFiles(join(dir, 'c'));
    const old = new Date(now - 40 * 24 * 3600 * 1000);
    await utimes(join(dir, 'c', file), old, old);
    expect(await cache.get(KEY)).toEqual(result());
    await cache.prune();
    expect(await entryFiles(join(dir, 'c'))).toEqual([file]);
    await utimes(join(dir, 'c', file), old, old);
    await cache.prune();
    expect(await entryFiles(join(dir, 'c'))).toEqual([]);
  });

  it('is off, not an error, when its folder cannot be made', async () => {
    await writeFile(join(dir, 'c'), 'a file in the way');
    expect(await FileCache.open(join(dir, 'c'), '1.0.0')).toBeUndefined();
  });

  it('skips a write it cannot make', async () => {
    const cache = (await FileCache.open(join(dir, 'c'), '1.0.0'))!;
    const [version] = readdirSync(join(dir, 'c')).filter((n) => n.startsWith('1.0.0'));
    await mkdir(join(dir, 'c', version, KEY.slice(0, 2), `${KEY}.json`), { recursive: true }); // a folder where the entry goes
    await cache.set(KEY, result());
    expect(cache.stats.failedWrites).toBe(1);
  });
});

test('cached results give exactly the findings of an uncached run, for every fixture', async () => {
  const files = RULES.flatMap((r) =>
    ['flag', 'clean'].map((kind) => ({ path: `${r.meta.id}/${kind}.py`, content: readFileSync(`test/fixtures/rules/${r.meta.id}/${kind}.py`, 'utf8') })),
  );
  const cache = (await FileCache.open(join(dir, 'c'), '1.0.0'))!;
  const plain = await analyze(files, { config: DEFAULT_CONFIG });
  const cold = await analyze(files, { config: DEFAULT_CONFIG, cache });
  const warm = await analyze(files, { config: DEFAULT_CONFIG, cache });
  expect(cache.stats.hits).toBe(files.length);
  expect(cold).toEqual(plain);
  expect(warm).toEqual(plain);
});
