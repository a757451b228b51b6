import type { Node } from 'web-tree-sitter';

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
 * One level of indentation as the file writes it, read from the block the statement
 * sits in (the statement's indent minus its owner's), else four spaces.
 */
export function indentUnit(source: string, stmt: Node): string {
  const owner = stmt.parent?.type === 'block' ? stmt.parent.parent : null;
  const mine = indentOf(source, stmt);
  if (owner) {
    const theirs = indentOf(source, owner);
    if (mine.startsWith(theirs) && mine.length > theirs.length) return mine.slice(theirs.length);
  }
  return mine.includes('\t') ? '\t' : '    ';
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
