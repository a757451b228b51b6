/**
 * The per-file result cache behind `.threadlint_cache/`: one JSON file per result, keyed
 * by the engine's job key (content, config, options and tool version: a changed file or
 * setting is simply a miss). Like Ruff's cache it ignores itself for git (a `.gitignore`
 * holding `*`) and carries a CACHEDIR.TAG. It stays bounded: results unused for
 * MAX_AGE_DAYS, and the least recently used beyond MAX_BYTES, are pruned, and results of
 * other threadlint versions or builds are dropped when the cache opens. A cache that cannot be read
 * or written never fails a run: a corrupt entry is a miss, a failed write is skipped.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileAnalysis, ResultCache } from '../lint/index.js';

export const CACHE_DIR_NAME = '.threadlint_cache';
export const MAX_BYTES = 256 * 1024 * 1024;
export const MAX_AGE_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
const STATE_FILE = 'state.json';
const CACHEDIR_TAG = 'Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by threadlint.\n# For information about cache directory tags see https://bford.info/cachedir/\n';

export interface CacheStats {
  hits: number;
  misses: number;
  writes: number;
  failedWrites: number;
}

interface State {
  /** Bytes written since the last prune: a prune runs once they pass a tenth of the bound. */
  writtenSincePrune: number;
  lastPrune: number;
}

/** Sets and Maps survive the round trip through JSON (results are plain data, but be sure). */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Set) return { $set: [...value] };
  if (value instanceof Map) return { $map: [...value] };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$set' && Array.isArray((value as { $set: unknown }).$set)) return new Set((value as { $set: unknown[] }).$set);
    if (keys.length === 1 && keys[0] === '$map' && Array.isArray((value as { $map: unknown }).$map)) return new Map((value as { $map: [unknown, unknown][] }).$map);
  }
  return value;
}

function looksLikeAnalysis(value: unknown): value is FileAnalysis {
  const v = value as Partial<FileAnalysis> | null;
  return (
    !!v && typeof v.path === 'string' && Array.isArray(v.findings) && Array.isArray(v.notes) && Array.isArray(v.suppressions) &&
    typeof v.analysed === 'boolean' && !!v.facts && typeof v.facts === 'object'
  );
}

