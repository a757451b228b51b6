/**
 * The shared vocabulary of every stage: engine, diff filter, config, CLI reporters and
 * the GitHub layer all speak in these types. Plain data only: nothing here refers to
 * tree-sitter or to GitHub.
 *
 * Positions are 1-based. A column counts UTF-16 code units from the start of the line
 * (a JavaScript string index + 1), so `line.slice(column - 1)` starts at the position.
 */

export type Severity = 'error' | 'warning' | 'notice';
export type RuleLevel = Severity | 'off';
export type FilterMode = 'added' | 'diff_context' | 'file' | 'nofilter';
export type FailOn = Severity | 'never';

export interface Range {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** Replace the text between start (inclusive) and end (exclusive) with `text`. */
export interface TextEdit {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  text: string;
}

export interface Fix {
  /** Imperative title shown next to the fix, e.g. "Replace `.run()` with `.start()`". */
  description: string;
  /** Only safe fixes become one-click suggestions and are applied by `--fix`. */
  safe: boolean;
  edits: TextEdit[];
}

/** Where a finding sits relative to a diff; absent when no diff was given. */
export type DiffPosition = 'added' | 'context' | 'outside';

export interface Finding extends Range {
  ruleId: string;
  severity: Severity;
  /** Relative, forward slashes. */
  path: string;
  message: string;
  helpUri: string;
  fix?: Fix;
  /**
   * First and last line of the statement that holds the reported node. Suppression
   * comments anywhere on these lines apply; review comments anchor here.
   */
  statementLine: number;
  statementEndLine: number;
  /**
   * Stable identity across pushes: rule, path and the normalized text of the flagged
   * statement (never its line number), plus an occurrence index for repeats.
   */
  fingerprint: string;
  diffPosition?: DiffPosition;
}

export type NoteKind = 'syntax-error' | 'unreadable' | 'too-large' | 'crash' | 'budget' | 'excluded';

/** Something the user should know about a file that is not a finding. */
export interface FileNote {
  path: string;
  kind: NoteKind;
  message: string;
  line?: number;
}

export interface SourceFile {
  /** Relative path, forward slashes. */
  path: string;
  /** Text, or raw bytes to be decoded (UTF-8 with BOM or PEP 263 cookie). */
  content: string | Uint8Array;
}

export interface ThreadlintConfig {
  /** Per rule ID or ID prefix ("TL2"); the longest matching key wins. */
  rules: Record<string, RuleLevel>;
  paths: { include: string[]; exclude: string[] };
  fail_on: FailOn;
  filter_mode: FilterMode;
  /** "3.9", "3.12" … gates version-specific fixes. */
  python_version: string;
  /** Seconds, used by fixes that add a timeout. */
  default_timeout: number;
  max_comments: number;
  review_event: 'COMMENT' | 'REQUEST_CHANGES';
  suggestions: boolean;
  /** Globs of test code: a rule reports there only if its meta says `inTests`. */
  tests: string[];
  /** `free-threading` turns on TL6xx and treats public module functions as concurrent. */
  profile: Profile;
  /** Glob → rule IDs or prefixes silenced in matching files (config key `per-file-ignores`). */
  'per-file-ignores': Record<string, string[]>;
  /** App and `--diff`/`--base`: read the rest of the repository for cross-file facts. */
  context: boolean;
}

export type Profile = 'default' | 'free-threading';

export const DEFAULT_TEST_GLOBS: readonly string[] = ['**/test_*.py', '**/*_test.py', '**/tests/**', '**/testing/**', '**/conftest.py'];

export const DEFAULT_CONFIG: ThreadlintConfig = {
  rules: {},
  paths: { include: ['**/*.py', '**/*.pyi'], exclude: [] },
  fail_on: 'error',
  filter_mode: 'added',
  python_version: '3.9',
  default_timeout: 30,
  max_comments: 25,
  review_event: 'COMMENT',
  suggestions: true,
  tests: [...DEFAULT_TEST_GLOBS],
  profile: 'default',
  'per-file-ignores': {},
  context: true,
};

/** One file of a unified diff, as the diff reader returns it. */
export interface DiffFile {
  /** Null for an added file. */
  oldPath: string | null;
  /** Null for a deleted file. */
  newPath: string | null;
  status: 'added' | 'deleted' | 'modified' | 'renamed';
  binary: boolean;
  hunks: Hunk[];
  /** New-side line numbers that the diff adds. */
  addedLines: Set<number>;
  /** New-side line numbers shown as unchanged context. */
  contextLines: Set<number>;
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
}

export interface AnalyzeOptions {
  config: ThreadlintConfig;
  /**
   * Files that feed the project step (call graph, classes, guards) but are never
   * reported on: the rest of the repository when only a diff is reviewed.
   */
  context?: readonly SourceFile[];
  /** Keyed by new path. With it, findings are filtered by `config.filter_mode`. */
  diff?: Map<string, DiffFile>;
  /** Extra rule selection on top of config (CLI `--select` / `--ignore`). */
  select?: string[];
  ignore?: string[];
  /**
   * Apply each fix in memory, re-parse and re-analyse the file; keep the fix only if
   * the file still parses, the finding is gone and no new finding appears.
   * Default true.
   */
  verifyFixes?: boolean;
  /** Worker threads; 0 or absent: analyse in this thread (still isolated from parser faults). */
  jobs?: number;
  /**
   * With `jobs`, a run smaller than this many bytes still runs in this thread: starting
   * workers costs more than it saves (default 256 KiB). A server that must keep its event
   * loop free passes 0.
   */
  inThreadBelowBytes?: number;
  /** Per-file analysis budget in milliseconds (default 10 000); past it the file gets a note. */
  budgetMs?: number;
  /** Report suppression comments that silenced nothing (TL002). */
  reportUnusedIgnores?: boolean;
  /** Per-file results by job key (content, config, options, version), e.g. `.threadlint_cache/`. */
  cache?: ResultCache;
}

/** A store of per-file results; a miss is `undefined`. */
export interface ResultCache {
  get(key: string): FileAnalysis | undefined | Promise<FileAnalysis | undefined>;
  set(key: string, value: FileAnalysis): void | Promise<void>;
}

/** One suppression comment, and the rule IDs it silenced in this run. */
export interface SuppressionEntry {
  line: number;
  column: number;
  endColumn: number;
  ids: 'all' | string[];
  fileLevel: boolean;
  used: string[];
}

/** Everything one file contributed to a run, as plain data (cacheable, crosses threads). */
export interface FileAnalysis {
  path: string;
  findings: Finding[];
  notes: FileNote[];
  /** Plain data per rule ID for the rules' project step. */
  facts: Record<string, unknown>;
  suppressions: SuppressionEntry[];
  /** False when the file was not analysed at all (unreadable, parser fault, worker lost). */
  analysed: boolean;
  /** Set when the text does not parse (the rules ran on a tree with errors). */
  syntaxError?: true;
}

export interface AnalysisResult {
  findings: Finding[];
  notes: FileNote[];
  filesAnalyzed: number;
}
