import { createHash } from 'node:crypto';

/**
 * The pure half of the ecosystem check: finding keys, counts, the baseline and its
 * diff, and the printed report. Nothing here reads files or runs processes, so jest
 * tests it without a network or a corpus.
 *
 * A baseline holds counts and finding keys only — rule, package-relative path and a
 * hash of the flagged lines' normalized text — never third-party source text.
 */

/** What the ecosystem check reads of a finding: a subset of the CLI's JSON report. */
export interface CliFinding {
  ruleId: string;
  path: string;
  line: number;
  column: number;
  endLine: number;
  message: string;
  fix?: { description: string; edits: { startLine: number; startColumn: number; endLine: number; endColumn: number; text: string }[] };
}

export interface PackageResult {
  name: string;
  version: string;
  files: number;
  lines: number;
  /** Findings per rule ID. */
  counts: Record<string, number>;
  /** `TL201 pkg/mod.py 0123456789ab` (with `:n` for the n-th repeat), sorted. */
  keys: string[];
}

export interface Baseline {
  version: 1;
  /** The options the baseline was taken with (`--select`, `--profile`, `--config`), for the reader. */
  options: string[];
  packages: Record<string, PackageResult>;
}

/** Whitespace-folded text of lines `from..to` (1-based, inclusive). */
export function normalizedText(lines: readonly string[], from: number, to: number): string {
  return lines
    .slice(from - 1, Math.max(from, to))
    .join('\n')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * One key per finding, in the findings' order: rule, path and a hash of the flagged lines'
 * text, so a key survives line shifts but not an edit of the flagged code. Repeats of the
 * same text get `:1`, `:2` … in order of appearance.
 */
export function findingKeys(findings: readonly CliFinding[], linesOf: (path: string) => readonly string[]): string[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const text = normalizedText(linesOf(f.path), f.line, f.endLine);
    const hash = createHash('sha256').update(`${f.ruleId}\0${f.path}\0${text}`).digest('hex').slice(0, 12);
    const base = `${f.ruleId} ${f.path} ${hash}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}:${n}`;
  });
}

/** Findings per rule ID. */
export function countByRule(findings: readonly { ruleId: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of findings) out[f.ruleId] = (out[f.ruleId] ?? 0) + 1;
  return sortedRecord(out);
}

