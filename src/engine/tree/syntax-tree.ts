/**
 * The syntax tree the model and the rules read: built once per file from tree-sitter's
 * tree in one cursor pass (see `build.ts`), then owned by JavaScript. Nodes are rows of
 * typed arrays in pre-order, so a node's descendants are the rows right after it, its
 * parent is one array read, and nothing crosses into WebAssembly after the build (Ruff
 * owns its AST for the same reason). `SyntaxNode` is a thin view over one row that
 * speaks the subset of web-tree-sitter's `Node` API the analysis uses; views are made
 * on demand and cached, so the same row is always the same object.
 */
import { tick } from '../budget.js';
import type { Grammar } from './grammar.js';

export interface Point {
  row: number;
  column: number;
}

/** Flag bits per row. */
export const NAMED = 1;
export const MISSING = 2;
export const HAS_ERROR = 4;

export interface TreeArrays {
  count: number;
  kind: Uint16Array;
  start: Uint32Array;
  end: Uint32Array;
  /** Row of the parent, -1 for the root. */
  parent: Int32Array;
  /** One past the last row of the subtree: children of i start at i + 1. */
  after: Int32Array;
  field: Uint16Array;
  flags: Uint8Array;
  startRow: Uint32Array;
}

export class SyntaxTree {
  readonly count: number;
  private readonly views: (SyntaxNode | undefined)[];
  private byKind: Map<number, Int32Array> | undefined;

  constructor(
    readonly source: string,
    readonly arrays: TreeArrays,
    readonly grammar: Grammar,
    private readonly lineStarts: Uint32Array = lineStartsOf(source),
  ) {
    this.count = arrays.count;
    this.views = new Array(arrays.count);
  }

  get rootNode(): SyntaxNode {
    return this.node(0);
  }

  /** The view of one row (rows are numbered in pre-order; 0 is the module). */
  node(row: number): SyntaxNode {
    const view = this.views[row];
    if (view) return view;
    tick();
    return (this.views[row] = new SyntaxNode(this, row));
  }

  nodeOrNull(row: number): SyntaxNode | null {
    return row < 0 || row >= this.count ? null : this.node(row);
  }

  typeName(row: number): string {
    return this.grammar.typeName(this.arrays.kind[row]);
  }

  /** Rows of one kind, in source order (indexed on first use). */
  rowsOfKind(kind: number): Int32Array {
    this.byKind ??= this.indexKinds();
    return this.byKind.get(kind) ?? EMPTY;
  }

  private indexKinds(): Map<number, Int32Array> {
    const { kind, count } = this.arrays;
    const counts = new Uint32Array(65536);
    for (let i = 0; i < count; i++) counts[kind[i]]++;
    const out = new Map<number, Int32Array>();
    const fill = new Uint32Array(65536);
    for (let i = 0; i < count; i++) {
      const k = kind[i];
      let list = out.get(k);
      if (!list) out.set(k, (list = new Int32Array(counts[k])));
      list[fill[k]++] = i;
    }
    return out;
  }

  /** Row and UTF-16 column of an offset. */
  pointAt(offset: number): Point {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: offset - starts[lo] };
  }

  /** Offset where a row (0-based line) starts. */
  lineStart(row: number): number {
    const starts = this.lineStarts;
    return starts[Math.min(row, starts.length - 1)];
  }
}

const EMPTY = new Int32Array(0);

export function lineStartsOf(source: string): Uint32Array {
  let n = 1;
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) n++;
  const starts = new Uint32Array(n);
  let k = 1;
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) starts[k++] = i + 1;
  return starts;
}

export class SyntaxNode {
  private cachedChildren: SyntaxNode[] | undefined;
  private cachedNamed: SyntaxNode[] | undefined;

  constructor(
    readonly tree: SyntaxTree,
    /** The row; unique within the tree, so it serves as the node's identity. */
    readonly id: number,
  ) {}

  get type(): string {
    return this.tree.typeName(this.id);
  }

  /** Numeric kind (the grammar's symbol id); compare with `grammar.kind(name)`. */
  get kind(): number {
    return this.tree.arrays.kind[this.id];
  }

  get startIndex(): number {
    return this.tree.arrays.start[this.id];
  }

  get endIndex(): number {
    return this.tree.arrays.end[this.id];
  }

  get text(): string {
    return this.tree.source.slice(this.startIndex, this.endIndex);
  }

  get startPosition(): Point {
    const row = this.tree.arrays.startRow[this.id];
    return { row, column: this.startIndex - this.tree.lineStart(row) };
  }

  get endPosition(): Point {
    return this.tree.pointAt(this.endIndex);
  }

  get isNamed(): boolean {
    return (this.tree.arrays.flags[this.id] & NAMED) !== 0;
  }

  get isMissing(): boolean {
    return (this.tree.arrays.flags[this.id] & MISSING) !== 0;
  }

  get isError(): boolean {
    return this.tree.grammar.isErrorKind(this.kind);
  }

  get hasError(): boolean {
    return (this.tree.arrays.flags[this.id] & HAS_ERROR) !== 0;
  }

  get parent(): SyntaxNode | null {
    return this.tree.nodeOrNull(this.tree.arrays.parent[this.id]);
  }

  get children(): SyntaxNode[] {
    if (!this.cachedChildren) {
      const { after } = this.tree.arrays;
      const out: SyntaxNode[] = [];
      for (let row = this.id + 1, end = after[this.id]; row < end; row = after[row]) out.push(this.tree.node(row));
      this.cachedChildren = out;
    }
    return this.cachedChildren;
  }

