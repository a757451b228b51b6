/**
 * One file's work as plain data in, plain data out: what a worker thread runs and what
 * the cache keys. It composes the engine with the rule registry, the config's test-code
 * and per-file rules, and the diff filter, so only the findings that will be reported are
 * kept and only their fixes are verified.
 */
import { createHash } from 'node:crypto';
import { isTestPath, matchesIdList, perFileIgnores, ruleLevel } from '../config/resolve.js';
import { keeps } from '../diff/filter.js';
import { analyzeFile, type FileAnalysis } from '../engine/file.js';
import { assignFingerprints } from '../engine/findings.js';
import { unknownIds } from '../engine/suppressions.js';
import type { DiffFile, FilterMode, Finding, SourceFile, ThreadlintConfig } from '../engine/types.js';
import { activeRules, knownRuleIds, type Selection } from './active-rules.js';
import { ruleMeta } from '../rules/index.js';

export interface FileJob extends Selection {
  file: SourceFile;
  config: ThreadlintConfig;
  /** With a diff: this file's part of it (null when the diff does not touch it). */
  diff?: { file: DiffFile | null; mode: FilterMode };
  /** A context file: analysed for cross-file facts, never reported on. */
  context?: boolean;
  verifyFixes?: boolean;
  budgetMs?: number;
}

/** Whether a finding of this job will be reported. */
export function reportsFinding(job: FileJob, finding: Pick<Finding, 'ruleId' | 'path' | 'statementLine' | 'statementEndLine'>): boolean {
  if (job.context) return false;
  const { config } = job;
  if (!ruleMeta(finding.ruleId)?.inTests && isTestPath(config, finding.path)) return false;
  const ignored = perFileIgnores(config, finding.path);
  if (ignored.length && matchesIdList(finding.ruleId, ignored)) return false;
  if (job.diff) {
    const to = Math.max(finding.statementLine, finding.statementEndLine);
    if (!keeps(job.diff.file ?? undefined, finding.statementLine, to, job.diff.mode)) return false;
  }
  return true;
}

export async function runFileJob(job: FileJob): Promise<FileAnalysis> {
  const rules = activeRules(job.config, job);
  const result = await analyzeFile(job.file, {
    rules,
    config: job.config,
    budgetMs: job.budgetMs,
    verifyFixes: job.verifyFixes,
    keep: (f) => reportsFinding(job, f),
  });
  result.findings.push(...badSuppressions(job, result));
  return result;
}

/** TL002 for suppression comments that name rule IDs threadlint does not have. */
function badSuppressions(job: FileJob, result: FileAnalysis): Finding[] {
  const meta = ruleMeta('TL002');
  if (!meta || job.context) return [];
  const level = ruleLevel(job.config, 'TL002', meta.severity);
  if (level === 'off' || !activeRules(job.config, job).some((r) => r.rule.meta.id === 'TL002')) return [];
  const known = knownRuleIds();
  const drafts: Omit<Finding, 'fingerprint'>[] = [];
  for (const entry of result.suppressions) {
    const unknown = unknownIds(entry, known);
    if (unknown.length === 0) continue;
    drafts.push({
      ruleId: 'TL002',
      severity: level,
      path: result.path,
      line: entry.line,
      column: entry.column,
      endLine: entry.line,
      endColumn: entry.endColumn,
      statementLine: entry.line,
      statementEndLine: entry.line,
      message: `Suppression names ${unknown.length === 1 ? 'an unknown rule ID' : 'unknown rule IDs'}: ${unknown.join(', ')} (threadlint's IDs are TL001–TL6xx; see \`threadlint rules\`).`,
      helpUri: meta.helpUri,
    });
  }
  return assignFingerprints(drafts, (d) => `${d.line}:${unknownIds(result.suppressions.find((e) => e.line === d.line)!, known).join(',')}`).filter((f) => reportsFinding(job, f));
}

/** A cache key for the job: everything its result depends on. */
export function fileJobKey(job: FileJob, version: string): string {
  const hash = createHash('sha256');
  const { file, ...rest } = job;
  hash.update(version).update('\0').update(file.path).update('\0');
  hash.update(typeof file.content === 'string' ? file.content : Buffer.from(file.content.buffer, file.content.byteOffset, file.content.byteLength));
  hash.update('\0').update(JSON.stringify(rest, (_k, v: unknown) => (v instanceof Set ? [...v].sort((a, b) => a - b) : v)));
  return hash.digest('hex');
}
