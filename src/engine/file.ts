/**
 * The analysis of one file, start to end: decode, parse into the owned tree, run the
 * rules over one semantic model, apply suppressions, fingerprint, verify fixes. The
 * result is plain data (it crosses worker threads and is cached by content hash); no
 * tree or node outlives this module. Never throws for bad input: unreadable files,
 * parser faults, a spent budget and rule crashes become notes.
 */
import { BudgetExceeded, checkBudget, enterStage, withBudget } from './budget.js';
import { assignFingerprints, rangeOf, statementSpan, StatementTexts } from './findings.js';
import { verifyFixes } from './fixes.js';
import { RELEVANT_SOURCE } from './model/kinds.js';
import { SemanticModel } from './model/model.js';
import { seesEveryFile, type Report, type Rule, type RuleContext, type Site } from './rule.js';
import { decodeSource } from './source.js';
import { SuppressionMap, type Comment } from './suppressions.js';
import type { Node, SyntaxTree } from './tree/index.js';
import { parseNow, parsesCleanlyNow, prepareParser } from './tree/parser.js';
import type { FileAnalysis, FileNote, Finding, Severity, SourceFile, ThreadlintConfig } from './types.js';

export type { FileAnalysis } from './types.js';

export interface ActiveRule {
  rule: Rule;
  severity: Severity;
  /** The config sets this rule's level: it overrides a finding's own `severity`. */
  configured?: boolean;
}

export interface FileSetup {
  rules: readonly ActiveRule[];
  config: ThreadlintConfig;
  /** Per-file analysis budget in milliseconds (default 10 s; Infinity for none). */
  budgetMs?: number;
  /**
   * The findings the caller will report (after test-code, per-file and diff filters).
   * Only these are returned, and only their fixes are verified. Default: all.
   */
  keep?: (finding: Finding) => boolean;
  /** Apply kept fixes in memory and re-analyse (see fixes.ts); false keeps them unchecked. Default true. */
  verifyFixes?: boolean;
}


export const DEFAULT_BUDGET_MS = 10_000;

type Draft = Omit<Finding, 'fingerprint'>;

/** What one run of the rules over one text produced. */
export interface RuleRun {
  findings: Finding[];
  facts: Record<string, unknown>;
  notes: FileNote[];
  suppressions: SuppressionMap;
  syntaxError: boolean;
}

export async function analyzeFile(file: SourceFile, setup: FileSetup): Promise<FileAnalysis> {
  const path = file.path;
  const empty = (note: FileNote): FileAnalysis => ({ path, findings: [], notes: [note], facts: {}, suppressions: [], analysed: false });
  const decoded = decodeSource(file.content);
  if (!decoded.ok) return empty({ path, kind: decoded.kind, message: decoded.message });
  await prepareParser();
  const budget = setup.budgetMs ?? DEFAULT_BUDGET_MS;
  return withBudget(budget, () => {
    if (!needsTree(decoded.text, setup)) {
      // Nothing to look at but whether it parses: skip building the tree unless it does not.
      const check = parsesCleanlyNow(decoded.text);
      if (!check.ok) return empty({ path, kind: 'crash', message: check.fault });
      if (check.clean) return { path, findings: [], notes: [], facts: {}, suppressions: [], analysed: true };
    }
    const run = runOnce(path, decoded.text, setup);
    if ('fault' in run) return empty({ path, kind: 'crash', message: run.fault });
    const keep = setup.keep ?? (() => true);
    const kept = run.findings.filter(keep);
    if (run.syntaxError) {
      // A fix cannot be checked on a file that does not parse.
      for (const f of kept) delete f.fix;
    } else if (setup.verifyFixes !== false && kept.some((f) => f.fix)) {
      enterStage('fix verification');
      verifyFixes(decoded.text, run, kept, (text) => {
        const again = runOnce(path, text, setup);
        return 'fault' in again ? null : again;
      });
    }
    const analysis: FileAnalysis = { path, findings: kept, notes: run.notes, facts: run.facts, suppressions: run.suppressions.entries, analysed: true };
    if (run.syntaxError) analysis.syntaxError = true;
    return analysis;
  });
}

/**
 * Parse and run the rules; the tree is dropped on return, so fix verification never
 * holds two files' trees at once.
 */
