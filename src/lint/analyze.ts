/**
 * `analyze(files, options)`: the one entry point the CLI and the GitHub App call. It
 * composes the engine (per-file analysis, project step) with the rule registry, the
 * config and the diff filter; the engine itself knows none of them.
 *
 * Files run as jobs — in this thread, or on worker threads with `jobs` — each to a
 * plain-data result (cacheable by content); context files feed the project step only.
 */
import { filterFindings } from '../diff/filter.js';
import type { FileAnalysis } from '../engine/file.js';
import { assignFingerprints } from '../engine/findings.js';
import { projectFindings } from '../engine/project.js';
import type { AnalysisResult, AnalyzeOptions, FileNote, Finding, SourceFile } from '../engine/types.js';
import { activeRules } from './active-rules.js';
import { fileJobKey, reportsFinding, type FileJob } from './file-job.js';
import { inThisThread, workerPool, type JobRunner } from './pool.js';
import { verifyProjectFixes } from './project-fixes.js';
import { ruleMeta } from '../rules/index.js';
import { toolVersion } from './version.js';

/** Longest stretch of analysis in this thread before the event loop gets a turn. */
const YIELD_EVERY_MS = 25;

export async function analyze(files: readonly SourceFile[], options: AnalyzeOptions): Promise<AnalysisResult> {
  const config = options.config;
  const selection = { select: options.select, ignore: options.ignore };
  const reported = new Set(files.map((f) => f.path));
  const job = (file: SourceFile, context: boolean): FileJob => ({
    file,
    config,
    ...selection,
    context,
    verifyFixes: options.verifyFixes,
    budgetMs: options.budgetMs,
    diff: options.diff && !context ? { file: options.diff.get(file.path) ?? null, mode: config.filter_mode } : undefined,
  });
  const jobs = [...files.map((f) => job(f, false)), ...(options.context ?? []).filter((f) => !reported.has(f.path)).map((f) => job(f, true))];
  const runner = chooseRunner(jobs, options);
  const results = await runAll(jobs, runner, options);

  const findings: Finding[] = [];
  const notes: FileNote[] = [];
  let filesAnalyzed = 0;
  for (const [i, r] of results.entries()) {
    if (jobs[i].context) continue;
    findings.push(...r.findings);
    notes.push(...r.notes);
    if (r.analysed) filesAnalyzed++;
  }

  const diff = options.diff;
  const changed = diff
    ? (path: string, from: number, to: number) => {
        const file = diff.get(path);
        for (let line = from; file && line <= to; line++) if (file.addedLines.has(line)) return true;
        return false;
      }
    : undefined;
  const project = projectFindings({
    rules: activeRules(config, selection),
    files: results,
    config,
    changed,
    reportable: (path) => reported.has(path),
  });
  if (options.verifyFixes !== false && project.findings.some((f) => f.fix)) {
    await verifyProjectFixes(project.findings, {
      jobs,
      results,
      run: (j) => runner.run(j),
      project: (rs, ids) => projectFindings({ rules: activeRules(config, selection).filter((r) => !ids || ids.has(r.rule.meta.id)), files: rs, config }).findings,
    });
  }
  const reportJob = (path: string) => job({ path, content: '' }, false);
  findings.push(...project.findings.filter((f) => reportsFinding(reportJob(f.path), f)));
  notes.push(...project.notes);
  if (options.reportUnusedIgnores) findings.push(...unusedIgnores(results.filter((_, i) => !jobs[i].context), options));

  let kept = findings;
  if (diff) kept = filterFindings(findings, diff, config.filter_mode);
  kept.sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId));
  return { findings: kept, notes, filesAnalyzed };
}

const SMALL_RUN_BYTES = 256 * 1024;

function chooseRunner(jobs: FileJob[], options: AnalyzeOptions): JobRunner {
  if (!options.jobs || options.jobs < 1) return inThisThread;
  const bytes = jobs.reduce((n, j) => n + j.file.content.length, 0);
  return bytes < (options.inThreadBelowBytes ?? SMALL_RUN_BYTES) ? inThisThread : workerPool(options.jobs);
}

async function runAll(jobs: FileJob[], runner: JobRunner, options: AnalyzeOptions): Promise<FileAnalysis[]> {
  const version = toolVersion();
  const one = async (job: FileJob): Promise<FileAnalysis> => {
    const key = options.cache ? fileJobKey(job, version) : '';
    const cached = options.cache ? await options.cache.get(key) : undefined;
    if (cached) return cached;
    const result = await runner.run(job);
    if (options.cache && result.analysed && !result.notes.some((n) => n.kind === 'budget' || n.kind === 'crash')) await options.cache.set(key, result);
    return result;
  };
  if (runner.parallel) return Promise.all(jobs.map(one));
  const out: FileAnalysis[] = [];
  let last = performance.now();
  for (const job of jobs) {
    out.push(await one(job));
    // A server analysing a big pull request in this thread must keep answering webhooks.
    if (performance.now() - last > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      last = performance.now();
    }
  }
  return out;
}

/** TL002 for suppressions that silenced nothing, among the rules that ran. */
function unusedIgnores(results: FileAnalysis[], options: AnalyzeOptions): Finding[] {
  const meta = ruleMeta('TL002');
  const active = activeRules(options.config, options);
  const tl002 = active.find((r) => r.rule.meta.id === 'TL002');
  if (!meta || !tl002) return [];
  const ran = active.map((r) => r.rule.meta.id);
  const drafts: Omit<Finding, 'fingerprint'>[] = [];
  for (const r of results) {
    for (const e of r.suppressions) {
      if (e.used.length > 0) continue;
      // An ignore of a rule that did not run (turned off, not selected) may still be needed.
      const named = e.ids === 'all' ? ran : e.ids.filter((id) => ran.some((known) => known.startsWith(id)));
      if (named.length === 0) continue;
      drafts.push({
        ruleId: 'TL002',
        severity: tl002.severity,
        path: r.path,
        line: e.line,
        column: e.column,
        endLine: e.line,
        endColumn: e.endColumn,
        statementLine: e.line,
        statementEndLine: e.line,
        message: `Unused suppression: ${e.ids === 'all' ? 'no finding' : `no ${e.ids.join(', ')} finding`} is silenced ${e.fileLevel ? 'in this file' : 'here'}; remove the comment.`,
        helpUri: meta.helpUri,
      });
    }
  }
  return assignFingerprints(drafts, (d) => `unused:${d.line}`);
}
