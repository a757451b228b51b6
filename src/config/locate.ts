/**
 * Finds the line a config key was written on, so every error can say where to look.
 * YAML keeps positions in its document tree; smol-toml gives none, so pyproject.toml
 * is scanned line by line for table headers and `key =` lines.
 */
import { isMap, isNode, isSeq, isScalar, type Document, type LineCounter } from 'yaml';

/** A key path such as ['paths', 'exclude', 1]. */
export type KeyPath = (string | number)[];
export type LineLocator = (path: KeyPath) => number | undefined;

/** Exact lookup in the YAML tree: a map entry's key line, or a list item's line. */
export function yamlLocator(doc: Document, lineCounter: LineCounter): LineLocator {
  return (path) => {
    let node: unknown = doc.contents;
    let offset: number | undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair || !isScalar(pair.key)) return undefined;
        offset = pair.key.range?.[0];
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
        offset = isNode(node) ? node.range?.[0] : undefined;
      } else {
        return undefined;
      }
    }
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
}

const TABLE_HEADER = /^\s*\[([^[\]]+)\]\s*(?:#.*)?$/;
const KEY_LINE = /^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*=/;

function splitDottedKey(text: string): string[] {
  const parts = text.match(/"[^"]*"|'[^']*'|[A-Za-z0-9_-]+/g) ?? [];
  return parts.map((part) => (/^["']/.test(part) ? part.slice(1, -1) : part));
}

/**
 * Lines of keys under `[tool.threadlint]` in pyproject.toml, for the usual layout:
 * `[tool.threadlint]`, `[tool.threadlint.rules]`, `[tool.threadlint.paths]` tables
 * and plain or dotted keys in them. Anything finer (an item of an array, a key
 * inside an inline table) falls back to the nearest enclosing key that was found,
 * and at worst to the `[tool.threadlint]` header.
 */
export function pyprojectLocator(text: string): LineLocator {
  const lines = new Map<string, number>();
  let table: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const header = TABLE_HEADER.exec(line);
    if (header) {
      table = splitDottedKey(header[1]);
      record(table, index + 1);
      return;
    }
    const key = KEY_LINE.exec(line);
    if (key) record([...table, ...splitDottedKey(key[1])], index + 1);
  });

  function record(fullPath: string[], line: number): void {
    if (fullPath[0] !== 'tool' || fullPath[1] !== 'threadlint') return;
    const id = fullPath.slice(2).join('\0');
    if (!lines.has(id)) lines.set(id, line);
  }

  return (path) => {
    for (let end = path.length; end >= 0; end--) {
      const line = lines.get(path.slice(0, end).map(String).join('\0'));
      if (line !== undefined) return line;
    }
    return undefined;
  };
}
