/**
 * File names as they appear in diff headers: git's C-style quoting, the trailing tab or
 * timestamp after `---`/`+++` names, and the `a/` `b/` (or any other) prefixes.
 */

const C_ESCAPES: Record<string, number> = {
  a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92,
};

/**
 * Decode a name git quoted as `"..."`: C escapes plus octal bytes (`\303\251` is é in
 * UTF-8). Returns undefined when `text` is not one whole, well-formed quoted string.
 */
export function unquoteCStyle(text: string): string | undefined {
  if (text.length < 2 || !text.startsWith('"') || !text.endsWith('"')) return undefined;
  const chunks: Buffer[] = [];
  let raw = '';
  const flush = (): void => {
    if (raw) chunks.push(Buffer.from(raw, 'utf8'));
    raw = '';
  };
  for (let i = 1; i < text.length - 1; i++) {
    const c = text[i];
    if (c === '"') return undefined;
    if (c !== '\\') {
      raw += c;
      continue;
    }
    flush();
    const octal = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4));
    if (octal) {
      chunks.push(Buffer.from([parseInt(octal[0], 8) & 0xff]));
      i += octal[0].length;
    } else if (text[i + 1] in C_ESCAPES && i + 1 < text.length - 1) {
      chunks.push(Buffer.from([C_ESCAPES[text[i + 1]]]));
      i += 1;
    } else {
      return undefined;
    }
  }
  flush();
  return Buffer.concat(chunks).toString('utf8');
}

/** A name that may or may not be quoted; undefined only for a broken quoted name. */
export function readName(text: string): string | undefined {
  return text.startsWith('"') ? unquoteCStyle(text) : text;
}

/**
 * The name on a `--- ` / `+++ ` line. Git appends a tab to names holding a space and
 * `diff -u` appends a tab and a timestamp; a raw tab never occurs inside a quoted name.
 */
export function headerLineName(rest: string): string | undefined {
  const tab = rest.indexOf('\t');
  return readName(tab === -1 ? rest : rest.slice(0, tab));
}

/**
 * The prefixes two names carry: none when the names are equal (`--no-prefix`), else
 * their first folders when only those differ (`a/x` `b/x`, `old/x` `new/x`).
 */
export function detectPrefixes(oldName: string, newName: string): [string, string] | undefined {
  if (oldName === newName) return ['', ''];
  const i = oldName.indexOf('/');
  const j = newName.indexOf('/');
  if (i > 0 && j > 0 && oldName.slice(i) === newName.slice(j)) {
    return [oldName.slice(0, i + 1), newName.slice(0, j + 1)];
  }
  return undefined;
}

/**
 * Split "<old> <new>" (from `diff --git`) or "<old> and <new>" (from `Binary files`)
 * where unquoted names may themselves hold the separator: prefer the split whose two
 * names differ only by their prefix, as git itself does.
 */
export function splitNamePair(text: string, separator: string): [string, string] | undefined {
  let first: [string, string] | undefined;
  for (let at = text.indexOf(separator); at !== -1; at = text.indexOf(separator, at + 1)) {
    const left = readName(text.slice(0, at));
    const right = readName(text.slice(at + separator.length));
    if (left === undefined || right === undefined || !left || !right) continue;
    if (detectPrefixes(left, right)) return [left, right];
    first ??= [left, right];
  }
  return first;
}

export function stripPrefix(name: string, prefix: string): string {
  return prefix && name.startsWith(prefix) ? name.slice(prefix.length) : name;
}
