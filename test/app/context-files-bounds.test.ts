/**
 * `loadContext` against a scripted GitHub client: the byte bound (read from the tree
 * listing's sizes, before any blob is asked for), queries that fail part way, blobs
 * GitHub does not return, the tree cache shared by pull requests at one head, and the
 * in-memory analysis cache's copies and bound.
 */
import { AnalysisCache, ContextCache, loadContext, type TreeEntry } from '../../src/app/context-files.js';
import type { GitHub } from '../../src/app/github.js';
import { DEFAULT_CONFIG, type FileAnalysis } from '../../src/lint/index.js';

const REPO = { owner: 'octo', repo: 'ingest' };
const HEAD = 'c'.repeat(40);

interface Script {
  tree: TreeEntry[];
  treeSha?: string;
  /** Text of each blob by SHA; absent: GitHub answers `null` for it. */
  texts: Map<string, string>;
  /** Queries (1-based) that fail. */
  failingQueries?: number[];
}

function scripted(script: Script) {
  const queries: string[][] = [];
  const github = {
    request: async () => ({
      data: { sha: script.treeSha ?? 't'.repeat(40), truncated: false, tree: script.tree.map((e) => ({ path: e.path, type: 'blob', sha: e.sha, size: e.size })) },
    }),
    graphql: async (_query: string, variables: Record<string, string>) => {
      const shas = Object.entries(variables).filter(([k]) => /^o\d+$/.test(k)).map(([, v]) => v);
      queries.push(shas);
      if (script.failingQueries?.includes(queries.length)) throw Object.assign(new Error('Something went wrong\n while executing your query'), { status: 502 });
      const repository: Record<string, unknown> = {};
      shas.forEach((sha, i) => {
        const text = script.texts.get(sha);
        repository[`b${i}`] = text === undefined ? null : { text, isBinary: false };
      });
      return { repository };
    },
  } as unknown as GitHub;
  return { github, queries };
}

function repoOf(count: number, size: (i: number) => number = () => 20): Script {
  const tree: TreeEntry[] = [];
  const texts = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const sha = i.toString(16).padStart(40, '0');
    tree.push({ path: `ingest/m${i}.py`, sha, size: size(i) });
    texts.set(sha, `VALUE_${i} = ${i}\n`);
  }
  return { tree, texts };
}

const load = (github: GitHub, changed: string[], cache = new ContextCache()) => loadContext(github, REPO, HEAD, DEFAULT_CONFIG, new Set(changed), { cache });

test('over 50 MB by the listing’s sizes: no blob is asked for, one line says why', async () => {
  // 27 other files of 1.99 MB: each under the 2 MB per-file limit, together over 50 MB.
  const script = repoOf(28, () => 1_990_000);
  const { github, queries } = scripted(script);
  const result = await load(github, ['ingest/m0.py']);
  expect(queries).toEqual([]);
  expect(result.files).toEqual([]);
  expect(result.remark).toBe('Context: the repository has 27 other Python files (51 MB), over the bound of 5000 files / 50 MB; only the changed files were analysed (cross-file rules see less).');
  expect(result.remark).not.toContain('\n');
});

test('just under 50 MB: every file is read', async () => {
  const script = repoOf(26, () => 2_000_000);
  const { github, queries } = scripted(script);
  const result = await load(github, ['ingest/m0.py']);
  expect(result.files).toHaveLength(25);
  expect(queries.flat()).toHaveLength(25);
  expect(result.remark).toBeUndefined();
});

test('a query that fails leaves its blobs unread, keeps the others, and says how many in one line', async () => {
  const script = { ...repoOf(121), failingQueries: [2] };
  const { github, queries } = scripted(script);
  const cache = new ContextCache();
  const result = await load(github, ['ingest/m0.py'], cache);
  expect(queries.map((q) => q.length)).toEqual([50, 50, 20]);
  expect(result.files).toHaveLength(70);
  expect(result.fetched).toBe(70);
  expect(result.remark).toBe('Context: 50 of 120 other Python files could not be read from GitHub (HTTP 502: Something went wrong while executing your query); the other 70 were read for cross-file facts (cross-file rules see less).');

  // The unread ones are asked for again next time; the read ones come from the cache.
  const again = await load(scripted({ ...script, failingQueries: [] }).github, ['ingest/m0.py'], cache);
  expect(again.files).toHaveLength(120);
  expect(again.fetched).toBe(50);
  expect(again.remark).toBeUndefined();
});

test('a blob GitHub answers null for is left out and counted', async () => {
  const script = repoOf(4);
  script.texts.delete(script.tree[2].sha);
  const result = await load(scripted(script).github, ['ingest/m0.py']);
  expect(result.files.map((f) => f.path)).toEqual(['ingest/m1.py', 'ingest/m3.py']);
  expect(result.remark).toBe('Context: 1 of 3 other Python files could not be read from GitHub; the other 2 were read for cross-file facts (cross-file rules see less).');
});

test('two pull requests at the same head tree each get the other’s changed files as context', async () => {
  const script = repoOf(3);
  const cache = new ContextCache();
  const first = await load(scripted(script).github, ['ingest/m0.py'], cache);
  const second = await load(scripted(script).github, ['ingest/m1.py'], cache);
  expect(first.files.map((f) => f.path)).toEqual(['ingest/m1.py', 'ingest/m2.py']);
  expect(second.files.map((f) => f.path)).toEqual(['ingest/m0.py', 'ingest/m2.py']);
});

test('the same tree under a config that excludes more: the excluded files are not context', async () => {
  const script = repoOf(3);
  const cache = new ContextCache();
  await load(scripted(script).github, ['ingest/m0.py'], cache);
  const config = { ...DEFAULT_CONFIG, paths: { ...DEFAULT_CONFIG.paths, exclude: ['ingest/m2.py'] } };
  const after = await loadContext(scripted(script).github, REPO, HEAD, config, new Set(['ingest/m0.py']), { cache });
  expect(after.files.map((f) => f.path)).toEqual(['ingest/m1.py']);
});

describe('AnalysisCache', () => {
  const analysis = (path: string, padding = 0): FileAnalysis => ({
    path,
    findings: [],
    notes: [],
    facts: { TL106: { declared: ['x'.repeat(padding)] } },
    suppressions: [{ line: 1, column: 1, endColumn: 20, ids: ['TL106'], fileLevel: false, used: [] }],
    analysed: true,
  });

  test('a result is copied in and out: marks made by one run never reach the next', () => {
    const cache = new AnalysisCache(1024 * 1024);
    const stored = analysis('a.py');
    cache.set('k', stored);
    stored.suppressions[0].used.push('TL106');
    const first = cache.get('k')!;
    expect(first.suppressions[0].used).toEqual([]);
    first.suppressions[0].used.push('TL106');
    expect(cache.get('k')!.suppressions[0].used).toEqual([]);
    expect([cache.hits, cache.misses]).toEqual([2, 0]);
    expect(cache.get('other')).toBeUndefined();
    expect(cache.misses).toBe(1);
  });

  test('bounded by the size of the results: the least recently used go first', () => {
    const cache = new AnalysisCache(10_000);
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, analysis(`m${i}.py`, 2_000));
    expect(cache.size).toBeLessThanOrEqual(4);
    expect(cache.get('k9')).toBeDefined();
    expect(cache.get('k0')).toBeUndefined();
  });
});
