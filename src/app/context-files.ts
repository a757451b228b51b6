/**
 * The rest of the repository at the head commit, for cross-file facts only (the engine
 * never reports on context files). One tree listing names every file with its blob SHA
 * and size; Python files per `paths` are read 50 blobs per GraphQL query, by blob SHA.
 *
 * Bounded: past `maxFiles` files or `maxBytes` bytes (default 5,000 / 50 MB), or when
 * GitHub truncates the listing, no context is read and the summary says so. Cached:
 * blobs by their SHA and whole contexts by tree SHA, so the next push of a pull request
 * reads only the files that changed; and each file's analysis by its job key (content,
 * config, version), so the next push analyses only the files that changed.
 *
 * The listing's sizes also tell the caller how big each changed file is before it is
 * downloaded.
 */
import { LRUCache } from 'lru-cache';
import { isPathIncluded } from '../config/resolve.js';
import type { FileAnalysis, ResultCache, SourceFile, ThreadlintConfig } from '../lint/index.js';
import { describeError } from './errors.js';
import type { GitHub, RepoRef } from './github.js';
import { chunks, MAX_FILE_BYTES } from './github-files.js';

export const CONTEXT_MAX_FILES = 5000;
export const CONTEXT_MAX_BYTES = 50 * 1024 * 1024;
const BLOBS_PER_QUERY = 50;
/** Bytes of text asked for in one GraphQL answer, so no answer grows past a few MB. */
const BYTES_PER_QUERY = 4 * 1024 * 1024;

export interface TreeEntry {
  path: string;
  sha: string;
  size: number;
}

export interface ContextResult {
  files: SourceFile[];
  /** Size and blob SHA of every file in the listing, changed files included. */
  entries: Map<string, TreeEntry>;
  /** Said in the check run summary when context was cut or left out. */
  remark?: string;
  /** Blobs read from GitHub this time (the rest came from the cache). */
  fetched: number;
}

export interface ContextCacheOptions {
  /** Bytes of blob text kept across runs. Default 64 MB. */
  maxBytes?: number;
  /** Per-file analyses kept across runs, in characters of their JSON form (about a third of their heap). Default 16 MB. */
  maxAnalysisBytes?: number;
}

/**
 * Per-file analyses in memory, bounded by the size of their JSON form. The engine's
 * project step marks suppressions used on the results it is handed, so each result is
 * copied in and copied out: a run never sees another run's marks.
 */
export class AnalysisCache implements ResultCache {
  private readonly entries: LRUCache<string, FileAnalysis>;
  hits = 0;
  misses = 0;
  constructor(maxBytes: number) {
    this.entries = new LRUCache<string, FileAnalysis>({ maxSize: maxBytes, sizeCalculation: (value) => Math.max(1, JSON.stringify(value).length) });
  }
  get(key: string): FileAnalysis | undefined {
    const value = this.entries.get(key);
    if (value) this.hits++;
    else this.misses++;
    return value && structuredClone(value);
  }
  set(key: string, value: FileAnalysis): void {
    this.entries.set(key, structuredClone(value));
  }
  get size(): number {
    return this.entries.size;
  }
}

/** One per process: blob texts by SHA, contexts by tree SHA, analyses by job key. */
export class ContextCache {
  readonly blobs: LRUCache<string, string>;
  readonly trees = new LRUCache<string, TreeEntry[]>({ max: 200 });
  readonly analyses: AnalysisCache;
  constructor(options: ContextCacheOptions = {}) {
    this.blobs = new LRUCache<string, string>({
      maxSize: options.maxBytes ?? 64 * 1024 * 1024,
      sizeCalculation: (text) => Math.max(1, text.length),
    });
    this.analyses = new AnalysisCache(options.maxAnalysisBytes ?? 16 * 1024 * 1024);
  }
}

interface TreeResponse {
  sha: string;
  truncated: boolean;
  tree: { path?: string; type?: string; sha?: string; size?: number }[];
}

export interface ContextOptions {
  maxFiles?: number;
  maxBytes?: number;
  cache: ContextCache;
}

const mb = (bytes: number): string => `${Math.round(bytes / 1024 / 1024)} MB`;

const SEE_LESS = 'cross-file rules see less';

/** An error as it reads in one line of the summary (GraphQL errors come as a list). */
const oneLine = (error: unknown): string => describeError(error).replace(/\s+/g, ' ').trim();

/**
 * Lists the head tree once; reads the context files unless they are over the bounds.
 * Context never fails a review: a listing or blobs GitHub does not give leave the
 * review with what was read, and the summary says so.
 */
