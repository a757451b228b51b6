/**
 * What `threadlint --help` and argument parsing need, with no imports: `--version` and
 * `--help` load nothing else (no engine, no rules, no parser, no schema).
 */

/**
 * DESIGN.md's four, then Ruff's names for the others (`concise` is the one-line text),
 * then the free-threading readiness report (Markdown; implies `--profile free-threading`).
 */
export const FORMATS = ['text', 'json', 'sarif', 'github', 'concise', 'full', 'grouped', 'json-lines', 'junit', 'gitlab', 'rdjson', 'ft-report'] as const;
export type Format = (typeof FORMATS)[number];

/** Folders a walk never enters (hidden folders are skipped too). */
export const SKIPPED_DIRS: readonly string[] = ['.git', 'node_modules', '.venv', 'venv', '__pycache__', '.tox'];
