/**
 * Pure questions the engine and the reporters ask of a resolved config: how loud is
 * this rule, is this path in scope, does this severity fail the run.
 */
import picomatch from 'picomatch';
import type { FailOn, RuleLevel, Severity, ThreadlintConfig } from '../engine/types.js';

/** Whether `ruleId` is one of `ids` or starts with one of them ("TL2" covers TL201). */
export function matchesIdList(ruleId: string, ids: string[]): boolean {
  return ids.some((id) => id.trim() !== '' && ruleId.startsWith(id.trim()));
}

/** The longest key of `config.rules` that is the ID or a prefix of it wins; no key → the rule's default. */
export function ruleLevel(config: ThreadlintConfig, ruleId: string, defaultSeverity: Severity): RuleLevel {
  let best: string | undefined;
  for (const key of Object.keys(config.rules)) {
    if (ruleId.startsWith(key) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? defaultSeverity : config.rules[best];
}

type PathMatcher = (path: string) => boolean;
const matchers = new WeakMap<ThreadlintConfig['paths'], PathMatcher>();

function pathMatcher(paths: ThreadlintConfig['paths']): PathMatcher {
  let matcher = matchers.get(paths);
  if (!matcher) {
    // `dot: true` so files under .github/ or .venv/ obey the globs like any other.
    const include = picomatch(paths.include, { dot: true });
    const exclude = paths.exclude.length > 0 ? picomatch(paths.exclude, { dot: true }) : () => false;
    matcher = (path) => include(path) && !exclude(path);
    matchers.set(paths, matcher);
  }
  return matcher;
}

/** `path` is relative with forward slashes; a leading "./" or backslashes are tolerated. */
export function isPathIncluded(config: ThreadlintConfig, path: string): boolean {
  const normal = path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  return pathMatcher(config.paths)(normal);
}

const globMatchers = new Map<string, PathMatcher>();

/** One compiled matcher per glob list (configs are few, paths many). */
function globMatcher(globs: readonly string[]): PathMatcher {
  const key = globs.join('\0');
  let matcher = globMatchers.get(key);
  if (!matcher) {
    matcher = globs.length > 0 ? picomatch([...globs], { dot: true }) : () => false;
    globMatchers.set(key, matcher);
  }
  return matcher;
}

function normalPath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

/** Whether the file is test code per config `tests` (rules report there only if their meta says `inTests`). */
export function isTestPath(config: ThreadlintConfig, path: string): boolean {
  return globMatcher(config.tests).call(null, normalPath(path));
}

/** Rule IDs and prefixes that `per-file-ignores` silences for this path. */
export function perFileIgnores(config: ThreadlintConfig, path: string): string[] {
  const normal = normalPath(path);
  const out: string[] = [];
  for (const [glob, ids] of Object.entries(config['per-file-ignores'])) {
    if (globMatcher([glob])(normal)) out.push(...ids);
  }
  return out;
}

const RANK: Record<Severity, number> = { notice: 1, warning: 2, error: 3 };

/** error ≥ warning ≥ notice; `never` fails nothing. */
export function failsAt(severity: Severity, failOn: FailOn): boolean {
  return failOn !== 'never' && RANK[severity] >= RANK[failOn];
}
