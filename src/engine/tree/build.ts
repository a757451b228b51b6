/**
 * One cursor pass over tree-sitter's tree into the typed arrays of a `SyntaxTree`.
 *
 * The walk drives the WebAssembly cursor functions directly: web-tree-sitter's own
 * `TreeCursor` marshals the cursor through its transfer buffer on every property read,
 * while the cursor state can simply stay in that buffer for the whole walk. Per node it
 * asks only what cannot be derived: the symbol, the start offset, the field (only under
 * node types that have fields), and the end offset of leaves whose length is not fixed
 * (an inner node ends where its last child ends; a keyword or punctuation token is as
 * long as its name).
 */
import { ERROR_KIND, type Grammar } from './grammar.js';
import { HAS_ERROR, lineStartsOf, MISSING, SyntaxTree, type TreeArrays } from './syntax-tree.js';

/** The raw exports of web-tree-sitter's Emscripten module that the walk calls. */
export interface CursorModule {
  HEAP32: Int32Array;
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_missing_wasm(tree: number): number;
}

/** What the walk needs of a web-tree-sitter tree and its cursor (4 int32 slots). */
export interface WasmTree {
  /** Address of the C tree. */
  readonly address: number;
  readonly hasError: boolean;
  /** Cursor slots at the root, and a sink for the final ones (so the cursor can be freed). */
  cursor: Int32Array | number[];
}

export interface BuildOptions {
  /** Ask the end offset of every node (tests compare it with the derived one). */
  exactEnds?: boolean;
}

export function buildTree(source: string, wasm: WasmTree, module: CursorModule, transferBuffer: number, grammar: Grammar, options: BuildOptions = {}): SyntaxTree {
  const M = module;
  const t = wasm.address;
  const first = M._ts_tree_cursor_goto_first_child_wasm;
  const next = M._ts_tree_cursor_goto_next_sibling_wasm;
  const up = M._ts_tree_cursor_goto_parent_wasm;
  const typeId = M._ts_tree_cursor_current_node_type_id_wasm;
  const startIndex = M._ts_tree_cursor_start_index_wasm;
  const endIndex = M._ts_tree_cursor_end_index_wasm;
  const fieldId = M._ts_tree_cursor_current_field_id_wasm;
  const isMissing = M._ts_tree_cursor_current_node_is_missing_wasm;
  const { namedKinds, fieldedKinds, fixedLength, openEndedKinds, openStartKinds } = grammar;
  const exact = options.exactEnds === true || wasm.hasError;
  const checkMissing = wasm.hasError;

  const lineStarts = lineStartsOf(source);
  let row = 0;

  let cap = Math.max(64, (source.length >> 2) + 16);
  let kind = new Uint16Array(cap);
  let start = new Uint32Array(cap);
  let end = new Uint32Array(cap);
  let parent = new Int32Array(cap);
  let after = new Int32Array(cap);
  let field = new Uint16Array(cap);
  let flags = new Uint8Array(cap);
  let startRow = new Uint32Array(cap);
  /** Last child seen per open node (only open nodes' entries are read). */
  let last = new Int32Array(cap);
  const grow = () => {
    cap *= 2;
    kind = grown(kind, cap, Uint16Array);
    start = grown(start, cap, Uint32Array);
    end = grown(end, cap, Uint32Array);
    parent = grown(parent, cap, Int32Array);
    after = grown(after, cap, Int32Array);
    field = grown(field, cap, Uint16Array);
    flags = grown(flags, cap, Uint8Array);
    startRow = grown(startRow, cap, Uint32Array);
    last = grown(last, cap, Int32Array);
  };

  const b = transferBuffer >> 2;
  let heap = M.HEAP32;
  for (let i = 0; i < 4; i++) heap[b + i] = wasm.cursor[i];

  let n = 0;
  let p = -1;
  // A first child starts where its parent starts: one crossing saved for most inner nodes.
  let firstChild = false;
  for (;;) {
    if (n >= cap) grow();
    const k = typeId(t);
    const s = firstChild && !exact && !openStartKinds[kind[p]] ? start[p] : startIndex(t);
    firstChild = false;
    kind[n] = k;
    start[n] = s;
    parent[n] = p;
    field[n] = p >= 0 && fieldedKinds[kind[p]] ? fieldId(t) : 0;
    let f = namedKinds[k];
    if (k === ERROR_KIND) f |= HAS_ERROR;
    if (checkMissing && isMissing(t)) f |= MISSING | HAS_ERROR;
    flags[n] = f;
    if (s < lineStarts[row]) row = rowOf(lineStarts, s);
    while (row + 1 < lineStarts.length && lineStarts[row + 1] <= s) row++;
    startRow[n] = row;
    if (p >= 0) last[p] = n;
    if (exact || openEndedKinds[k]) end[n] = endIndex(t);
    // Keywords and punctuation never have children: no need to ask (unless the tree has errors).
    if ((exact || fixedLength[k] < 0) && first(t)) {
      p = n++;
      firstChild = true;
      continue;
    }
    if (!exact) end[n] = fixedLength[k] < 0 || f & MISSING ? endIndex(t) : s + fixedLength[k];
    after[n] = n + 1;
    n++;
    let done = false;
    while (!next(t)) {
      if (!up(t) || p < 0) {
        done = true;
        break;
      }
      // Leaving p: its subtree is complete.
      if (!exact && !openEndedKinds[kind[p]]) end[p] = end[last[p]];
      after[p] = n;
      p = parent[p];
    }
    if (done) break;
  }
  // Close whatever is still open (the walk ends at the root).
  while (p >= 0) {
    if (!exact && !openEndedKinds[kind[p]]) end[p] = end[last[p]];
    after[p] = n;
    p = parent[p];
  }
  propagateErrors(n, parent, flags);
  heap = M.HEAP32;
  for (let i = 0; i < 4; i++) wasm.cursor[i] = heap[b + i];

  // Copies of exactly n rows, so the growth slack is freed with the scratch arrays.
  const arrays: TreeArrays = {
    count: n,
    kind: kind.slice(0, n),
    start: start.slice(0, n),
    end: end.slice(0, n),
    parent: parent.slice(0, n),
    after: after.slice(0, n),
    field: field.slice(0, n),
    flags: flags.slice(0, n),
    startRow: startRow.slice(0, n),
  };
  return new SyntaxTree(source, arrays, grammar, lineStarts);
}

/**
 * Every node with an error below it carries HAS_ERROR. Rows are in pre-order, so one
 * backward sweep carries a child's flag to its parent before the parent is visited.
 */
function propagateErrors(n: number, parent: Int32Array, flags: Uint8Array): void {
  for (let i = n - 1; i > 0; i--) {
    if (flags[i] & HAS_ERROR) flags[parent[i]] |= HAS_ERROR;
  }
}

type TypedArray = Uint8Array | Uint16Array | Uint32Array | Int32Array;

function grown<T extends TypedArray>(array: T, size: number, Ctor: new (n: number) => T): T {
  const out = new Ctor(size);
  out.set(array);
  return out;
}

function rowOf(lineStarts: Uint32Array, offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
