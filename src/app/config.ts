/**
 * The repository's `.github/threadlint.yml`, read the way Probot's `context.config`
 * reads it (the same plugin, so `_extends: org/.github` and the org-wide `.github`
 * repository work), validated by the one config schema. The raw file is fetched only
 * when the config is invalid, to put the line number in the error. An `_extends` chain
 * longer than `MAX_EXTENDS` is refused with an error naming the limit.
 */
import { composeConfigGet } from '@probot/octokit-plugin-config';
import { formatConfigError, validateConfigObject } from '../config/load.js';
import type { ThreadlintConfig } from '../lint/index.js';
import { messageOf, statusOf, type GitHub, type RepoRef } from './github.js';

export const CONFIG_PATH = '.github/threadlint.yml';
/** `_extends` hops followed at most. */
export const MAX_EXTENDS = 5;

class ExtendsTooDeep extends Error {}

/**
 * `github` for the config plugin, counting the files it reads: the repository's own
 * file, the org's `.github` when there is none, then one per `_extends` hop.
 */
function depthLimited(github: GitHub): Parameters<typeof composeConfigGet>[0] {
  let reads = 0;
  let base = 1;
  const request = async (...args: Parameters<GitHub['request']>) => {
    reads++;
    if (reads > base + MAX_EXTENDS) {
      throw new ExtendsTooDeep(`\`_extends\` chain is longer than ${MAX_EXTENDS} files; shorten it (each \`_extends\` is one hop).`);
    }
    try {
      return await github.request(...args);
    } catch (error) {
      if (reads === 1 && statusOf(error) === 404) base = 2; // the org's .github file is read next
      throw error;
    }
  };
  return { request: Object.assign(request, { endpoint: github.request.endpoint }) } as unknown as Parameters<typeof composeConfigGet>[0];
}

export type ConfigOutcome =
  | { ok: true; config: ThreadlintConfig; source: string }
  | { ok: false; error: string };

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Later configs win; objects merge key by key, lists are replaced (not concatenated). */
export function mergeConfigs(configs: readonly unknown[]): Plain {
  const merge = (base: Plain, over: Plain): Plain => {
    const out: Plain = { ...base };
    for (const [key, value] of Object.entries(over)) {
      out[key] = isPlain(value) && isPlain(out[key]) ? merge(out[key] as Plain, value) : value;
    }
    return out;
  };
  return configs.filter(isPlain).reduce<Plain>((acc, c) => merge(acc, c), {});
}

interface ConfigFile {
  owner: string;
  repo: string;
  path: string;
  config: unknown;
}

/** Loads and validates the config; any problem becomes one readable error string. */
export async function loadRepoConfig(github: GitHub, repo: RepoRef, knownRuleIds: string[]): Promise<ConfigOutcome> {
  let files: ConfigFile[];
  let merged: unknown;
  try {
    const result = await composeConfigGet(depthLimited(github), {
      owner: repo.owner,
      repo: repo.repo,
      path: CONFIG_PATH,
      // The plugin lists files most specific first; the base of `_extends` merges first.
      defaults: (configs: object[]) => mergeConfigs(configs),
    });
    files = result.files as ConfigFile[];
    merged = result.config;
  } catch (error) {
    if (statusOf(error) !== undefined) throw error; // a GitHub error, not a config error
    const cause = (error as { cause?: unknown }).cause;
    return { ok: false, error: cause ? `${messageOf(error)}: ${messageOf(cause)}` : messageOf(error) };
  }
  const own = files[0]?.config !== null && files[0]?.config !== undefined;
  const found = files.filter((f) => f.config !== null && f.config !== undefined);
  const source = found.length === 0 ? '(defaults)' : own ? CONFIG_PATH : `${found[0].owner}/${found[0].repo}:${found[0].path}`;
  const result = validateConfigObject(merged, source, knownRuleIds);
  if (result.ok) return { ok: true, config: result.config, source };
  const text = own ? await rawConfigText(github, repo) : undefined;
  const located = text === undefined ? result : validateConfigObject(merged, source, knownRuleIds, text);
  const errors = located.ok ? result.errors : located.errors;
  return { ok: false, error: errors.map(formatConfigError).join('\n') };
}

async function rawConfigText(github: GitHub, repo: RepoRef): Promise<string | undefined> {
  try {
    const { data } = await github.rest.repos.getContent({ ...repo, path: CONFIG_PATH, mediaType: { format: 'raw' } });
    return typeof data === 'string' ? data : undefined;
  } catch {
    return undefined; // the line number is a nicety; the error itself is already known
  }
}
