/**
 * Cross-file cases for context files, one folder each under test/fixtures/projects/ctx-*:
 *
 *   base/       the repository before the pull request (every file, relative paths)
 *   head/       the files the pull request changes, as they are at its head
 *   case.json   what the review must report, and which unchanged files establish it
 *
 * The same case drives the GitHub App (fake GitHub: tree at head, patches from the diff)
 * and the CLI (`check --base` in a scratch git repository), so both paths must agree.
 * Adding a case is adding a folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ExpectedFinding {
  rule: string;
  /** The changed file the finding is on. */
  path: string;
  line: number;
  /** Texts the message must contain, e.g. the other site `path:line` in an unchanged file. */
  mentions: string[];
}

export interface ContextCase {
  name: string;
  description: string;
  expect: ExpectedFinding[];
  /** Unchanged files that establish the discipline: without them there is no finding. */
  establishedIn: string[];
  base: Record<string, string>;
  head: Record<string, string>;
}

const ROOT = fileURLToPath(new URL('../fixtures/projects/', import.meta.url));

function readTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (at: string) => {
    for (const name of readdirSync(at).sort()) {
      const full = join(at, name);
      if (statSync(full).isDirectory()) walk(full);
      else files[relative(dir, full).split('\\').join('/')] = readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return files;
}

export function contextCases(): ContextCase[] {
  return readdirSync(ROOT)
    .filter((name) => name.startsWith('ctx-') && statSync(join(ROOT, name)).isDirectory())
    .sort()
    .map((name) => {
      const spec = JSON.parse(readFileSync(join(ROOT, name, 'case.json'), 'utf8')) as Omit<ContextCase, 'name' | 'base' | 'head'>;
      return { ...spec, name, base: readTree(join(ROOT, name, 'base')), head: readTree(join(ROOT, name, 'head')) };
    });
}

/** The repository at the pull request's head: base with the changed files replaced. */
export function headTree(c: ContextCase, without: readonly string[] = []): Record<string, string> {
  const tree: Record<string, string> = { ...c.base, ...c.head };
  for (const path of without) delete tree[path];
  return tree;
}

const GIT_ID = ['-c', 'user.name=threadlint-test', '-c', 'user.email=test@example.test', '-c', 'commit.gpgsign=false'];

/** A scratch git repository: `base` committed, the head files written over it (not committed). */
export class ScratchRepo {
  readonly dir = mkdtempSync(join(tmpdir(), 'threadlint-ctx-'));

  constructor(c: ContextCase, without: readonly string[] = []) {
    const write = (files: Record<string, string>) => {
      for (const [path, text] of Object.entries(files)) {
        if (without.includes(path)) continue;
        mkdirSync(dirname(join(this.dir, path)), { recursive: true });
        writeFileSync(join(this.dir, path), text);
      }
    };
    this.git('init', '-q');
    write(c.base);
    this.git('add', '-A');
    this.git(...GIT_ID, 'commit', '-q', '-m', 'base');
    write(c.head);
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, stdio: 'pipe', encoding: 'utf8' });
  }

  /** The file's patch against the base commit as GitHub's files API gives it: hunks only, no headers. */
  patch(path: string): string {
    const text = this.git('diff', '--no-color', '--no-ext-diff', 'HEAD', '--', path);
    const start = text.indexOf('\n@@');
    return start < 0 ? '' : text.slice(start + 1).replace(/\n$/, '');
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
