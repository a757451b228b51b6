/**
 * Turns Ajv's errors into sentences a maintainer can act on: which key, what it must
 * be, what was written instead. Ajv's own wording ("must be equal to one of the
 * allowed values") names neither the values nor the mistake.
 */
import type { ErrorObject } from 'ajv';
import { CONFIG_KEYS } from './schema.js';
import type { KeyPath } from './locate.js';

export interface SchemaProblem {
  path: KeyPath;
  message: string;
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping', array: 'a list', string: 'a string', boolean: 'true or false',
  number: 'a number', integer: 'a whole number',
};

/** What was written, for the "(got …)" tail: scalars verbatim, containers by kind. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  // Not `instanceof`: structuredClone may hand back a Date of another realm.
  if (Object.prototype.toString.call(value) === '[object Date]') return 'a date';
  if (typeof value === 'object') return 'a mapping';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** `['paths', 'exclude', 1]` → `paths.exclude[1]`. */
export function formatKeyPath(path: KeyPath): string {
  return path.reduce<string>((text, segment) =>
    typeof segment === 'number' ? `${text}[${segment}]` : text ? `${text}.${segment}` : segment, '');
}

/** A spelling that only differs in case or `-` vs `_` from a real key. */
function didYouMean(key: string, known: readonly string[]): string | undefined {
  const normal = (text: string): string => text.toLowerCase().replace(/-/g, '_');
  return known.find((candidate) => normal(candidate) === normal(key));
}

/** Ajv's JSON pointer → key path, with list indexes as numbers (read off the data). */
function toKeyPath(pointer: string, data: unknown): KeyPath {
  const path: KeyPath = [];
  let node = data;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const key = Array.isArray(node) ? Number(segment) : segment;
    path.push(key);
    node = (node as Record<string | number, unknown> | undefined)?.[key];
  }
  return path;
}

function valueAt(data: unknown, path: KeyPath): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], data);
}

function unknownKeyMessage(parent: KeyPath, key: string, knownRuleIds: string[]): string {
  if (parent.length === 1 && parent[0] === 'rules') {
    return `unknown rule ID (known: ${knownRuleIds.join(', ') || 'none'})`;
  }
  const known = parent.length === 0 ? CONFIG_KEYS : ['include', 'exclude'];
  const guess = didYouMean(key, known);
  return guess ? `unknown key (did you mean ${guess}?)` : `unknown key (known: ${known.join(', ')})`;
}

function typeMessage(path: KeyPath, expected: string, value: unknown): string {
  if (path.length === 0) return `the config must be a mapping of keys to values (got ${describeValue(value)})`;
  if (path[0] === 'python_version' && typeof value === 'number') {
    return `must be a quoted string like "3.10" (got the number ${value}: unquoted, 3.10 reads as 3.1)`;
  }
  return `must be ${TYPE_NAMES[expected] ?? expected} (got ${describeValue(value)})`;
}

export function describeSchemaError(error: ErrorObject, data: unknown, knownRuleIds: string[]): SchemaProblem {
  const path = toKeyPath(error.instancePath, data);
  const value = valueAt(data, path);
  const got = describeValue(value);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      return { path: [...path, key], message: unknownKeyMessage(path, key, knownRuleIds) };
    }
    case 'type':
      return { path, message: typeMessage(path, String(params.type), value) };
    case 'enum':
      return { path, message: `must be one of ${(params.allowedValues as string[]).join(', ')} (got ${got})` };
    case 'pattern':
      return { path, message: `must be a Python 3 version like "3.9" (got ${got})` };
    case 'minLength':
      return { path, message: 'must not be empty' };
    case 'minimum':
      return { path, message: `must be at least ${params.limit} (got ${got})` };
    case 'maximum':
      return { path, message: `must be at most ${params.limit} (got ${got})` };
    case 'exclusiveMinimum':
      return { path, message: `must be greater than ${params.limit} (got ${got})` };
    default:
      return { path, message: `${error.message ?? 'is invalid'} (got ${got})` };
  }
}
