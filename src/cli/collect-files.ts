import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isPathIncluded } from '../config/resolve.js';
import type { FileNote, ThreadlintConfig } from '../lint/index.js';
import { UsageError } from './errors.js';
import { GitignoreRules } from './gitignore.js';

/**
 * Folders never entered while walking a folder: version control, virtualenvs,
 * dependencies and caches hold no code under review and can be huge. Hidden folders
 * (name starting with ".") are skipped too. A folder named on the command line is
 * always entered.
 */
import { SKIPPED_DIRS } from './constants.js';

export { SKIPPED_DIRS };

export interface CollectOptions {
  /** The folder the config's globs are relative to. */
  root: string;
  /** With it, `.gitignore` files from there down are respected while walking. */
  repositoryRoot: string | null;
  /** Respect `.gitignore` (default true). */
  gitignore?: boolean;
}

export interface CollectedFiles {
  /** Absolute paths, sorted, no duplicates. */
  files: string[];
  /** Explicitly named files left out by `paths.exclude` (path relative to cwd). */
  notes: FileNote[];
}

function slashes(path: string): string {
  return path.split(sep).join('/');
}

/**
 * The path the config's globs see: relative to the project root, or, for a path outside
 * it (`check ../other`), relative to the folder named on the command line.
 */
function globPath(root: string, named: string, absolute: string): string {
  const path = slashes(relative(root, absolute));
  return path === '..' || path.startsWith('../') || isAbsolute(path) ? slashes(relative(named, absolute)) : path;
}

function skipDir(entry: Dirent): boolean {
  return entry.name.startsWith('.') || SKIPPED_DIRS.includes(entry.name);
}

/**
 * A file named on the command line: checked whatever its name (like ruff, `include`
 * does not apply, nor does `.gitignore`), unless `paths.exclude` matches it.
 */
function explicitFileIncluded(config: ThreadlintConfig, path: string): boolean {
  return isPathIncluded({ ...config, paths: { include: ['**'], exclude: config.paths.exclude } }, path);
}

interface Walk {
  config: ThreadlintConfig;
  root: string;
  named: string;
  out: Set<string>;
}

async function walk(w: Walk, dir: string, ignored: GitignoreRules): Promise<void> {
  const rules = await ignored.enter(dir);
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const absolute = join(dir, entry.name);
    // Symlinked folders are not followed (cycles); symlinked files are.
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) isFile = await stat(absolute).then((s) => s.isFile(), () => false);
    if (entry.isDirectory()) {
      if (!skipDir(entry) && !rules.ignores(absolute, true)) await walk(w, absolute, rules);
    } else if (isFile && isPathIncluded(w.config, globPath(w.root, w.named, absolute)) && !rules.ignores(absolute, false)) {
      w.out.add(absolute);
    }
  }
}

/**
 * Expand the command-line paths into the files to analyse. Every path must exist: a
 * missing one is a usage error (exit 2), since a typo would otherwise pass silently.
 */
export async function collectFiles(cwd: string, args: string[], config: ThreadlintConfig, options: CollectOptions): Promise<CollectedFiles> {
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
      const ignored = options.gitignore === false ? GitignoreRules.off : await GitignoreRules.above(absolute, options.repositoryRoot);
      await walk({ config, root: options.root, named: absolute, out: found }, absolute, ignored);
    } else if (explicitFileIncluded(config, globPath(options.root, dirname(absolute), absolute))) {
      found.add(absolute);
    } else {
      notes.push({ path: slashes(relative(cwd, absolute)), kind: 'excluded', message: 'excluded by paths.exclude in the config; not analysed' });
    }
  }
  if (missing.length > 0) {
    throw new UsageError(`no such file or directory: ${missing.join(', ')}`);
  }
  return { files: [...found].sort(), notes };
}
