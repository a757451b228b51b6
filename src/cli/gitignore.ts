/**
 * `.gitignore` rules for the folder walk, through the `ignore` package (git's own
 * pattern semantics). Each folder's `.gitignore` applies below it, a deeper file
 * overrides a shallower one, and inside a repository the `.gitignore` files of the
 * folders above the walk's start and `.git/info/exclude` apply too. (git's global
 * `core.excludesFile` is a per-user setting and is not read.)
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';

interface Layer {
  base: string;
  rules: Ignore;
}

async function readRules(path: string): Promise<Ignore | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : ignore().add(text);
}

export class GitignoreRules {
  private constructor(
    private readonly layers: readonly Layer[],
    private readonly enabled = true,
  ) {}

  /** No rules yet; folders entered add theirs. */
  static readonly none = new GitignoreRules([]);
  /** `.gitignore` not respected at all. */
  static readonly off = new GitignoreRules([], false);

  /** The rules in force at `start` (before its own `.gitignore`, which `enter` adds). */
  static async above(start: string, repositoryRoot: string | null): Promise<GitignoreRules> {
    const dir = resolve(start);
    if (!repositoryRoot || relative(repositoryRoot, dir).startsWith('..')) return GitignoreRules.none;
    const layers: Layer[] = [];
    const exclude = await readRules(join(repositoryRoot, '.git', 'info', 'exclude'));
    if (exclude) layers.push({ base: repositoryRoot, rules: exclude });
    const ancestors: string[] = [];
    for (let d = dirname(dir); d !== dir && !relative(repositoryRoot, d).startsWith('..'); d = dirname(d)) {
      ancestors.unshift(d);
      if (d === repositoryRoot || dirname(d) === d) break;
    }
    for (const base of ancestors) {
      const rules = await readRules(join(base, '.gitignore'));
      if (rules) layers.push({ base, rules });
    }
    return new GitignoreRules(layers);
  }

  /** The rules inside `dir`: these plus `dir/.gitignore`, if it has one. */
  async enter(dir: string): Promise<GitignoreRules> {
    if (!this.enabled) return this;
    const rules = await readRules(join(dir, '.gitignore'));
    return rules ? new GitignoreRules([...this.layers, { base: dir, rules }]) : this;
  }

  /** Whether git would ignore this file or folder. */
  ignores(absolute: string, isDirectory: boolean): boolean {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const { base, rules } = this.layers[i];
      const rel = relative(base, absolute).split(sep).join('/');
      if (rel === '' || rel.startsWith('..')) continue;
      const verdict = rules.test(isDirectory ? `${rel}/` : rel);
      if (verdict.ignored) return true;
      if (verdict.unignored) return false;
    }
    return false;
  }
}
