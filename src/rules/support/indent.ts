import type { Node } from '../../engine/tree/index.js';
import type { SemanticModel } from '../../engine/model/model.js';

/** The whitespace before a node on its line. */
export function indentOf(source: string, node: Node): string {
  const lineStart = source.lastIndexOf('\n', node.startIndex - 1) + 1;
  return source.slice(lineStart, node.startIndex);
}

/** Whether nothing but whitespace precedes the node on its line. */
export function startsLine(source: string, node: Node): boolean {
  return indentOf(source, node).trim() === '';
}

/**
 * The file's indentation unit: what a block adds to its header's indentation, read
 * from the block around `near` when it has one, else from the first block in the file.
 */
export function indentUnit(model: SemanticModel, lines: readonly string[], near: Node): string {
  const candidates: Node[] = [];
  if (near.parent?.type === 'block') candidates.push(near.parent);
  for (const type of ['function_definition', 'class_definition', 'if_statement', 'for_statement', 'while_statement', 'with_statement', 'try_statement']) {
    for (const n of model.nodes(type)) {
      const body = n.childForFieldName('body');
      if (body) candidates.push(body);
      if (candidates.length > 8) break;
    }
  }
  for (const block of candidates) {
    const header = block.parent;
    if (!header || block.startPosition.row <= header.startPosition.row) continue;
    const outer = leadOf(lines, header.startPosition.row);
    const inner = leadOf(lines, block.startPosition.row);
    if (inner.length > outer.length && inner.startsWith(outer)) return inner.slice(outer.length);
  }
  return '    ';
}

/**
 * The statement's text re-indented one level deeper on every line, or null when that
 * would change a multi-line string.
 */
export function indentDeeper(source: string, stmt: Node, unit: string): string | null {
  const text = source.slice(stmt.startIndex, stmt.endIndex);
  if (!text.includes('\n')) return text;
  if (/("""|''')/.test(text) || /\\\n/.test(text)) return null;
  return text.split('\n').map((line, i) => (i === 0 || line.trim() === '' ? line : unit + line)).join('\n');
}

/** The indentation at the start of a line (0-based row). */
export function leadOf(lines: readonly string[], row: number): string {
  return /^[ \t]*/.exec(lines[row] ?? '')![0];
}
