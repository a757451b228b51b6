import type { TextEdit } from './types.js';

/** Offsets of each line start, so 1-based positions map to string indices. */
export function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export function offsetOf(starts: readonly number[], source: string, line: number, column: number): number {
  if (line - 1 >= starts.length) return source.length;
  return Math.min(starts[line - 1] + column - 1, source.length);
}

/** An edit in string offsets of the text it applies to. */
export interface Span {
  from: number;
  to: number;
  text: string;
}

export function spansOf(source: string, edits: readonly TextEdit[], starts: readonly number[] = lineStarts(source)): Span[] {
  return edits.map((e) => ({
    from: offsetOf(starts, source, e.startLine, e.startColumn),
    to: offsetOf(starts, source, e.endLine, e.endColumn),
    text: e.text,
  }));
}

/**
 * Apply non-overlapping spans in one pass (linear in the text and the edits). Positions
 * all refer to the original text; overlapping or inverted spans are an error.
 */
export function applySpans(source: string, spans: readonly Span[]): string {
  const sorted = [...spans].sort((a, b) => a.from - b.from || a.to - b.to);
  const parts: string[] = [];
  let at = 0;
  for (const s of sorted) {
    if (s.from < at || s.from > s.to) throw new Error('overlapping or inverted edits');
    parts.push(source.slice(at, s.from), s.text);
    at = s.to;
  }
  parts.push(source.slice(at));
  return parts.join('');
}

/** Apply non-overlapping edits to a source text; their positions all refer to the original. */
export function applyEdits(source: string, edits: readonly TextEdit[]): string {
  return applySpans(source, spansOf(source, edits));
}
