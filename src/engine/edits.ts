import type { TextEdit } from './types.js';

/** Offsets of each line start, so 1-based positions map to string indices. */
export function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export function offsetOf(starts: number[], source: string, line: number, column: number): number {
  if (line - 1 >= starts.length) return source.length;
  return Math.min(starts[line - 1] + column - 1, source.length);
}

/**
 * Apply non-overlapping edits to a source text. Edits are applied back to front, so
 * their positions all refer to the original text. Overlapping edits are an error.
 */
export function applyEdits(source: string, edits: readonly TextEdit[]): string {
  const starts = lineStarts(source);
  const spans = edits
    .map((e) => ({
      from: offsetOf(starts, source, e.startLine, e.startColumn),
      to: offsetOf(starts, source, e.endLine, e.endColumn),
      text: e.text,
    }))
    .sort((a, b) => b.from - a.from || b.to - a.to);
  let out = source;
  let limit = Infinity;
  for (const s of spans) {
    if (s.to > limit || s.from > s.to) throw new Error('overlapping or inverted edits');
    out = out.slice(0, s.from) + s.text + out.slice(s.to);
    limit = s.from;
  }
  return out;
}