export class FileCache implements ResultCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, writes: 0, failedWrites: 0 };
  private written = 0;

  private constructor(
    /** The `.threadlint_cache` folder. */
    readonly dir: string,
    private readonly entries: string,
    private readonly maxBytes: number,
    private readonly now: () => number,
  ) {}

  /**
   * Open (creating) the cache in `dir` for this tool version, or undefined when the folder
   * cannot be made (a read-only checkout): the run then goes on without a cache.
   */
  static async open(dir: string, version: string, options: { maxBytes?: number; now?: () => number } = {}): Promise<FileCache | undefined> {
    const entries = join(dir, `${version.replace(/[^\w.-]/g, '_')}-${await buildId()}`);
    try {
      await mkdir(entries, { recursive: true });
      await writeIfMissing(join(dir, '.gitignore'), '# Automatically created by threadlint.\n*\n');
      await writeIfMissing(join(dir, 'CACHEDIR.TAG'), CACHEDIR_TAG);
      // Results of other versions can never be hits again.
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (entry.isDirectory() && join(dir, entry.name) !== entries) await rm(join(dir, entry.name), { recursive: true, force: true });
      }
    } catch {
      return undefined;
    }
    return new FileCache(dir, entries, options.maxBytes ?? MAX_BYTES, options.now ?? Date.now);
  }

  private pathOf(key: string): string {
    return join(this.entries, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<FileAnalysis | undefined> {
    const path = this.pathOf(key);
    let text: string;
    let mtime: number;
    try {
      const handle = await open(path, 'r');
      try {
        mtime = (await handle.stat()).mtimeMs;
        text = await handle.readFile('utf8');
      } finally {
        await handle.close();
      }
    } catch {
      this.stats.misses++;
      return undefined;
    }
    let entry: { key?: unknown; value?: unknown };
    try {
      entry = JSON.parse(text, reviver) as typeof entry;
    } catch {
      entry = {};
    }
    if (entry.key !== key || !looksLikeAnalysis(entry.value)) {
      this.stats.misses++;
      await unlink(path).catch(() => undefined);
      return undefined;
    }
    this.stats.hits++;
    // Mark it used (pruning drops the least recently used); once a day is enough.
    const now = this.now();
    if (now - mtime > DAY_MS) await utimes(path, new Date(now), new Date(now)).catch(() => undefined);
    return entry.value;
  }

  async set(key: string, value: FileAnalysis): Promise<void> {
    const path = this.pathOf(key);
    const text = JSON.stringify({ key, value }, replacer);
    // Written whole, then renamed: a concurrent run never reads half an entry.
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(join(this.entries, key.slice(0, 2)), { recursive: true });
      await writeFile(temp, text);
      await rename(temp, path);
      this.stats.writes++;
      this.written += Buffer.byteLength(text);
    } catch {
      this.stats.failedWrites++;
      await unlink(temp).catch(() => undefined);
    }
  }

  /** End of a run: prune when enough was written since the last prune, or a day has passed. */
  async close(): Promise<void> {
    if (this.written === 0) return;
    const statePath = join(this.entries, STATE_FILE);
    const state = await readFile(statePath, 'utf8')
      .then((t) => JSON.parse(t) as State)
      .catch((): State => ({ writtenSincePrune: 0, lastPrune: this.now() }));
    state.writtenSincePrune = (Number(state.writtenSincePrune) || 0) + this.written;
    this.written = 0;
    if (state.writtenSincePrune > this.maxBytes / 10 || this.now() - (Number(state.lastPrune) || 0) > DAY_MS) {
      await this.prune();
      state.writtenSincePrune = 0;
      state.lastPrune = this.now();
    }
    await writeFile(statePath, JSON.stringify(state)).catch(() => undefined);
  }

  /** Drop entries unused for MAX_AGE_DAYS, then the least recently used until under 80% of the bound. */
  async prune(): Promise<{ removed: number; kept: number; bytes: number }> {
    const files: { path: string; size: number; mtime: number }[] = [];
    const shards = await readdir(this.entries, { withFileTypes: true }).catch(() => []);
    for (const shard of shards.filter((s) => s.isDirectory())) {
      const dir = join(this.entries, shard.name);
      for (const name of await readdir(dir).catch((): string[] => [])) {
        const path = join(dir, name);
        const s = await stat(path).catch(() => undefined);
        if (s) files.push({ path, size: s.size, mtime: s.mtimeMs });
      }
    }
    const cutoff = this.now() - MAX_AGE_DAYS * DAY_MS;
    // Leftover temp files of a run that died are garbage too.
    const stale = (f: (typeof files)[number]) => f.mtime < cutoff || (f.path.endsWith('.tmp') && f.mtime < this.now() - DAY_MS);
    const fresh = files.filter((f) => !stale(f)).sort((a, b) => b.mtime - a.mtime);
    const total = fresh.reduce((sum, f) => sum + f.size, 0);
    const limit = total > this.maxBytes ? this.maxBytes * 0.8 : Infinity;
    const keep = new Set<string>();
    let bytes = 0;
    for (const file of fresh) {
      if (bytes + file.size > limit) break;
      bytes += file.size;
      keep.add(file.path);
    }
    let removed = 0;
    for (const file of files) {
      if (keep.has(file.path) || file.path.endsWith(STATE_FILE)) continue;
      await unlink(file.path).catch(() => undefined);
      removed++;
    }
    const kept = [...keep];
    return { removed, kept: kept.length, bytes };
  }
}

/**
 * Which build of threadlint this is. The engine's keys carry the version, but a checkout
 * rebuilt after a rule changed keeps its version: the time this module was built (tsc
 * rewrites every file) tells the builds apart, and an installed package keeps it fixed.
 */
async function buildId(): Promise<string> {
  const built = await stat(fileURLToPath(import.meta.url)).then((s) => Math.floor(s.mtimeMs), () => 0);
  return built.toString(36);
}

async function writeIfMissing(path: string, text: string): Promise<void> {
  await writeFile(path, text, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}
