import { relative, resolve } from 'node:path';
import { discover, loadConfigFile, parseDiscovered } from '../config/discover.js';
import { formatConfigError, type ConfigResult } from '../config/load.js';
import { DEFAULT_CONFIG, type ThreadlintConfig } from '../lint/index.js';
import { UsageError } from './errors.js';

export interface CliConfig {
  config: ThreadlintConfig;
  /** Absolute path of the config file, or undefined for the defaults. */
  source?: string;
  /**
   * The folder the config's globs (paths, tests, per-file-ignores) are relative to: the
   * discovered config's project folder; with `--config` or no config, the working directory.
   */
  root: string;
  /** The enclosing git repository's root, if any (for `.gitignore` files above the walk). */
  repositoryRoot: string | null;
}

/**
 * The config the CLI runs with: `--config FILE` if given, else the nearest one found by
 * discovery, else the defaults (with `requires-python` of the nearest pyproject.toml). A
 * config with errors stops the run (DESIGN.md: nothing is analysed with a config the tool
 * did not understand).
 */
export async function loadCliConfig(cwd: string, configFlag: string | undefined, knownRuleIds: string[]): Promise<CliConfig> {
  const found = await discover(cwd);
  let result: ConfigResult;
  let root = resolve(cwd);
  if (configFlag !== undefined) {
    result = await loadConfigFile(resolve(cwd, configFlag), knownRuleIds);
  } else if (found.config) {
    result = parseDiscovered(found.config, knownRuleIds);
    root = found.config.root;
  } else {
    const config = found.pythonVersion ? { ...DEFAULT_CONFIG, python_version: found.pythonVersion } : DEFAULT_CONFIG;
    return { config, root, repositoryRoot: found.repositoryRoot };
  }
  if (!result.ok) {
    // Name the file as the user knows it: relative to the working directory.
    const lines = result.errors.map((e) => formatConfigError({ ...e, source: relative(cwd, e.source) || e.source }));
    throw new UsageError('invalid configuration', lines);
  }
  return { config: result.config, source: result.source, root, repositoryRoot: found.repositoryRoot };
}