function runOnce(path: string, text: string, setup: FileSetup): RuleRun | { fault: string } {
  const parsed = parseNow(text);
  return parsed.ok ? runRules(path, text, parsed.tree, setup.rules, setup.config) : { fault: parsed.fault };
}

/**
 * Whether any rule will look at this text's tree: threading code, a suppression comment,
 * or a rule that sees every file under this config (the free-threading profile).
 */
function needsTree(text: string, setup: Pick<FileSetup, 'rules' | 'config'>): boolean {
  return SUPPRESSION_HINT.test(text) || RELEVANT_SOURCE.test(text) || setup.rules.some((r) => seesEveryFile(r.rule.meta, setup.config));
}

const SUPPRESSION_HINT = /threadlint|noqa/i;

/** Parse-free core: every active rule over one tree, suppressions applied, fingerprinted. */
export function runRules(path: string, text: string, tree: SyntaxTree, rules: readonly ActiveRule[], config: ThreadlintConfig): RuleRun {
  const notes: FileNote[] = [];
  const facts: Record<string, unknown> = {};
  const root = tree.rootNode;
  const suppressions = SUPPRESSION_HINT.test(text) ? SuppressionMap.fromComments(comments(tree), firstStatementLine(root)) : new SuppressionMap();
  const texts = new StatementTexts(text);
  const drafts: Draft[] = [];
  const relevant = RELEVANT_SOURCE.test(text);
  let model: SemanticModel | undefined;
  const getModel = () => (model ??= new SemanticModel(tree, path));
  const statementOf = (node: Node) => getModel().statementOf(node);
  const locate = (node: Node): Site => {
    const span = statementSpan(statementOf(node));
    return { ...rangeOf(node), statementLine: span.start, statementEndLine: span.end, code: texts.code(span.start, span.end) };
  };
  for (const { rule, severity, configured } of rules) {
    if (!relevant && !(rule.meta.runsOnBrokenFiles && root.hasError) && !seesEveryFile(rule.meta, config)) continue;
    const report = (r: Report) => {
      const draft = toDraft(rule, r.severity && !configured ? r.severity : severity, path, statementOf, r);
      if (suppressions.isSuppressed(rule.meta.id, draft.statementLine, draft.statementEndLine)) return;
      if (suppressions.isSuppressed(rule.meta.id, draft.line, draft.line)) return;
      drafts.push(draft);
    };
    const ctx: RuleContext = {
      path,
      source: text,
      tree,
      get model() {
        return getModel();
      },
      config,
      report,
      setFacts: (f) => {
        facts[rule.meta.id] = f;
      },
      locate,
    };
    try {
      enterStage(`rule ${rule.meta.id}`);
      checkBudget();
      rule.check(ctx);
    } catch (error) {
      if (error instanceof BudgetExceeded) {
        notes.push({ path, kind: 'budget', message: error.message });
        break;
      }
      notes.push({ path, kind: 'crash', message: `rule ${rule.meta.id} failed on this file and was skipped: ${describe(error)}` });
    }
  }
  const findings = assignFingerprints(drafts, (d) => texts.code(d.statementLine, d.statementEndLine));
  return { findings, facts, notes, suppressions, syntaxError: root.hasError };
}

function toDraft(rule: Rule, severity: Severity, path: string, statementOf: (n: Node) => Node, r: Report): Draft {
  const span = statementSpan(statementOf(r.node));
  const range = rangeOf(r.node, r.endNode);
  const draft: Draft = {
    ruleId: rule.meta.id,
    severity,
    path,
    ...range,
    message: r.message,
    helpUri: rule.meta.helpUri,
    statementLine: Math.min(span.start, range.line),
    statementEndLine: Math.max(span.end, range.line),
  };
  if (r.fix && rule.meta.fix !== 'never' && r.fix.edits.length > 0) {
    draft.fix = { description: r.fix.description, safe: r.fix.safe !== false, edits: r.fix.edits };
  }
  return draft;
}

function comments(tree: SyntaxTree): Comment[] {
  return tree.rootNode.descendantsOfType('comment').map((c) => ({ line: c.startPosition.row + 1, column: c.startPosition.column + 1, text: c.text }));
}

/** The line of the module's first statement; comments above it are the file's header. */
function firstStatementLine(root: Node): number {
  for (const child of root.namedChildren) if (child.type !== 'comment') return child.startPosition.row + 1;
  return Infinity;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
