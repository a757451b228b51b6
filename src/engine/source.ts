/**
 * Turning file bytes into text the way Python does: a UTF-8 BOM, or a PEP 263 coding
 * cookie in the first two lines, else UTF-8. Binary files and undecodable bytes are
 * refused with a message instead of being analysed as garbage.
 */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

export type Decoded = { ok: true; text: string } | { ok: false; kind: 'unreadable' | 'too-large'; message: string };

const COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

export function decodeSource(content: string | Uint8Array): Decoded {
  if (typeof content === 'string') return checkText(content);
  if (content.length > MAX_FILE_BYTES) {
    return { ok: false, kind: 'too-large', message: `file is ${(content.length / 1048576).toFixed(1)} MiB; the limit is ${MAX_FILE_BYTES / 1048576} MiB` };
  }
  if (content.includes(0)) return { ok: false, kind: 'unreadable', message: 'binary file (contains NUL bytes)' };
  let bytes = content;
  let encoding = 'utf-8';
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  else {
    const head = new TextDecoder('latin1').decode(bytes.subarray(0, 400)).split('\n', 2);
    for (const line of head) {
      const m = COOKIE.exec(line);
      if (m) {
        encoding = pythonCodecToLabel(m[1]);
        break;
      }
      if (!/^[ \t\f]*(#.*)?\r?$/.test(line)) break;
    }
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    return { ok: false, kind: 'unreadable', message: `unknown source encoding "${encoding}"` };
  }
  try {
    return checkText(decoder.decode(bytes));
  } catch {
    return { ok: false, kind: 'unreadable', message: `not valid ${encoding} text` };
  }
}

function checkText(text: string): Decoded {
  if (text.length > MAX_FILE_BYTES) {
    return { ok: false, kind: 'too-large', message: `file has ${text.length} characters; the limit is ${MAX_FILE_BYTES}` };
  }
  if (text.includes('\0')) return { ok: false, kind: 'unreadable', message: 'binary file (contains NUL bytes)' };
  return { ok: true, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

/** Python codec names that the WHATWG encoding labels spell differently. */
const CODEC_ALIASES: Record<string, string> = {
  'latin-1': 'latin1',
  'iso-latin-1': 'latin1',
  'iso8859-1': 'latin1',
  l1: 'latin1',
  'iso8859-15': 'iso-8859-15',
  cp1252: 'windows-1252',
  ascii: 'utf-8',
  'us-ascii': 'utf-8',
};

function pythonCodecToLabel(name: string): string {
  const n = name.toLowerCase().replace(/_/g, '-');
  if (/^utf-?8/.test(n)) return 'utf-8';
  return CODEC_ALIASES[n] ?? n;
}
