import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { diffByNewPath } from '../diff/filter.js';
import { DiffParseError, parseUnifiedDiff } from '../diff/parse.js';
import type { DiffFile } from '../lint/index.js';
import { UsageError } from './errors.js';
import { gitDiff } from './git.js';
import { readAllText, type CliIO } from './io.js';

export type DiffMap = Map<string, DiffFile>;

/**
 * Where changed lines come from: a diff file, stdin (`--diff -`) or `git diff REV`.
 * Returns a loader, because `--fix` asks again after rewriting files: git then sees the
 * new working tree, while a diff file or stdin is read once and reused.
 */
export function diffLoader(io: CliIO, opts: { diff?: string; base?: string }): () => Promise<DiffMap | undefined> {
  if (opts.base !== undefined) {
    const rev = opts.base;
    return async () => parseDiff(await gitDiff(io.cwd, rev), `git diff ${rev}`);
  }
  if (opts.diff !== undefined) {
    const source = opts.diff;
    let cached: Promise<DiffMap> | undefined;
    return () => (cached ??= readDiffText(io, source).then((text) => parseDiff(text, source === '-' ? 'stdin' : source)));
  }
  return async () => undefined;
}

async function readDiffText(io: CliIO, source: string): Promise<string> {
  if (source === '-') return readAllText(io.stdin);
  try {
    return await readFile(resolve(io.cwd, source), 'utf8');
  } catch (e) {
    throw new UsageError(`--diff: cannot read ${source}: ${(e as Error).message}`);
  }
}

function parseDiff(text: string, origin: string): DiffMap {
  try {
    return diffByNewPath(parseUnifiedDiff(text));
  } catch (e) {
    if (e instanceof DiffParseError) throw new UsageError(`cannot read the diff from ${origin}: ${e.message}`);
    throw e;
  }
}