function sortedRecord(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** Findings per 1,000 lines, one decimal. */
export function perKiloLine(findings: number, lines: number): string {
  return lines === 0 ? '0.0' : ((findings * 1000) / lines).toFixed(1);
}

/** The findings of `threadlint check --format json`: a list, or `{ findings, readiness }` under the free-threading profile. */
export function cliFindings(json: unknown): CliFinding[] {
  if (Array.isArray(json)) return json as CliFinding[];
  const findings = (json as { findings?: unknown } | null)?.findings;
  if (Array.isArray(findings)) return findings as CliFinding[];
  throw new Error('threadlint printed JSON that holds no findings list');
}

/** Whether a baseline was taken with the run's options. */
export function sameOptions(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function makeBaseline(results: readonly PackageResult[], options: string[]): Baseline {
  const packages: Record<string, PackageResult> = {};
  for (const r of [...results].sort((a, b) => a.name.localeCompare(b.name))) {
    packages[r.name] = { ...r, counts: sortedRecord(r.counts), keys: [...r.keys].sort() };
  }
  return { version: 1, options, packages };
}

export interface RuleChange {
  ruleId: string;
  before: number;
  after: number;
}

export interface BaselineDiff {
  /** Per rule, over the packages present in both runs; rules with no finding on either side are left out. */
  rules: RuleChange[];
  /** Keys present now and not in the baseline, and the reverse (packages in both runs only). */
  added: string[];
  removed: string[];
  /** Packages analysed now that the baseline lacks, or whose version differs. */
  notComparable: string[];
}

/**
 * What changed against the baseline. Packages only in one of the two, or at another
 * version, are not compared (they are named in `notComparable`).
 */
export function diffBaseline(baseline: Baseline | null, current: readonly PackageResult[]): BaselineDiff {
  const before = new Map<string, number>();
  const after = new Map<string, number>();
  const added: string[] = [];
  const removed: string[] = [];
  const notComparable: string[] = [];
  for (const now of current) {
    const then = baseline?.packages[now.name];
    if (!then || then.version !== now.version) {
      notComparable.push(now.name);
      continue;
    }
    for (const [id, n] of Object.entries(then.counts)) before.set(id, (before.get(id) ?? 0) + n);
    for (const [id, n] of Object.entries(now.counts)) after.set(id, (after.get(id) ?? 0) + n);
    const old = new Set(then.keys);
    const fresh = new Set(now.keys);
    for (const k of now.keys) if (!old.has(k)) added.push(`${now.name}: ${k}`);
    for (const k of then.keys) if (!fresh.has(k)) removed.push(`${now.name}: ${k}`);
  }
  const ids = [...new Set([...before.keys(), ...after.keys()])].sort();
  const rules = ids.map((ruleId) => ({ ruleId, before: before.get(ruleId) ?? 0, after: after.get(ruleId) ?? 0 }));
  return { rules, added: added.sort(), removed: removed.sort(), notComparable };
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

/** The printed report: per package, per rule (with per-1,000-line rates), and the change against the baseline. */
export function formatReport(results: readonly PackageResult[], diff: BaselineDiff, maxKeys = 40): string {
  const out: string[] = [];
  const totalLines = results.reduce((n, r) => n + r.lines, 0);
  const totalFiles = results.reduce((n, r) => n + r.files, 0);
  const total = results.reduce((n, r) => n + r.keys.length, 0);
  const nameWidth = Math.max(7, ...results.map((r) => `${r.name} ${r.version}`.length));

  out.push('Findings per package');
  out.push(`${pad('package', nameWidth)}  ${pad('lines', 9, true)}  ${pad('found', 5, true)}  ${pad('/kloc', 6, true)}  by rule`);
  for (const r of results) {
    const byRule = Object.entries(r.counts)
      .map(([id, n]) => `${id}:${n}`)
      .join(' ');
    out.push(
      `${pad(`${r.name} ${r.version}`, nameWidth)}  ${pad(String(r.lines), 9, true)}  ${pad(String(r.keys.length), 5, true)}  ${pad(perKiloLine(r.keys.length, r.lines), 6, true)}  ${byRule}`,
    );
  }
  out.push(`${pad(`${results.length} packages, ${totalFiles} files`, nameWidth)}  ${pad(String(totalLines), 9, true)}  ${pad(String(total), 5, true)}  ${pad(perKiloLine(total, totalLines), 6, true)}`);
  out.push('');

  const totals = new Map<string, number>();
  const packagesWith = new Map<string, number>();
  for (const r of results) {
    for (const [id, n] of Object.entries(r.counts)) {
      totals.set(id, (totals.get(id) ?? 0) + n);
      packagesWith.set(id, (packagesWith.get(id) ?? 0) + 1);
    }
  }
  const change = new Map(diff.rules.map((c) => [c.ruleId, c]));
  out.push('Findings per rule');
  out.push(`${pad('rule', 6)}  ${pad('found', 5, true)}  ${pad('/kloc', 6, true)}  ${pad('packages', 8, true)}  ${pad('baseline', 8, true)}  ${pad('change', 6, true)}`);
  const ids = [...new Set([...totals.keys(), ...change.keys()])].sort();
  for (const id of ids) {
    const n = totals.get(id) ?? 0;
    const c = change.get(id);
    out.push(
      `${pad(id, 6)}  ${pad(String(n), 5, true)}  ${pad(perKiloLine(n, totalLines), 6, true)}  ${pad(String(packagesWith.get(id) ?? 0), 8, true)}  ${pad(c ? String(c.before) : '-', 8, true)}  ${pad(c ? signed(c.after - c.before) : '-', 6, true)}`,
    );
  }
  out.push('');

  if (diff.notComparable.length) out.push(`Not in the baseline (or at another version): ${diff.notComparable.join(', ')}`);
  const compared = results.length - diff.notComparable.length;
  if (compared === 0) {
    out.push('Nothing compared against the baseline.');
  } else if (diff.added.length === 0 && diff.removed.length === 0) {
    out.push('No change against the baseline.');
  } else {
    out.push(`Against the baseline: ${diff.added.length} new, ${diff.removed.length} gone.`);
    const list = (title: string, keys: string[]) => {
      if (!keys.length) return;
      out.push(title);
      for (const k of keys.slice(0, maxKeys)) out.push(`  ${k}`);
      if (keys.length > maxKeys) out.push(`  … and ${keys.length - maxKeys} more (--all-keys lists them all)`);
    };
    list('New:', diff.added);
    list('Gone:', diff.removed);
  }
  return `${out.join('\n')}\n`;
}

/** One fix applied alone to a scratch copy, and what came of it. */
export interface FixOutcome {
  key: string;
  compiles: boolean;
  /** The finding's rule reports fewer findings in the fixed file. */
  gone: boolean;
  /** Rules that report more in the fixed file than before. */
  added: string[];
  error?: string;
}

export function fixOutcomeOk(o: FixOutcome): boolean {
  return o.compiles && o.gone && o.added.length === 0 && !o.error;
}

/**
 * Judge a fix by the findings before and after it: the fixed rule reports fewer, and no
 * rule reports more.
 */
export function judgeFix(ruleId: string, before: readonly { ruleId: string }[], after: readonly { ruleId: string }[]): { gone: boolean; added: string[] } {
  const b = countByRule(before);
  const a = countByRule(after);
  const gone = (a[ruleId] ?? 0) < (b[ruleId] ?? 0);
  const added = Object.keys(a).filter((id) => a[id] > (b[id] ?? 0));
  return { gone, added };
}

export function formatFixOutcomes(outcomes: readonly FixOutcome[]): string {
  const bad = outcomes.filter((o) => !fixOutcomeOk(o));
  const out = [`Fixes applied one at a time: ${outcomes.length}, ${outcomes.length - bad.length} good, ${bad.length} bad.`];
  for (const o of bad) {
    const why = [
      o.error ? `error: ${o.error}` : '',
      o.compiles ? '' : 'does not compile',
      o.gone ? '' : 'finding not gone',
      o.added.length ? `new findings: ${o.added.join(', ')}` : '',
    ].filter(Boolean);
    out.push(`  ${o.key}: ${why.join('; ')}`);
  }
  return `${out.join('\n')}\n`;
}
