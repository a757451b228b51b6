/**
 * Which findings a diff keeps, as a pure function of the filter mode (reviewdog's
 * `added`, `diff_context`, `file`, `nofilter`). Every kept finding comes back as a new
 * object marked with where its reported line sits in the diff.
 */
import type { DiffFile, DiffPosition, FilterMode } from '../engine/types.js';

interface Filterable {
  path: string;
  line: number;
  endLine: number;
  statementLine: number;
  statementEndLine: number;
  diffPosition?: DiffPosition;
}

/** Where a new-side line sits: added by the diff, shown as context, or not shown. */
export function diffPosition(file: DiffFile, line: number): DiffPosition {
  if (file.addedLines.has(line)) return 'added';
  if (file.contextLines.has(line)) return 'context';
  return 'outside';
}

/** Index of the hunk whose new-side range holds `line`, or -1. */
export function hunkIndexOf(file: DiffFile, line: number): number {
  return file.hunks.findIndex((h) => line >= h.newStart && line < h.newStart + h.newLines);
}

/** Whether any line from..to is in `lines`; walks whichever of the two is shorter. */
function touches(lines: Set<number>, from: number, to: number): boolean {
  if (to - from + 1 <= lines.size) {
    for (let line = from; line <= to; line++) if (lines.has(line)) return true;
    return false;
  }
  for (const line of lines) if (line >= from && line <= to) return true;
  return false;
}

/** Whether `mode` keeps a finding on lines from..to of a file (undefined: not in the diff). */
export function keeps(file: DiffFile | undefined, from: number, to: number, mode: FilterMode): boolean {
  if (mode === 'nofilter') return true;
  if (!file || file.status === 'deleted') return false;
  if (mode === 'file') return true;
  if (touches(file.addedLines, from, to)) return true;
  return mode === 'diff_context' && touches(file.contextLines, from, to);
}

/**
 * Keep the findings `mode` allows. `added` and `diff_context` test the whole statement
 * (statementLine..statementEndLine), so a multi-line call is kept when any of its lines
 * changed; `diffPosition` still describes the reported line itself.
 */
export function filterFindings<T extends Filterable>(findings: T[], diff: Map<string, DiffFile>, mode: FilterMode): T[] {
  const kept: T[] = [];
  for (const finding of findings) {
    const file = diff.get(finding.path);
    const from = finding.statementLine;
    const to = Math.max(finding.statementLine, finding.statementEndLine);
    if (!keeps(file, from, to, mode)) continue;
    kept.push({ ...finding, diffPosition: file ? diffPosition(file, finding.line) : 'outside' });
  }
  return kept;
}

/** Diff files keyed by their new path, as filterFindings expects; deleted files are left out. */
export function diffByNewPath(files: DiffFile[]): Map<string, DiffFile> {
  const byPath = new Map<string, DiffFile>();
  for (const file of files) if (file.newPath !== null) byPath.set(file.newPath, file);
  return byPath;
}
