/**
 * Fix verification that scales with the number of fixes: the guarantee stays — a fix
 * that is offered leaves a file that parses, removes its finding and adds none — but it
 * is checked on batches, not one whole-file re-analysis per fix.
 *
 * 1. Findings with identical edits form one group (a nested `with L:` reported at every
 *    level proposes the same `Lock()` → `RLock()` edit each time): verified once.
 * 2. Groups whose edits do not overlap are applied together and the file is analysed
 *    once. Passing means: it parses, and for every rule the count dropped by at least the
 *    number of groups of that rule in the batch.
 * 3. A failing batch is first explained locally — a group is blamed when, within the
 *    lines its edit touches, some rule reports more than before (its own finding
 *    discounted) — and the rest is checked again; only what stays unexplained is split
 *    in halves (bisection).
 * Typical files take one extra analysis, files with broken fixes two or three.
 */
import { BudgetExceeded, checkBudget } from './budget.js';
import { applySpans, lineStarts, spansOf, type Span } from './edits.js';
import type { RuleRun } from './file.js';
import type { Finding } from './types.js';

/** Analyse a changed text with the same rules; null when it does not parse. */
export type Rerun = (text: string) => RuleRun | null;

interface Group {
  ruleId: string;
  findings: Finding[];
  spans: Span[];
  from: number;
  to: number;
}

/**
 * Keep the fixes of `candidates` that pass; delete the others. `before` is the analysis
 * of `text` that produced them. Out of budget, whatever is not yet verified is dropped.
 */
export function verifyFixes(text: string, before: RuleRun, candidates: readonly Finding[], rerun: Rerun): void {
  const starts = lineStarts(text);
  const groups = groupByEdits(text, starts, candidates);
  const accepted = new Set<Group>();
  const base = countByRule(before.findings);

  const check = (batch: Group[]): RuleRun | null | true => {
    checkBudget();
    const after = rerun(applySpans(text, batch.flatMap((g) => g.spans)));
    if (!after || after.syntaxError) return after;
    const removed = new Map<string, number>();
    for (const g of batch) removed.set(g.ruleId, (removed.get(g.ruleId) ?? 0) + 1);
    const counts = countByRule(after.findings);
    for (const id of new Set([...counts.keys(), ...removed.keys()])) {
      if ((counts.get(id) ?? 0) > (base.get(id) ?? 0) - (removed.get(id) ?? 0)) return after;
    }
    return true;
  };

  const verify = (batch: Group[]): void => {
    if (batch.length === 0) return;
    const result = check(batch);
    if (result === true) {
      for (const g of batch) accepted.add(g);
      return;
    }
    if (batch.length === 1) return;
    if (result) {
      const blamed = blame(text, starts, before, batch, result);
      if (blamed.size > 0 && blamed.size < batch.length) {
        const rest = batch.filter((g) => !blamed.has(g));
        if (check(rest) === true) {
          for (const g of rest) accepted.add(g);
          return;
        }
      }
    }
    const mid = batch.length >> 1;
    verify(batch.slice(0, mid));
    verify(batch.slice(mid));
  };

  try {
    for (const batch of nonOverlapping(groups)) verify(batch);
  } catch (error) {
    if (!(error instanceof BudgetExceeded)) throw error;
  }
  for (const g of groups) if (!accepted.has(g)) for (const f of g.findings) delete f.fix;
}

function groupByEdits(text: string, starts: readonly number[], candidates: readonly Finding[]): Group[] {
  const byKey = new Map<string, Group>();
  for (const f of candidates) {
    if (!f.fix) continue;
    const key = `${f.ruleId}\0${JSON.stringify(f.fix.edits)}`;
    const known = byKey.get(key);
    if (known) {
      known.findings.push(f);
      continue;
    }
    let spans: Span[];
    try {
      spans = spansOf(text, f.fix.edits, starts);
      if (spans.some((s) => s.from > s.to) || overlapsItself(spans)) throw new Error('bad edits');
    } catch {
      delete f.fix;
      continue;
    }
    const from = Math.min(...spans.map((s) => s.from));
    const to = Math.max(...spans.map((s) => s.to));
    byKey.set(key, { ruleId: f.ruleId, findings: [f], spans, from, to });
  }
  return [...byKey.values()].sort((a, b) => a.from - b.from || a.to - b.to);
}

function overlapsItself(spans: Span[]): boolean {
  const sorted = [...spans].sort((a, b) => a.from - b.from);
  return sorted.some((s, i) => i > 0 && s.from < sorted[i - 1].to);
}

/** First-fit into batches whose groups do not overlap (one batch unless fixes collide). */
function nonOverlapping(groups: Group[]): Group[][] {
  const batches: { end: number; groups: Group[] }[] = [];
  for (const g of groups) {
    const batch = batches.find((b) => g.from >= b.end);
    if (batch) {
      batch.groups.push(g);
      batch.end = g.to;
    } else batches.push({ end: g.to, groups: [g] });
  }
  return batches.map((b) => b.groups);
}

/**
 * Groups whose own lines show more findings after the batch than before (the group's
 * own finding discounted): the likely culprits of a failed batch.
 */
function blame(text: string, starts: readonly number[], before: RuleRun, batch: Group[], after: RuleRun): Set<Group> {
  const blamed = new Set<Group>();
  // Lines of each group before and after: edits of earlier groups shift later ones.
  let shift = 0;
  const fixedText = applySpans(text, batch.flatMap((g) => g.spans));
  const fixedStarts = lineStarts(fixedText);
  for (const g of batch) {
    const inserted = g.spans.reduce((n, s) => n + s.text.length - (s.to - s.from), 0);
    const oldLines = [lineAt(starts, g.from), lineAt(starts, g.to)];
    const newLines = [lineAt(fixedStarts, g.from + shift), lineAt(fixedStarts, g.to + shift + inserted)];
    shift += inserted;
    const count = (findings: readonly Finding[], [lo, hi]: number[]) => {
      const m = new Map<string, number>();
      for (const f of findings) if (f.line >= lo && f.line <= hi) m.set(f.ruleId, (m.get(f.ruleId) ?? 0) + 1);
      return m;
    };
    const was = count(before.findings, oldLines);
    const own = count(g.findings, oldLines);
    const now = count(after.findings, newLines);
    for (const [id, n] of now) {
      if (n > (was.get(id) ?? 0) - (own.get(id) ?? 0)) blamed.add(g);
    }
  }
  return blamed;
}

/** 1-based line of an offset. */
function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function countByRule(findings: readonly Finding[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  return counts;
}
