/**
 * Text of a source file for `--fix`, decoded the way the engine decodes it, so the
 * engine's positions fit. Only UTF-8 (with or without BOM) and ASCII-compatible text
 * are rewritten; a file in another encoding is left alone rather than risk corrupting it.
 */
export interface DecodedSource {
  text: string;
  bom: boolean;
}

const BOM = [0xef, 0xbb, 0xbf];
const CODING_COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;
const UTF8_NAMES = new Set(['utf-8', 'utf8', 'utf_8', 'utf-8-sig']);

function declaredEncoding(text: string): string | undefined {
  // PEP 263: the cookie counts on line 1 or 2 only.
  for (const line of text.split('\n', 2)) {
    const match = CODING_COOKIE.exec(line);
    if (match) return match[1].toLowerCase();
  }
  return undefined;
}

export function decodeForFix(bytes: Uint8Array): DecodedSource | undefined {
  const bom = BOM.every((b, i) => bytes[i] === b);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bom ? bytes.subarray(3) : bytes);
  } catch {
    return undefined;
  }
  const declared = declaredEncoding(text);
  // Pure ASCII reads the same in any ASCII-compatible encoding a cookie can name.
  if (declared && !UTF8_NAMES.has(declared) && /[^\x00-\x7f]/.test(text)) return undefined;
  return { text, bom };
}

export function encodeFixed(source: DecodedSource): Uint8Array {
  const body = new TextEncoder().encode(source.text);
  if (!source.bom) return body;
  const out = new Uint8Array(body.length + 3);
  out.set(BOM, 0);
  out.set(body, 3);
  return out;
}
