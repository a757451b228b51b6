/**
 * The free-threading readiness report as plain data: findings and a project's layout in,
 * one entry per package out — its TL6xx / TL1xx findings by kind, its extension-module
 * sources and whether each declares that it runs without the GIL, and a suggested
 * `Free Threading :: N - …` classifier with the reason. The CLI puts it in JSON as
 * `readiness` and renders it with readiness-markdown.ts; nothing here reads files.
 */
import type { Finding, Severity } from '../lint/index.js';
import { ruleMeta } from '../lint/index.js';
import { COMPILED, extensionSource, languageOf, setupDirective, SETUP_FILES, type ExtensionSource } from './extensions.js';

/** The files of a project (relative, forward slashes) and a way to read the few the report needs. */
export interface ProjectLayout {
  files: readonly string[];
  /** Text of an extension source or setup file; undefined when it cannot be read. */
  read(path: string): string | undefined;
}

export interface FindingSite {
  path: string;
  line: number;
  message: string;
}

export interface FindingKind {
  ruleId: string;
  name: string;
  severity: Severity;
  count: number;
  helpUri: string;
  sites: FindingSite[];
}

export type ClassifierLevel = 1 | 2 | 3 | 4;

export interface Classifier {
  level: ClassifierLevel;
  /** `Free Threading :: 2 - Beta` */
  classifier: string;
  reason: string;
}

export interface PackageReadiness {
  /** Import name: `ftpkg`, or the module name of a top-level module. */
  name: string;
  /** The package folder, or the module file. */
  path: string;
  kind: 'package' | 'module';
  pythonFiles: number;
  findings: FindingKind[];
  extensions: ExtensionSource[];
  /** Compiled modules (`.so`, `.pyd`) whose sources are not in the tree. */
  compiled: string[];
  suggested: Classifier;
}

export interface Readiness {
  packages: PackageReadiness[];
  /** Extension sources outside every package (a top-level `src/ext.c`). */
  unassignedExtensions: ExtensionSource[];
}

export const CLASSIFIERS: Record<ClassifierLevel, string> = {
  1: 'Free Threading :: 1 - Unstable',
  2: 'Free Threading :: 2 - Beta',
  3: 'Free Threading :: 3 - Stable',
  4: 'Free Threading :: 4 - Resilient',
};

/** Folders that are not part of what a package ships. */
const NOT_SHIPPED = /(?:^|\/)(?:\.[^/]+|node_modules|__pycache__|build|dist|venv|\.venv|site-packages|tests?|testing|docs?|examples?|benchmarks?|scripts)\//;
/** Top-level files that are build glue or tooling, not importable modules. */
const NOT_MODULES = /^(?:setup|conftest|noxfile|fabfile|manage|versioneer|_version)\.py$/;
const REPORTED_RULES = /^TL[16]\d\d$/;

