import { relative } from 'node:path';
import { stringify } from 'yaml';
import type { ThreadlintConfig } from '../lint/index.js';

export interface Settings {
  cwd: string;
  configFile?: string;
  root: string;
  files: readonly string[];
  select?: readonly string[];
  ignore?: readonly string[];
  jobs: number;
  cacheDir?: string;
  config: ThreadlintConfig;
}

/** `--show-settings`: where the settings came from and what they resolved to, as YAML. */
export function showSettings(s: Settings): string {
  const shown = (path: string) => relative(s.cwd, path) || '.';
  const head = {
    'config file': s.configFile ? shown(s.configFile) : 'none (defaults)',
    'project root': shown(s.root),
    files: s.files.length,
    select: s.select?.length ? [...s.select] : 'every rule the config leaves on',
    ignore: s.ignore?.length ? [...s.ignore] : [],
    jobs: s.jobs,
    cache: s.cacheDir ? shown(s.cacheDir) : 'off',
  };
  return `${stringify(head)}settings:\n${stringify(s.config).replace(/^/gm, '  ').trimEnd()}\n${s.files.length ? `files to analyse:\n${s.files.map((f) => `  - ${f}`).join('\n')}\n` : ''}`;
}
