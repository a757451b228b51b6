/**
 * What the tree build and the node views need to know about the Python grammar:
 * symbol names, field names, which symbols are named, and which have fields. Read once
 * from tree-sitter's `Language`; plain data afterwards.
 */
import { FIELDED_TYPES } from './fielded-types.js';

/** tree-sitter's error symbol (`ts_builtin_sym_error`, -1 as uint16). */
export const ERROR_KIND = 65535;

/**
 * Node types whose text runs past their last child: the module (trailing blank lines),
 * string contents after their last escape sequence, format specifiers after their last
 * interpolation. Every other inner node ends where its last child ends.
 */
const OPEN_ENDED = new Set(['module', 'string_content', 'format_specifier']);

/** Node types whose first visible child may come after a hidden token (an indent). */
const OPEN_STARTED = new Set(['module', 'block', 'ERROR', 'string_content', 'format_specifier']);

export interface LanguageInfo {
  types: readonly (string | undefined)[];
  fields: readonly (string | null)[];
  nodeTypeIsNamed(id: number): boolean;
}

export class Grammar {
  private readonly names: string[];
  private readonly kindsByName = new Map<string, number[]>();
  private readonly fieldIds = new Map<string, number>();
  private readonly fieldNames: (string | null)[];
  /** Per symbol: 1 when named. */
  readonly namedKinds: Uint8Array;
  /** Per symbol: 1 when the node type has fields. */
  readonly fieldedKinds: Uint8Array;
  /** Per anonymous leaf symbol whose text always equals its name: that length, else -1. */
  readonly fixedLength: Int32Array;
  /** Per symbol: 1 when its children may end before it does (its end must be asked). */
  readonly openEndedKinds: Uint8Array;
  /** Per symbol: 1 when its first visible child may start after it does (a hidden token comes first). */
  readonly openStartKinds: Uint8Array;

  constructor(language: LanguageInfo) {
    this.names = language.types.map((t) => t ?? 'ERROR');
    this.namedKinds = new Uint8Array(ERROR_KIND + 1);
    this.fieldedKinds = new Uint8Array(ERROR_KIND + 1);
    this.fixedLength = new Int32Array(ERROR_KIND + 1).fill(-1);
    this.openEndedKinds = new Uint8Array(ERROR_KIND + 1);
    this.openStartKinds = new Uint8Array(ERROR_KIND + 1);
    const fielded = new Set(FIELDED_TYPES);
    this.names.forEach((name, id) => {
      const list = this.kindsByName.get(name);
      if (list) list.push(id);
      else this.kindsByName.set(name, [id]);
      const named = language.nodeTypeIsNamed(id);
      if (named) this.namedKinds[id] = 1;
      if (named && fielded.has(name)) this.fieldedKinds[id] = 1;
      if (OPEN_ENDED.has(name)) this.openEndedKinds[id] = 1;
      if (OPEN_STARTED.has(name)) this.openStartKinds[id] = 1;
      // Keywords and punctuation are their own text; `is not` / `not in` may hold any
      // whitespace between their words.
      if (!named && name && !name.includes(' ')) this.fixedLength[id] = name.length;
    });
    this.namedKinds[ERROR_KIND] = 1;
    this.openStartKinds[ERROR_KIND] = 1;
    this.kindsByName.set('ERROR', [...(this.kindsByName.get('ERROR') ?? []), ERROR_KIND]);
    this.fieldNames = [...language.fields];
    this.fieldNames.forEach((name, id) => {
      if (name) this.fieldIds.set(name, id);
    });
  }

  typeName(kind: number): string {
    return kind === ERROR_KIND ? 'ERROR' : (this.names[kind] ?? 'ERROR');
  }

  /** Every symbol id printed as `name` (aliases share names). */
  kindsOf(name: string): readonly number[] {
    return this.kindsByName.get(name) ?? [];
  }

  /** The first symbol id of a named type, for fast comparisons; -1 when unknown. */
  kind(name: string): number {
    return this.kindsByName.get(name)?.[0] ?? -1;
  }

  isErrorKind(kind: number): boolean {
    return kind === ERROR_KIND;
  }

  fieldId(name: string): number {
    return this.fieldIds.get(name) ?? 0;
  }

  fieldName(id: number): string | null {
    return id ? (this.fieldNames[id] ?? null) : null;
  }
}