  get namedChildren(): SyntaxNode[] {
    if (!this.cachedNamed) {
      if (this.cachedChildren) this.cachedNamed = this.cachedChildren.filter((c) => c.isNamed);
      else {
        // Straight from the rows: views only for the named children.
        const { after, flags } = this.tree.arrays;
        const out: SyntaxNode[] = [];
        for (let row = this.id + 1, end = after[this.id]; row < end; row = after[row]) if (flags[row] & NAMED) out.push(this.tree.node(row));
        this.cachedNamed = out;
      }
    }
    return this.cachedNamed;
  }

  get childCount(): number {
    return this.children.length;
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  child(index: number): SyntaxNode | null {
    return this.children[index] ?? null;
  }

  namedChild(index: number): SyntaxNode | null {
    return this.namedChildren[index] ?? null;
  }

  get firstChild(): SyntaxNode | null {
    return this.child(0);
  }

  get lastChild(): SyntaxNode | null {
    return this.child(this.childCount - 1);
  }

  get firstNamedChild(): SyntaxNode | null {
    return this.namedChild(0);
  }

  get lastNamedChild(): SyntaxNode | null {
    return this.namedChild(this.namedChildCount - 1);
  }

  childForFieldName(name: string): SyntaxNode | null {
    tick();
    const field = this.tree.grammar.fieldId(name);
    if (!field) return null;
    const { after, field: fields } = this.tree.arrays;
    for (let row = this.id + 1, end = after[this.id]; row < end; row = after[row]) {
      if (fields[row] === field) return this.tree.node(row);
    }
    return null;
  }

  childrenForFieldName(name: string): SyntaxNode[] {
    const field = this.tree.grammar.fieldId(name);
    const out: SyntaxNode[] = [];
    if (!field) return out;
    const { after, field: fields } = this.tree.arrays;
    for (let row = this.id + 1, end = after[this.id]; row < end; row = after[row]) {
      if (fields[row] === field) out.push(this.tree.node(row));
    }
    return out;
  }

  /** The name of the field this node fills in its parent, or null. */
  get fieldName(): string | null {
    return this.tree.grammar.fieldName(this.tree.arrays.field[this.id]);
  }

  get nextSibling(): SyntaxNode | null {
    const { after, parent } = this.tree.arrays;
    const p = parent[this.id];
    const next = after[this.id];
    return p >= 0 && next < after[p] ? this.tree.node(next) : null;
  }

  get previousSibling(): SyntaxNode | null {
    const siblings = this.parent?.children;
    if (!siblings) return null;
    const i = indexOfRow(siblings, this.id);
    return i > 0 ? siblings[i - 1] : null;
  }

  get nextNamedSibling(): SyntaxNode | null {
    let n = this.nextSibling;
    while (n && !n.isNamed) n = n.nextSibling;
    return n;
  }

  get previousNamedSibling(): SyntaxNode | null {
    const siblings = this.parent?.namedChildren;
    if (!siblings) return null;
    if (this.isNamed) {
      const i = indexOfRow(siblings, this.id);
      return i > 0 ? siblings[i - 1] : null;
    }
    let best: SyntaxNode | null = null;
    for (const s of siblings) if (s.id < this.id) best = s;
    return best;
  }

  /** Whether `other` lies inside this node's subtree (itself included). */
  contains(other: SyntaxNode): boolean {
    return other.id >= this.id && other.id < this.tree.arrays.after[this.id];
  }

  /** Descendants (not the node itself) of the given types, in source order. */
  descendantsOfType(types: string | readonly string[]): SyntaxNode[] {
    const grammar = this.tree.grammar;
    const kinds = (typeof types === 'string' ? [types] : types).flatMap((t) => grammar.kindsOf(t));
    const from = this.id + 1;
    const to = this.tree.arrays.after[this.id];
    const rows: number[] = [];
    for (const kind of kinds) {
      const list = this.tree.rowsOfKind(kind);
      for (let i = lowerBound(list, from); i < list.length && list[i] < to; i++) rows.push(list[i]);
    }
    if (kinds.length > 1) rows.sort((a, b) => a - b);
    return rows.map((r) => this.tree.node(r));
  }

  /** A short description, so test failures and logs never print the whole tree. */
  toJSON(): { type: string; start: Point; end: Point; text: string } {
    const text = this.text;
    return { type: this.type, start: this.startPosition, end: this.endPosition, text: text.length > 80 ? `${text.slice(0, 77)}...` : text };
  }

  /** S-expression of the named nodes, as tree-sitter prints it (for tests and debugging). */
  toString(): string {
    const out: string[] = [];
    const stack: (SyntaxNode | null)[] = [this];
    while (stack.length) {
      const n = stack.pop();
      if (!n) {
        out.push(')');
        continue;
      }
      const field = n !== this && n.fieldName ? `${n.fieldName}: ` : '';
      out.push(`${out.length ? ' ' : ''}${field}(${n.isMissing ? 'MISSING ' : ''}${n.type}`);
      stack.push(null);
      const named = n.namedChildren;
      for (let i = named.length - 1; i >= 0; i--) stack.push(named[i]);
    }
    return out.join('');
  }
}

function indexOfRow(nodes: readonly SyntaxNode[], row: number): number {
  let lo = 0;
  let hi = nodes.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = nodes[mid].id;
    if (r === row) return mid;
    if (r < row) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function lowerBound(list: Int32Array, value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
