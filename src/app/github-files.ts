/**
 * What a pull request changed and the head contents of those files. Contents come
 * from GraphQL, many blobs per query (aliases over `object(expression: "sha:path")`),
 * so a 120-file PR costs three requests, not 120; a blob GraphQL will not return as
 * text (truncated) falls back to the REST blob endpoint. Sizes are known before any
 * text is asked for (from the tree listing, else one size-only query), so a file over
 * the limit is never downloaded and no answer grows past a few MB.
 */
import pLimit from 'p-limit';
import type { SourceFile } from '../lint/index.js';
import type { SkippedFile } from './check-run.js';
import type { GitHub, RepoRef } from './github.js';

/** GitHub lists at most this many files of a pull request. */
export const MAX_LISTED_FILES = 3000;
export const BLOBS_PER_QUERY = 50;
/** Bytes of text asked for in one GraphQL answer. */
const BYTES_PER_QUERY = 4 * 1024 * 1024;
/** Files bigger than this are not fetched: nobody reviews a 2 MB Python file inline. */
export const MAX_FILE_BYTES = 2_000_000;

export interface ChangedFile {
  path: string;
  previousPath?: string;
  /** GitHub's status: added, removed, modified, renamed, copied, changed, unchanged. */
  status: string;
  blobSha: string;
  /** Added plus deleted lines; 0 for a pure rename. */
  changes: number;
  /** Absent when GitHub did not send one (diff too large, binary). */
  patch?: string;
}

/** Every page of `GET /pulls/{n}/files` (100 per page; GitHub stops at 3000 files). */
export async function listChangedFiles(github: GitHub, repo: RepoRef, pullNumber: number): Promise<ChangedFile[]> {
  const files = await github.paginate(github.rest.pulls.listFiles, { ...repo, pull_number: pullNumber, per_page: 100 });
  return files.map((f) => ({
    path: f.filename,
    ...(f.previous_filename ? { previousPath: f.previous_filename } : {}),
    status: f.status,
    blobSha: f.sha ?? '',
    changes: f.changes,
    ...(typeof f.patch === 'string' ? { patch: f.patch } : {}),
  }));
}

interface BlobNode {
  text: string | null;
  isBinary: boolean | null;
  isTruncated: boolean;
  byteSize: number;
}

interface SizeNode {
  isBinary: boolean | null;
  byteSize: number;
}

/** One query fetching `expressions.length` blobs, each under alias `f<i>` via variable `$e<i>`. */
export function blobsQuery(count: number): string {
  const vars = Array.from({ length: count }, (_, i) => `$e${i}: String!`).join(', ');
  const fields = Array.from(
    { length: count },
    (_, i) => `f${i}: object(expression: $e${i}) { ... on Blob { text isBinary isTruncated byteSize } }`,
  ).join('\n    ');
  return `query threadlintBlobs($owner: String!, $name: String!, ${vars}) {\n  repository(owner: $owner, name: $name) {\n    ${fields}\n  }\n}`;
}

/** Like `blobsQuery`, without the text: how big each file is, before downloading it. */
export function sizesQuery(count: number): string {
  const vars = Array.from({ length: count }, (_, i) => `$e${i}: String!`).join(', ');
  const fields = Array.from({ length: count }, (_, i) => `f${i}: object(expression: $e${i}) { ... on Blob { isBinary byteSize } }`).join('\n    ');
  return `query threadlintSizes($owner: String!, $name: String!, ${vars}) {\n  repository(owner: $owner, name: $name) {\n    ${fields}\n  }\n}`;
}

export interface FetchedContents {
  files: SourceFile[];
  skipped: SkippedFile[];
}

/** Chunks of at most `size` items and about `maxBytes` bytes (one big item alone is fine). */
export function chunks<T>(items: readonly T[], size: number, bytesOf: (item: T) => number = () => 0, maxBytes = Infinity): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= size || bytes + bytesOf(item) > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += bytesOf(item);
  }
  if (current.length > 0) out.push(current);
  return out;
}

const tooLarge = (bytes: number): string => `too large (${bytes} bytes, limit ${MAX_FILE_BYTES}): not downloaded`;