export function readiness(findings: readonly Finding[], layout: ProjectLayout): Readiness {
  const files = layout.files.map((f) => f.replace(/\\/g, '/').replace(/^\.\//, ''));
  const initFolders = new Set(files.filter((f) => /(?:^|\/)__init__\.pyi?$/.test(f)).map(folderOf));
  const roots = packageRoots(files, initFolders);
  const owner = (path: string) => roots.find((r) => (r.kind === 'package' ? path.startsWith(`${r.path}/`) : path === r.path)) ?? null;

  const directive = setupFileDirective(files, layout);
  const sourceBases = new Set(files.filter((f) => f.endsWith('.pyx')).map((f) => f.slice(0, -4)));
  const packages = roots.map((r): PackageReadiness => ({ ...r, pythonFiles: 0, findings: [], extensions: [], compiled: [], suggested: CLASSIFIER_PLACEHOLDER }));
  const byPath = new Map(packages.map((p) => [p.path, p]));
  const unassigned: ExtensionSource[] = [];

  for (const f of files) {
    const root = owner(f);
    const pkg = root ? byPath.get(root.path)! : null;
    if (/\.pyi?$/.test(f)) {
      if (pkg) pkg.pythonFiles++;
      continue;
    }
    if (COMPILED.test(f)) {
      if (pkg) pkg.compiled.push(f);
      continue;
    }
    if (!languageOf(f) || NOT_SHIPPED.test(`/${f}`)) continue;
    const text = layout.read(f);
    if (text === undefined) continue;
    const ext = extensionSource(f, text, directive, (base) => sourceBases.has(base));
    if (!ext) continue;
    const target = pkg ?? packageByTopName(packages, f);
    if (target) target.extensions.push(ext);
    else unassigned.push(ext);
  }

  const kinds = new Map<string, Map<string, FindingKind>>();
  for (const finding of findings) {
    if (!REPORTED_RULES.test(finding.ruleId)) continue;
    const root = owner(finding.path);
    if (!root) continue;
    let perPackage = kinds.get(root.path);
    if (!perPackage) kinds.set(root.path, (perPackage = new Map()));
    let kind = perPackage.get(finding.ruleId);
    if (!kind) {
      kind = { ruleId: finding.ruleId, name: ruleMeta(finding.ruleId)?.name ?? finding.ruleId, severity: finding.severity, count: 0, helpUri: finding.helpUri, sites: [] };
      perPackage.set(finding.ruleId, kind);
    }
    kind.count++;
    kind.sites.push({ path: finding.path, line: finding.line, message: finding.message });
  }
  for (const pkg of packages) {
    pkg.findings = [...(kinds.get(pkg.path)?.values() ?? [])].sort((a, b) => a.ruleId.localeCompare(b.ruleId));
    for (const k of pkg.findings) k.sites.sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line);
    pkg.extensions.sort((a, b) => a.path.localeCompare(b.path));
    // A compiled module whose source is here too (`_cbson.cpython-313-….so` and `PyInit__cbson`) is covered by its source.
    const built = new Set(pkg.extensions.map((e) => `${folderOf(e.path)}/${e.module}`));
    pkg.compiled = pkg.compiled.filter((c) => !built.has(`${folderOf(c)}/${baseName(c).split('.')[0]}`)).sort();
    pkg.suggested = suggestClassifier(pkg);
  }
  return { packages, unassignedExtensions: unassigned };
}

const CLASSIFIER_PLACEHOLDER: Classifier = { level: 1, classifier: CLASSIFIERS[1], reason: '' };

/**
 * The highest level the evidence allows. A static check can show what holds a package
 * back, never that it is resilient: level 4 needs stress tests under ThreadSanitizer or
 * `pytest-run-parallel`, so the best suggestion here is 3.
 */
export function suggestClassifier(pkg: Pick<PackageReadiness, 'extensions' | 'compiled' | 'findings'>): Classifier {
  const make = (level: ClassifierLevel, reason: string): Classifier => ({ level, classifier: CLASSIFIERS[level], reason });
  const silent = pkg.extensions.filter((e) => e.gil !== 'not-used');
  if (silent.length > 0) {
    const names = silent.map((e) => `\`${e.path}\``).join(', ');
    return make(1, `${silent.length === 1 ? 'the extension module' : `${silent.length} extension modules`} ${names} ${silent.length === 1 ? 'does' : 'do'} not declare free-threading support, so importing ${silent.length === 1 ? 'it' : 'them'} turns the GIL back on (declare \`Py_mod_gil\` / \`Py_MOD_GIL_NOT_USED\`, or \`freethreading_compatible\` for Cython, once the module is thread-safe)`);
  }
  if (pkg.compiled.length > 0) {
    return make(1, `${pkg.compiled.length} compiled extension ${pkg.compiled.length === 1 ? 'module is' : 'modules are'} here without ${pkg.compiled.length === 1 ? 'its source' : 'their sources'}, so whether ${pkg.compiled.length === 1 ? 'it keeps' : 'they keep'} the GIL off cannot be checked: run the report on the source tree`);
  }
  const total = pkg.findings.reduce((n, k) => n + k.count, 0);
  const errors = pkg.findings.filter((k) => k.severity === 'error').reduce((n, k) => n + k.count, 0);
  const extensions = pkg.extensions.length ? `every extension module declares free-threading support, ` : '';
  if (total > 0) {
    return make(2, `${extensions ? `${extensions}but ` : ''}${total} thread-safety ${total === 1 ? 'finding' : 'findings'}${errors ? ` (${errors} ${errors === 1 ? 'error' : 'errors'})` : ''} ${total === 1 ? 'needs' : 'need'} fixing or documenting as a limitation before the package can claim Stable`);
  }
  return make(
    3,
    `${extensions || 'pure Python, '}and threadlint found nothing to fix; Stable also asks that the thread-safety limits are documented, and Resilient needs stress tests (pytest-run-parallel, a ThreadSanitizer build) that a static check cannot replace`,
  );
}

interface Root {
  name: string;
  path: string;
  kind: 'package' | 'module';
}

/** Top-level packages (a folder with `__init__.py` whose parent has none) and top-level modules. */
function packageRoots(files: string[], initFolders: Set<string>): Root[] {
  const roots = new Map<string, Root>();
  for (const folder of initFolders) {
    if (NOT_SHIPPED.test(`/${folder}/`)) continue;
    let top = folder;
    while (initFolders.has(folderOf(top)) && folderOf(top) !== '') top = folderOf(top);
    if (initFolders.has(folderOf(top)) && folderOf(top) === '') continue;
    roots.set(top, { name: baseName(top), path: top, kind: 'package' });
  }
  for (const f of files) {
    if (!f.endsWith('.py')) continue;
    const folder = folderOf(f);
    if (initFolders.has(folder) || !(folder === '' || folder === 'src' || folder === 'lib')) continue;
    const base = baseName(f);
    if (NOT_MODULES.test(base) || /^test_|_test\.py$/.test(base)) continue;
    roots.set(f, { name: base.slice(0, -3), path: f, kind: 'module' });
  }
  return [...roots.values()].sort((a, b) => a.name.localeCompare(b.name) || a.path.localeCompare(b.path));
}

/** An extension outside every package folder (`src/_speedups.c`) belongs to the package its name starts with, when there is one package. */
function packageByTopName(packages: PackageReadiness[], path: string): PackageReadiness | null {
  const shipped = packages.filter((p) => p.kind === 'package');
  return shipped.length === 1 && !path.includes('/tests/') ? shipped[0] : null;
}

/** Which setup file turns `freethreading_compatible` on for every Cython module, if any. */
function setupFileDirective(files: string[], layout: ProjectLayout): string | null {
  for (const f of files) {
    if (!SETUP_FILES.test(f) || f.includes('/')) continue;
    const text = layout.read(f);
    if (text && setupDirective(text)) return `\`${f}\``;
  }
  return null;
}

function folderOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
