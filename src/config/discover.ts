/**
 * Finds the config file the CLI should use, as Ruff does: from the working directory up
 * to the repository root (the nearest folder holding `.git`), the nearest folder with
 * `.github/threadlint.yml`, `threadlint.yml` or a `pyproject.toml` with
 * `[tool.threadlint]` wins (in that order within a folder). Outside a repository only
 * the working directory is searched, so a stray file in a parent folder (a home
 * directory, /tmp) never changes a run. `--config FILE` covers every other layout.
 *
 * The folder the config belongs to is the project root: its globs are relative to it.
 * `requires-python` of the project's pyproject.toml gives `python_version` when the
 * config does not set it.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parseConfigText, pythonVersionFromRequires, type ConfigFormat, type ConfigResult } from './load.js';

export interface DiscoveredConfig {
  /** Absolute path of the config file. */
  path: string;
  text: string;
  format: ConfigFormat;
  /** The folder the config's globs are relative to (for `.github/threadlint.yml`, the folder above `.github`). */
  root: string;
  /** `python_version` read from `requires-python`, for a config that does not set one. */
  pythonVersion?: string;
}

/** What discovery found besides a config file: where the search stopped and the project's Python version. */
export interface Discovery {
  config: DiscoveredConfig | null;
  /** The repository root, when the working directory is inside one. */
  repositoryRoot: string | null;
  /** From the nearest pyproject.toml's `requires-python`, when no config file was found. */
  pythonVersion?: string;
}

const YAML_CANDIDATES = ['.github/threadlint.yml', 'threadlint.yml'];

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/**
 * `[tool.threadlint]`, `[tool.threadlint.rules]`, `[[tool.threadlint…`, a broken
 * `[tool.threadlint` missing its `]`, or a dotted `tool.threadlint.x = …` key: a header
 * that shows the file meant to configure threadlint, even when the TOML does not parse.
 */
const THREADLINT_HEADER = /^\s*(?:\[{1,2}\s*tool\s*\.\s*["']?threadlint\b|tool\s*\.\s*["']?threadlint["']?\s*[.=])/m;

/**
 * Whether pyproject.toml holds threadlint settings. A file that does not parse still
 * counts when a threadlint header is visible (even a broken one), so its syntax error
 * is reported instead of being silently ignored.
 */
export function hasThreadlintTable(text: string): boolean {
  try {
    const tool = parseToml(text).tool as Record<string, unknown> | undefined;
    return tool?.threadlint !== undefined;
  } catch {
    return THREADLINT_HEADER.test(text);
  }
}

/** `requires-python` of a pyproject.toml text as a `python_version`, if it parses and says one. */
export function pyprojectPythonVersion(text: string): string | undefined {
  try {
    const project = parseToml(text).project as Record<string, unknown> | undefined;
    return typeof project?.['requires-python'] === 'string' ? pythonVersionFromRequires(project['requires-python']) : undefined;
  } catch {
    return undefined;
  }
}

/** The nearest folder at or above `dir` holding `.git` (a folder, or a file for worktrees). */
export async function findRepositoryRoot(dir: string): Promise<string | null> {
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (await exists(join(current, '.git'))) return current;
    if (dirname(current) === current) return null;
  }
}

/** Folders searched: `cwd`, then each parent up to the repository root (only `cwd` outside one). */
function searchPath(cwd: string, repositoryRoot: string | null): string[] {
  const out = [resolve(cwd)];
  if (!repositoryRoot) return out;
  while (out[out.length - 1] !== repositoryRoot && dirname(out[out.length - 1]) !== out[out.length - 1]) {
    out.push(dirname(out[out.length - 1]));
  }
  return out;
}

async function configIn(dir: string): Promise<DiscoveredConfig | null> {
  const pyprojectText = await readIfExists(join(dir, 'pyproject.toml'));
  const pythonVersion = pyprojectText === null ? undefined : pyprojectPythonVersion(pyprojectText);
  for (const name of YAML_CANDIDATES) {
    const path = join(dir, name);
    const text = await readIfExists(path);
    if (text !== null) return { path, text, format: 'yaml', root: dir, pythonVersion };
  }
  if (pyprojectText !== null && hasThreadlintTable(pyprojectText)) {
    return { path: join(dir, 'pyproject.toml'), text: pyprojectText, format: 'pyproject', root: dir, pythonVersion };
  }
  return null;
}

/** Search for the config from `cwd` upwards (see the top of this file). */
export async function discover(cwd: string): Promise<Discovery> {
  const repositoryRoot = await findRepositoryRoot(cwd);
  let pythonVersion: string | undefined;
  let pyprojectSeen = false;
  for (const dir of searchPath(cwd, repositoryRoot)) {
    const config = await configIn(dir);
    if (config) return { config, repositoryRoot };
    if (!pyprojectSeen) {
      const text = await readIfExists(join(dir, 'pyproject.toml'));
      if (text !== null) {
        pyprojectSeen = true;
        pythonVersion = pyprojectPythonVersion(text);
      }
    }
  }
  return { config: null, repositoryRoot, pythonVersion };
}

/** The nearest config file from `cwd` upwards, or null. */
export async function discoverConfig(cwd: string): Promise<DiscoveredConfig | null> {
  return (await discover(cwd)).config;
}

/**
 * Loads `--config FILE`: `*.toml` is read as pyproject (`[tool.threadlint]`, which must be
 * there: a TOML file without it is an error, not an empty config), anything else as YAML.
 * A pyproject.toml next to a YAML file gives `python_version` from `requires-python`.
 */
export async function loadConfigFile(path: string, knownRuleIds: string[]): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    return { ok: false, errors: [{ source: path, key: '', message: `cannot read config: ${reason}` }] };
  }
  const format: ConfigFormat = basename(path).toLowerCase().endsWith('.toml') ? 'pyproject' : 'yaml';
  if (format === 'pyproject') return parseConfigText(text, path, format, knownRuleIds, { requireTable: true });
  const pyproject = await readIfExists(join(dirname(path), basename(dirname(path)) === '.github' ? '..' : '.', 'pyproject.toml'));
  const pythonVersion = pyproject === null ? undefined : pyprojectPythonVersion(pyproject);
  return parseConfigText(text, path, format, knownRuleIds, { pythonVersion });
}

/** Parses what `discover` found. */
export function parseDiscovered(found: DiscoveredConfig, knownRuleIds: string[]): ConfigResult {
  return parseConfigText(found.text, found.path, found.format, knownRuleIds, { pythonVersion: found.pythonVersion });
}
