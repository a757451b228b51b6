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

const RANK: Record<Severity, number> = { notice: 1, warning: 2, error: 3 };

/** error ≥ warning ≥ notice; `never` fails nothing. */
export function failsAt(severity: Severity, failOn: FailOn): boolean {
  return failOn !== 'never' && RANK[severity] >= RANK[failOn];
}