export async function loadContext(
  github: GitHub,
  repo: RepoRef,
  headSha: string,
  config: ThreadlintConfig,
  changedPaths: ReadonlySet<string>,
  options: ContextOptions,
): Promise<ContextResult> {
  const maxFiles = options.maxFiles ?? CONTEXT_MAX_FILES;
  const maxBytes = options.maxBytes ?? CONTEXT_MAX_BYTES;
  let tree: TreeResponse;
  try {
    const { data } = await github.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
      ...repo,
      tree_sha: headSha,
      recursive: '1',
    });
    tree = data as unknown as TreeResponse;
  } catch (error) {
    // Without the listing, changed files' sizes are asked for one by one; context is what is lost.
    const remark = config.context ? `Context: the repository listing could not be read (${oneLine(error)}), so only the changed files were analysed (${SEE_LESS}).` : undefined;
    return { files: [], entries: new Map(), fetched: 0, remark };
  }
  const entries = new Map<string, TreeEntry>();
  for (const item of tree.tree) {
    if (item.type === 'blob' && item.path && item.sha) entries.set(item.path, { path: item.path, sha: item.sha, size: item.size ?? 0 });
  }
  if (!config.context) return { files: [], entries, fetched: 0 };
  if (tree.truncated) {
    return { files: [], entries, fetched: 0, remark: `Context: GitHub truncated the repository listing, so only the changed files were analysed (${SEE_LESS}).` };
  }

  // Cached per tree and path selection, before the changed files are taken out: another
  // pull request (or a re-run after the base moved) at the same head changes other files.
  const treeKey = `${tree.sha}\0${JSON.stringify(config.paths)}`;
  let candidates = options.cache.trees.get(treeKey);
  if (!candidates) {
    candidates = [...entries.values()].filter((e) => e.size <= MAX_FILE_BYTES && isPathIncluded(config, e.path));
    options.cache.trees.set(treeKey, candidates);
  }
  const wanted = candidates.filter((e) => !changedPaths.has(e.path));
  const total = wanted.reduce((sum, e) => sum + e.size, 0);
  if (wanted.length > maxFiles || total > maxBytes) {
    return {
      files: [],
      entries,
      fetched: 0,
      remark:
        `Context: the repository has ${wanted.length} other Python files (${mb(total)}), over the bound of ${maxFiles} files / ${mb(maxBytes)}; ` +
        `only the changed files were analysed (${SEE_LESS}).`,
    };
  }

  const missing = wanted.filter((e) => !options.cache.blobs.has(e.sha));
  const { texts, unread, error } = await fetchBlobTexts(github, repo, missing);
  for (const [sha, text] of texts) options.cache.blobs.set(sha, text);
  const files: SourceFile[] = [];
  for (const entry of wanted) {
    const text = texts.get(entry.sha) ?? options.cache.blobs.get(entry.sha);
    if (text !== undefined) files.push({ path: entry.path, content: text });
  }
  const remark =
    unread > 0
      ? `Context: ${unread} of ${wanted.length} other Python files could not be read from GitHub${error ? ` (${error})` : ''}; ` +
        `the other ${files.length} were read for cross-file facts (${SEE_LESS}).`
      : undefined;
  return { files, entries, fetched: missing.length - unread, remark };
}

interface BlobText {
  text: string | null;
  isBinary: boolean | null;
}

/** One query reading blobs by SHA, each under alias `b<i>` via variable `$o<i>`. */
export function blobsByOidQuery(count: number): string {
  const vars = Array.from({ length: count }, (_, i) => `$o${i}: GitObjectID!`).join(', ');
  const fields = Array.from({ length: count }, (_, i) => `b${i}: object(oid: $o${i}) { ... on Blob { text isBinary } }`).join('\n    ');
  return `query threadlintContext($owner: String!, $name: String!, ${vars}) {\n  repository(owner: $owner, name: $name) {\n    ${fields}\n  }\n}`;
}

/** Blob texts by SHA. A query that fails leaves its blobs unread (counted), never the rest. */
async function fetchBlobTexts(github: GitHub, repo: RepoRef, entries: readonly TreeEntry[]): Promise<{ texts: Map<string, string>; unread: number; error?: string }> {
  const texts = new Map<string, string>();
  let unread = 0;
  let error: string | undefined;
  for (const chunk of chunks(entries, BLOBS_PER_QUERY, (e) => e.size, BYTES_PER_QUERY)) {
    const variables: Record<string, string> = { owner: repo.owner, name: repo.repo };
    chunk.forEach((e, i) => (variables[`o${i}`] = e.sha));
    let data: { repository: Record<string, BlobText | null> };
    try {
      data = await github.graphql<{ repository: Record<string, BlobText | null> }>(blobsByOidQuery(chunk.length), variables);
    } catch (failure) {
      unread += chunk.length;
      error ??= oneLine(failure);
      continue;
    }
    chunk.forEach((entry, i) => {
      const blob = data.repository?.[`b${i}`];
      if (!blob) unread++;
      else if (!blob.isBinary && typeof blob.text === 'string') texts.set(entry.sha, blob.text);
    });
  }
  return { texts, unread, error };
}
