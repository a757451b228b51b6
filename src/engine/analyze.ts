import type { Node, Tree } from 'web-tree-sitter';
import { isTestPath, matchesIdList, perFileIgnores, ruleLevel } from '../config/resolve.js';
import { filterFindings } from '../diff/filter.js';
import { RULES } from '../rules/index.js';
import { applyEdits } from './edits.js';
import { assignFingerprints, normalizedLines, rangeOf, statementSpan } from './findings.js';
import { RELEVANT_SOURCE } from './model/kinds.js';
import { SemanticModel } from './model/model.js';
import { withTree } from './parser.js';
import type { ProjectContext, ProjectReport, Report, Rule, Site } from './rule.js';
import { decodeSource } from './source.js';
import { SuppressionMap } from './suppressions.js';
import type { AnalysisResult, AnalyzeOptions, FileNote, Finding, Severity, SourceFile, ThreadlintConfig } from './types.js';

type Draft = Omit<Finding, 'fingerprint'>;

/** Longest stretch of analysis before the event loop gets a turn. */
const YIELD_EVERY_MS = 25;

/**
 * Give the event loop a turn now and then: a server analysing a big pull request must
 * keep answering webhooks meanwhile.
 */
function pauser(): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < YIELD_EVERY_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    last = performance.now();
  };
}

interface ActiveRule {
  rule: Rule;
  severity: Severity;
}

interface FileResult {
  findings: Finding[];
  notes: FileNote[];
  facts: Map<string, unknown>;
  suppressions: SuppressionMap;
  syntaxError: boolean;
}

/** The rules that run under this config and selection, with their effective severity. */
function activeRules(options: AnalyzeOptions): ActiveRule[] {
  const out: ActiveRule[] = [];
  for (const rule of RULES) {
    const { id, severity } = rule.meta;
    if (options.select?.length && !matchesIdList(id, options.select)) continue;
    if (options.ignore?.length && matchesIdList(id, options.ignore)) continue;
    const level = ruleLevel(options.config, id, severity);
    if (level !== 'off') out.push({ rule, severity: level });
  }
  return out;
}

/**
 * Analyse files with the rule set: the one entry point of the engine, shared by the
 * CLI and the GitHub App. Never throws for bad input: unreadable files, syntax errors
 * and rule crashes become notes, and the other files are still analysed.
 */
export async function analyze(files: readonly SourceFile[], options: AnalyzeOptions): Promise<AnalysisResult> {
  const rules = activeRules(options);
  const findings: Finding[] = [];
  const notes: FileNote[] = [];
  const perFile = new Map<string, FileResult>();
  let filesAnalyzed = 0;

  const pause = pauser();
  for (const file of files) {
    await pause();
    const decoded = decodeSource(file.content);
    if (!decoded.ok) {
      notes.push({ path: file.path, kind: decoded.kind, message: decoded.message });
      continue;
    }
    try {
      const result = await analyzeText(file.path, decoded.text, rules, options.config);
      if (options.verifyFixes !== false) await verifyFixes(file.path, decoded.text, result, rules, options.config, pause);
      perFile.set(file.path, result);
      findings.push(...result.findings);
      notes.push(...result.notes);
      filesAnalyzed++;
    } catch (error) {
      notes.push({ path: file.path, kind: 'crash', message: `analysis failed: ${describe(error)}` });
    }
  }

  const diff = options.diff;
  const changed = diff
    ? (path: string, from: number, to: number) => {
        const file = diff.get(path);
        for (let line = from; file && line <= to; line++) if (file.addedLines.has(line)) return true;
        return false;
      }
    : undefined;
  findings.push(...projectFindings(rules, perFile, options.config, notes, changed));

  let kept = findings.filter((f) => reportsAt(f, rules, options.config));
  if (options.diff) kept = filterFindings(findings, options.diff, options.config.filter_mode);
  kept.sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId));
  return { findings: kept, notes, filesAnalyzed };
}

/**
 * Test code and `per-file-ignores`: a rule reports in test files only when its meta says
 * `inTests`, and never on a path whose `per-file-ignores` entry names it.
 */
function reportsAt(finding: Finding, rules: ActiveRule[], config: ThreadlintConfig): boolean {
  const rule = rules.find((r) => r.rule.meta.id === finding.ruleId)?.rule;
  if (rule && !rule.meta.inTests && isTestPath(config, finding.path)) return false;
  const ignored = perFileIgnores(config, finding.path);
  return ignored.length === 0 || !matchesIdList(finding.ruleId, ignored);
}

