import type { Node, SyntaxTree } from './tree/index.js';
import type { Profile, Severity, TextEdit, ThreadlintConfig } from './types.js';
import type { SemanticModel } from './model/model.js';

/** Where guidance pages live; a rule's page is `${DOCS_BASE}/<ID>.md`. */
export const DOCS_BASE = 'https://github.com/threadlint/threadlint/blob/main/rules';

export type FixAvailability = 'always' | 'sometimes' | 'never';

export interface RuleMeta {
  id: string;
  /** Kebab-case name of the pattern, e.g. `bare-acquire`. */
  name: string;
  severity: Severity;
  /** One sentence: what the rule finds. */
  summary: string;
  /** One line: why it matters, shown under each review comment. */
  why: string;
  fix: FixAvailability;
  /**
   * Whether the rule reports in test code (files matching config `tests`): only for
   * hazards that make the test itself hang or flake. The page says so under "In tests".
   */
  inTests: boolean;
  /**
   * Run on every file that does not parse, threading code or not (TL001); other rules
   * skip files that mention no threading at all.
   */
  runsOnBrokenFiles?: boolean;
  /**
   * The profile the rule belongs to (`free-threading` for TL6xx): it runs only when the
   * config's profile is this one, and then on every file, threading code or not (any
   * module's state may be shared once a library is called from threads).
   */
  profile?: Profile;
  helpUri: string;
}

export interface ProposedFix {
  description: string;
  /** Safe fixes only: the engine refuses fixes from rules whose meta says `never`. */
  edits: TextEdit[];
  safe?: boolean;
}

export interface Report {
  /** The node whose start is the finding's position. */
  node: Node;
  /** Optional node the range should end at (defaults to `node`). */
  endNode?: Node;
  message: string;
  fix?: ProposedFix;
  /**
   * For a rule with two levels (RULES.md "error / warning", TL201's unsatisfiable wait):
   * this finding's level. A level the config sets for the rule applies to every finding.
   */
  severity?: Severity;
}

/** Per-file facts handed to project-wide checks after every file was analysed. */
export interface ProjectFile {
  path: string;
  facts: Record<string, unknown>;
}

/** Where a node sits, as plain data that outlives the tree. */
export interface Site {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  statementLine: number;
  statementEndLine: number;
  /** Normalized text of the flagged statement, for the fingerprint. */
  code: string;
}

export interface ProjectReport extends Site {
  path: string;
  message: string;
  /** As `Report.severity`: this finding's level when the config leaves the rule's own. */
  severity?: Severity;
  /** As `Report.fix` (plain text edits in `path`); dropped when the rule's meta says `never`. */
  fix?: ProposedFix;
}

export interface RuleContext {
  path: string;
  source: string;
  /** The owned syntax tree (the model is built over it on first use). */
  tree: SyntaxTree;
  readonly model: SemanticModel;
  config: ThreadlintConfig;
  report(report: Report): void;
  /** Store plain-data facts for this rule's `checkProject` (no tree nodes). */
  setFacts(facts: unknown): void;
  /** A node's position and statement, as plain data for facts. */
  locate(node: Node): Site;
}

export interface ProjectContext {
  files: { path: string; facts: unknown }[];
  config: ThreadlintConfig;
  /** With a diff: whether any of the lines is changed. Undefined in whole-file mode. */
  changed?: (path: string, fromLine: number, toLine: number) => boolean;
  report(report: ProjectReport): void;
}

export interface Rule {
  meta: RuleMeta;
  check(context: RuleContext): void;
  /** For rules that compare files (lock order across the run, queue joins). */
  checkProject?(context: ProjectContext): void;
}

/** Whether the rule looks at every file under this config, not only files with threading code. */
export function seesEveryFile(meta: Pick<RuleMeta, 'profile'>, config: Pick<ThreadlintConfig, 'profile'>): boolean {
  return meta.profile !== undefined && meta.profile === config.profile;
}

export function createRule(
  meta: Omit<RuleMeta, 'helpUri'>,
  check: Rule['check'],
  checkProject?: Rule['checkProject'],
): Rule {
  return { meta: { ...meta, helpUri: `${DOCS_BASE}/${meta.id}.md` }, check, checkProject };
}

/** A text edit that replaces a node's whole text. */
export function replaceNode(node: Node, text: string): TextEdit {
  return {
    startLine: node.startPosition.row + 1,
    startColumn: node.startPosition.column + 1,
    endLine: node.endPosition.row + 1,
    endColumn: node.endPosition.column + 1,
    text,
  };
}
