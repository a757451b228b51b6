/**
 * A small unified-diff printer for `--show-fixes`: whole-file before/after, git-style
 * headers and hunks. Lines are compared with their line terminator, so a change to the
 * final newline shows up with git's "\ No newline at end of file" marker.
 */

type Op = { kind: ' ' | '-' | '+'; line: string };

/** Split keeping each line's `\n` (the last line may have none). */
function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.length === 1 && lines[0] === '' ? [] : lines;
}

/**
 * Myers' O(ND) shortest edit script. Fixes change few lines, so D stays small and the
 * saved frontiers (one per edit step) stay cheap even for long files.
 */
function editScript(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const offset = n + m + 1;
  // v[offset + k]: furthest x reached on diagonal k; trace[d]: v before step d.
  let v = new Int32Array(2 * offset + 1);
  const trace: Int32Array[] = [];
  const fromAbove = (w: Int32Array, k: number, d: number) =>
    k === -d || (k !== d && w[offset + k - 1] < w[offset + k + 1]);
  search: for (let d = 0; d <= n + m; d++) {
    trace.push(v);
    v = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x = fromAbove(v, k, d) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) break search;
    }
  }
  // Walk the frontiers back from (n, m) to recover the path.
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const prev = trace[d];
    const k = x - y;
    const prevK = fromAbove(prev, k, d) ? k + 1 : k - 1;
    const prevX = prev[offset + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ kind: ' ', line: a[x] });
    }
    if (d > 0) {
      if (x === prevX) ops.push({ kind: '+', line: b[--y] });
      else ops.push({ kind: '-', line: a[--x] });
    }
  }
  return ops.reverse();
}

function range(start: number, count: number): string {
  // git/GNU convention: an empty range names the line before it; ",1" is implied.
  const first = count === 0 ? start - 1 : start;
  return count === 1 ? `${first}` : `${first},${count}`;
}

function printLine(op: Op): string {
  const body = op.line.endsWith('\n') ? op.line.slice(0, -1) : `${op.line}\n\\ No newline at end of file`;
  return `${op.kind}${body}`;
}

/** The unified diff of one file, or '' when nothing changed. */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const ops = editScript(splitLines(before), splitLines(after));
  const changed = ops.map((op, i) => (op.kind === ' ' ? -1 : i)).filter((i) => i >= 0);
  // Group changes whose context windows touch into hunks.
  const groups: [number, number][] = [];
  for (const i of changed) {
    const last = groups[groups.length - 1];
    if (last && i - last[1] <= 2 * context + 1) last[1] = i;
    else groups.push([i, i]);
  }
  const out = [`--- a/${path}`, `+++ b/${path}`];
  // Line numbers before each op, on both sides.
  const oldLine: number[] = [];
  const newLine: number[] = [];
  let o = 1;
  let w = 1;
  for (const op of ops) {
    oldLine.push(o);
    newLine.push(w);
    if (op.kind !== '+') o++;
    if (op.kind !== '-') w++;
  }
  for (const [first, last] of groups) {
    const from = Math.max(0, first - context);
    const to = Math.min(ops.length - 1, last + context);
    const slice = ops.slice(from, to + 1);
    const oldCount = slice.filter((op) => op.kind !== '+').length;
    const newCount = slice.filter((op) => op.kind !== '-').length;
    out.push(`@@ -${range(oldLine[from], oldCount)} +${range(newLine[from], newCount)} @@`);
    for (const op of slice) out.push(printLine(op));
  }
  return `${out.join('\n')}\n`;
}
