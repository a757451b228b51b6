import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isPathIncluded } from '../config/resolve.js';
import type { FileNote, ThreadlintConfig } from '../lint/index.js';
import { UsageError } from './errors.js';

/**
 * Folders never entered while walking a folder: version control, virtualenvs,
 * dependencies and caches hold no code under review and can be huge. Hidden folders
 * (name starting with ".") are skipped too. A folder named on the command line is
 * always entered.
 */
export const SKIPPED_DIRS: readonly string[] = ['.git', 'node_modules', '.venv', 'venv', '__pycache__', '.tox'];

export interface CollectedFiles {
  /** Paths relative to cwd, forward slashes, sorted, no duplicates. */
  paths: string[];
  /** Explicitly named files left out by `paths.exclude`. */
  notes: FileNote[];
}

function toRelative(cwd: string, absolute: string): string {
  return relative(cwd, absolute).split(sep).join('/');
}

/**
 * The path the config's globs see: relative to cwd, or, for a path outside cwd
 * (`check ../other`), relative to the folder named on the command line.
 */
function globPath(cwd: string, root: string, absolute: string): string {
  const path = toRelative(cwd, absolute);
  return path === '..' || path.startsWith('../') || isAbsolute(path) ? toRelative(root, absolute) : path;
}

function skipDir(entry: Dirent): boolean {
  return entry.name.startsWith('.') || SKIPPED_DIRS.includes(entry.name);
}

/**
 * A file named on the command line: checked whatever its name (like ruff, `include`
 * does not apply), unless `paths.exclude` matches it.
 */
function explicitFileIncluded(config: ThreadlintConfig, path: string): boolean {
  return isPathIncluded({ ...config, paths: { include: ['**'], exclude: config.paths.exclude } }, path);
}

async function walk(cwd: string, root: string, dir: string, config: ThreadlintConfig, out: Set<string>): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const absolute = join(dir, entry.name);
    // Symlinked folders are not followed (cycles); symlinked files are.
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) isFile = await stat(absolute).then((s) => s.isFile(), () => false);
    if (entry.isDirectory()) {
      if (!skipDir(entry)) await walk(cwd, root, absolute, config, out);
    } else if (isFile && isPathIncluded(config, globPath(cwd, root, absolute))) {
      out.add(toRelative(cwd, absolute));
    }
  }
}

/**
 * Expand the command-line paths into the files to analyse. Every path must exist: a
 * missing one is a usage error (exit 2), since a typo would otherwise pass silently.
 */
export async function collectFiles(cwd: string, args: string[], config: ThreadlintConfig): Promise<CollectedFiles> {
  const found = new Set<string>();
  const notes: FileNote[] = [];
  const missing: string[] = [];
  const targets = await Promise.all(
    args.map(async (arg) => ({ arg, absolute: resolve(cwd, arg), stats: await stat(resolve(cwd, arg)).catch(() => null) })),
  );
  for (const { arg, absolute, stats } of targets) {
    if (!stats) {
      missing.push(arg);
    } else if (stats.isDirectory()) {
      await walk(cwd, absolute, absolute, config, found);
    } else {
      const path = toRelative(cwd, absolute);
      if (explicitFileIncluded(config, globPath(cwd, dirname(absolute), absolute))) found.add(path);
      else notes.push({ path, kind: 'excluded', message: 'excluded by paths.exclude in the config; not analysed' });
    }
  }
  if (missing.length > 0) {
    throw new UsageError(`no such file or directory: ${missing.join(', ')}`);
  }
  return { paths: [...found].sort(), notes };
}