/** Parse one text and run every per-file rule over its semantic model. */
async function analyzeText(path: string, text: string, rules: ActiveRule[], config: ThreadlintConfig): Promise<FileResult> {
  return withTree(text, (tree) => {
    let split: string[] | undefined;
    const lines = () => (split ??= text.split('\n'));
    const notes: FileNote[] = [];
    const facts = new Map<string, unknown>();
    const syntaxError = tree.rootNode.hasError;
    if (syntaxError) {
      const line = firstErrorLine(tree);
      notes.push({ path, kind: 'syntax-error', line, message: `syntax error at line ${line}; findings cover the parts that parse` });
    }
    const suppressions = new SuppressionMap(/threadlint|noqa/i.test(text) ? comments(tree) : []);
    const drafts: Draft[] = [];
    const codes = new Map<Draft, string>();
    if (RELEVANT_SOURCE.test(text)) {
      const model = new SemanticModel(tree, path);
      for (const { rule, severity } of rules) {
        const report = (r: Report) => {
          const draft = toDraft(rule, severity, path, model, r);
          if (suppressions.isSuppressed(rule.meta.id, draft.statementLine, draft.statementEndLine)) return;
          if (suppressions.isSuppressed(rule.meta.id, draft.line, draft.line)) return;
          codes.set(draft, normalizedLines(lines(), draft.statementLine, draft.statementEndLine));
          drafts.push(draft);
        };
        try {
          const locate = (node: Node): Site => {
            const span = statementSpan(model.statementOf(node));
            return { ...rangeOf(node), statementLine: span.start, statementEndLine: span.end, code: normalizedLines(lines(), span.start, span.end) };
          };
          rule.check({ path, source: text, model, config, report, setFacts: (f) => facts.set(rule.meta.id, f), locate });
        } catch (error) {
          notes.push({ path, kind: 'crash', message: `rule ${rule.meta.id} failed on this file and was skipped: ${describe(error)}` });
        }
      }
    }
    const findings = assignFingerprints(drafts, (d) => codes.get(d as Draft) ?? '');
    return { findings, notes, facts, suppressions, syntaxError };
  });
}

function toDraft(rule: Rule, severity: Severity, path: string, model: SemanticModel, r: Report): Draft {
  const span = statementSpan(model.statementOf(r.node));
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

/**
 * Keep a fix only if applying it leaves a file that still parses, with this finding
 * gone and no rule reporting more than before.
 */
async function verifyFixes(
  path: string,
  text: string,
  result: FileResult,
  rules: ActiveRule[],
  config: ThreadlintConfig,
  pause: () => Promise<void>,
): Promise<void> {
  const before = countByRule(result.findings);
  for (const finding of result.findings) {
    if (!finding.fix) continue;
    await pause();
    let ok = false;
    if (!result.syntaxError) {
      try {
        const fixed = applyEdits(text, finding.fix.edits);
        const after = await analyzeText(path, fixed, rules, config);
        const counts = countByRule(after.findings);
        ok =
          !after.syntaxError &&
          (counts.get(finding.ruleId) ?? 0) < (before.get(finding.ruleId) ?? 0) &&
          [...counts].every(([id, n]) => n <= (before.get(id) ?? 0));
      } catch {
        ok = false;
      }
    }
    if (!ok) delete finding.fix;
  }
}

function countByRule(findings: readonly Finding[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  return counts;
}

/** Rules that compare files run once all files are in, over the facts each file left. */
function projectFindings(
  rules: ActiveRule[],
  perFile: Map<string, FileResult>,
  config: ThreadlintConfig,
  notes: FileNote[],
  changed: ProjectContext['changed'],
): Finding[] {
  const out: Finding[] = [];
  for (const { rule, severity } of rules) {
    if (!rule.checkProject) continue;
    const files = [...perFile].filter(([, r]) => r.facts.has(rule.meta.id)).map(([path, r]) => ({ path, facts: r.facts.get(rule.meta.id) }));
    const drafts: Draft[] = [];
    const codes = new Map<Draft, string>();
    const report = (r: ProjectReport) => {
      const file = perFile.get(r.path);
      if (file?.suppressions.isSuppressed(rule.meta.id, r.statementLine, r.statementEndLine)) return;
      const { code, ...rest } = r;
      const draft: Draft = { ...rest, ruleId: rule.meta.id, severity, helpUri: rule.meta.helpUri };
      codes.set(draft, code);
      drafts.push(draft);
    };
    try {
      rule.checkProject({ files, config, report, changed });
    } catch (error) {
      notes.push({ path: '.', kind: 'crash', message: `rule ${rule.meta.id} failed and was skipped: ${describe(error)}` });
    }
    out.push(...assignFingerprints(drafts, (d) => codes.get(d as Draft) ?? ''));
  }
  return out;
}

function comments(tree: Tree): [number, string][] {
  return tree.rootNode
    .descendantsOfType('comment')
    .filter((c): c is Node => !!c)
    .map((c) => [c.startPosition.row + 1, c.text]);
}

/** Line of the first ERROR or MISSING node, descending only into subtrees with errors. */
function firstErrorLine(tree: Tree): number {
  let node: Node | null = tree.rootNode;
  while (node) {
    if (node.isError || node.isMissing) return node.startPosition.row + 1;
    let next: Node | null = null;
    for (const child of node.children) {
      if (child && (child.hasError || child.isMissing)) {
        next = child;
        break;
      }
    }
    if (!next) return node.startPosition.row + 1;
    node = next;
  }
  return 1;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
