import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { DiffFile } from '../lint/index.js';

function slashes(path: string): string {
  return path.split(sep).join('/');
}

/**
 * Two ways to name a file. The engine sees paths relative to the project root (where the
 * config lives), so the config's globs and the findings' fingerprints do not depend on the
 * folder threadlint runs from; people see paths relative to the working directory, as
 * DESIGN.md asks of every report.
 */
export class ProjectPaths {
  readonly same: boolean;

  constructor(
    readonly cwd: string,
    readonly root: string,
  ) {
    this.same = resolve(cwd) === resolve(root);
  }

  /** The engine's name of an absolute path. */
  analysis(absolute: string): string {
    return slashes(relative(this.root, absolute));
  }

  /** The person's name of an engine path. */
  display(analysisPath: string): string {
    if (this.same) return analysisPath;
    return slashes(relative(this.cwd, resolve(this.root, analysisPath)));
  }

  absolute(analysisPath: string): string {
    return resolve(this.root, analysisPath);
  }

  /** A diff's paths are relative to the working directory: re-key it by engine path. */
  diff(map: Map<string, DiffFile> | undefined): Map<string, DiffFile> | undefined {
    if (!map || this.same) return map;
    return new Map([...map].map(([path, file]) => [this.analysis(resolve(this.cwd, path)), file]));
  }

  /**
   * `--exclude` globs are written relative to the working directory, as Ruff's are: a glob
   * without a slash names a file or folder anywhere (`--exclude build`), any other is
   * anchored at the working directory. Returned as project-root globs.
   */
  cliGlobs(globs: readonly string[]): string[] {
    const prefix = this.same ? '' : slashes(relative(this.root, this.cwd));
    return globs.flatMap((glob) => {
      const g = glob.replace(/^\.\//, '').replace(/\/+$/, '');
      if (!g.includes('/')) return [`**/${g}`, `**/${g}/**`];
      if (isAbsolute(g)) return [this.analysis(g)];
      return [prefix && !prefix.startsWith('..') ? `${prefix}/${g}` : g];
    });
  }
}