/**
 * Head contents of `files` at `headSha`. A file that cannot be read (gone, binary,
 * too large) is reported in `skipped`, never fatal for the others. `knownSizes` (from
 * the tree listing) saves the size-only query for the files it names.
 */
export async function fetchContents(
  github: GitHub,
  repo: RepoRef,
  headSha: string,
  files: readonly ChangedFile[],
  options: { perQuery?: number; concurrency?: number; knownSizes?: ReadonlyMap<string, number> } = {},
): Promise<FetchedContents> {
  const limit = pLimit(options.concurrency ?? 2);
  const perQuery = options.perQuery ?? BLOBS_PER_QUERY;
  const result: FetchedContents = { files: [], skipped: [] };
  const sizes = new Map<string, number>();
  const unsized: ChangedFile[] = [];
  for (const file of files) {
    const known = options.knownSizes?.get(file.path);
    if (known === undefined) unsized.push(file);
    else sizes.set(file.path, known);
  }

  const expressionVariables = (chunk: readonly ChangedFile[]): Record<string, string> => {
    const variables: Record<string, string> = { owner: repo.owner, name: repo.repo };
    chunk.forEach((f, i) => (variables[`e${i}`] = `${headSha}:${f.path}`));
    return variables;
  };
  const notFound = (file: ChangedFile): SkippedFile => ({ path: file.path, reason: `not found at ${headSha.slice(0, 7)} (not a regular file)` });

  const gone = new Set<string>();
  await Promise.all(
    chunks(unsized, perQuery).map((chunk) =>
      limit(async () => {
        const data = await github.graphql<{ repository: Record<string, SizeNode | null> }>(sizesQuery(chunk.length), expressionVariables(chunk));
        chunk.forEach((file, i) => {
          const blob = data.repository[`f${i}`];
          if (!blob || typeof blob.byteSize !== 'number') {
            result.skipped.push(notFound(file));
            gone.add(file.path);
          } else if (blob.isBinary) {
            result.skipped.push({ path: file.path, reason: 'binary file' });
            gone.add(file.path);
          } else sizes.set(file.path, blob.byteSize);
        });
      }),
    ),
  );

  const wanted: ChangedFile[] = [];
  for (const file of files) {
    if (gone.has(file.path)) continue;
    const size = sizes.get(file.path) ?? 0;
    if (size > MAX_FILE_BYTES) result.skipped.push({ path: file.path, reason: tooLarge(size) });
    else wanted.push(file);
  }

  const fallbacks: ChangedFile[] = [];
  await Promise.all(
    chunks(wanted, perQuery, (f) => sizes.get(f.path) ?? 0, BYTES_PER_QUERY).map((chunk) =>
      limit(async () => {
        const data = await github.graphql<{ repository: Record<string, BlobNode | null> }>(blobsQuery(chunk.length), expressionVariables(chunk));
        chunk.forEach((file, i) => {
          const blob = data.repository[`f${i}`];
          if (!blob) result.skipped.push(notFound(file));
          else if (blob.isBinary) result.skipped.push({ path: file.path, reason: 'binary file' });
          else if (blob.byteSize > MAX_FILE_BYTES) result.skipped.push({ path: file.path, reason: tooLarge(blob.byteSize) });
          else if (blob.text === null || blob.isTruncated) fallbacks.push(file);
          else result.files.push({ path: file.path, content: blob.text });
        });
      }),
    ),
  );

  await Promise.all(
    fallbacks.map((file) =>
      limit(async () => {
        const { data } = await github.rest.git.getBlob({ ...repo, file_sha: file.blobSha });
        const bytes = Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8');
        result.files.push({ path: file.path, content: new Uint8Array(bytes) });
      }),
    ),
  );
  // Keep the PR's file order so the engine, the summary and the tests see a stable order.
  const order = new Map(files.map((f, i) => [f.path, i]));
  result.files.sort((a, b) => order.get(a.path)! - order.get(b.path)!);
  result.skipped.sort((a, b) => (order.get(a.path) ?? 0) - (order.get(b.path) ?? 0));
  return result;
}
