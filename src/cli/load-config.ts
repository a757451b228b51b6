import { relative, resolve } from 'node:path';
import { discoverConfig, loadConfigFile } from '../config/discover.js';
import { formatConfigError, parseConfigText, type ConfigResult } from '../config/load.js';
import { DEFAULT_CONFIG, type ThreadlintConfig } from '../lint/index.js';
import { UsageError } from './errors.js';

/**
 * The config the CLI runs with: `--config FILE` if given, else the first file found by
 * discovery, else the defaults. A config with errors stops the run (DESIGN.md: nothing
 * is analysed with a config the tool did not understand).
 */
export async function loadCliConfig(
  cwd: string,
  configFlag: string | undefined,
  knownRuleIds: string[],
): Promise<ThreadlintConfig> {
  let result: ConfigResult;
  let absolute: string;
  if (configFlag !== undefined) {
    absolute = resolve(cwd, configFlag);
    result = await loadConfigFile(absolute, knownRuleIds);
  } else {
    const found = await discoverConfig(cwd);
    if (!found) return DEFAULT_CONFIG;
    absolute = resolve(cwd, found.path);
    result = parseConfigText(found.text, absolute, found.format, knownRuleIds);
  }
  if (!result.ok) {
    // Name the file as the user knows it: relative to the working directory.
    const shown = relative(cwd, absolute) || absolute;
    const lines = result.errors.map((e) => formatConfigError(e.source === absolute ? { ...e, source: shown } : e));
    throw new UsageError('invalid configuration', lines);
  }
  return result.config;
}
