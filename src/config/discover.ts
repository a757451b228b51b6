/**
 * Finds the config file the CLI should use. Only the given directory is searched
 * (no walking up to parent folders): `threadlint check` is run from the repository
 * root in CI and pre-commit, and a config picked up from some parent directory
 * would be a surprise. `--config FILE` covers every other layout.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parseConfigText, type ConfigFormat, type ConfigResult } from './load.js';

export interface DiscoveredConfig {
  /** `join(cwd, name)`: relative when cwd is relative (e.g. "."). */
  path: string;
  text: string;
  format: ConfigFormat;
}

const YAML_CANDIDATES = ['.github/threadlint.yml', 'threadlint.yml'];

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Whether pyproject.toml holds threadlint settings. A file that does not parse still
 * counts when a `[tool.threadlint…]` header is visible, so its syntax error is
 * reported instead of being silently ignored.
 */
export function hasThreadlintTable(text: string): boolean {
  try {
    const tool = parseToml(text).tool as Record<string, unknown> | undefined;
    return tool?.threadlint !== undefined;
  } catch {
    return /^\s*\[\s*tool\s*\.\s*threadlint\s*[.\]]/m.test(text);
  }
}

/** First of `.github/threadlint.yml`, `threadlint.yml`, `pyproject.toml` with `[tool.threadlint]`. */
export async function discoverConfig(cwd: string): Promise<DiscoveredConfig | null> {
  for (const name of YAML_CANDIDATES) {
    const path = join(cwd, name);
    const text = await readIfExists(path);
    if (text !== null) return { path, text, format: 'yaml' };
  }
  const path = join(cwd, 'pyproject.toml');
  const text = await readIfExists(path);
  return text !== null && hasThreadlintTable(text) ? { path, text, format: 'pyproject' } : null;
}

/** Loads `--config FILE`: `*.toml` is read as pyproject (`[tool.threadlint]`), anything else as YAML. */
export async function loadConfigFile(path: string, knownRuleIds: string[]): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    return { ok: false, errors: [{ source: path, key: '', message: `cannot read config: ${reason}` }] };
  }
  const format: ConfigFormat = basename(path).toLowerCase().endsWith('.toml') ? 'pyproject' : 'yaml';
  return parseConfigText(text, path, format, knownRuleIds);
}
