/**
 * Reads a config text (YAML, or `[tool.threadlint]` in pyproject.toml) or an object
 * Probot already parsed, validates it against the one schema, and returns either the
 * resolved config or every error with its key and line. Nothing is analysed with a
 * config the tool did not understand, so there is no partial result.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import { parse as parseToml, TomlError } from 'smol-toml';
import type { ThreadlintConfig } from '../engine/types.js';
import { buildConfigSchema, EXTENDS_KEY } from './schema.js';
import { describeSchemaError, formatKeyPath } from './messages.js';
import { pyprojectLocator, yamlLocator, type LineLocator } from './locate.js';

export type ConfigError = { source: string; key: string; line?: number; message: string };
export type ConfigResult =
  | { ok: true; config: ThreadlintConfig; source: string }
  | { ok: false; errors: ConfigError[] };
export type ConfigFormat = 'yaml' | 'pyproject';

const ajv = new Ajv({ allErrors: true, useDefaults: true });
const validators = new Map<string, ValidateFunction>();

/** One compiled validator per rule catalog; the catalog rarely changes in a process. */
function validatorFor(knownRuleIds: string[]): ValidateFunction {
  const cacheKey = [...knownRuleIds].sort().join(',');
  let validate = validators.get(cacheKey);
  if (!validate) {
    validate = ajv.compile(buildConfigSchema(knownRuleIds));
    validators.set(cacheKey, validate);
  }
  return validate;
}

function validate(value: unknown, source: string, knownRuleIds: string[], locate?: LineLocator): ConfigResult {
  // An empty file, or no file at all (Probot gives null), means "all defaults".
  const data: unknown = value === null || value === undefined ? {} : structuredClone(value);
  const check = validatorFor(knownRuleIds);
  if (check(data)) {
    const config = data as ThreadlintConfig & { [EXTENDS_KEY]?: unknown };
    delete config[EXTENDS_KEY];
    return { ok: true, config, source };
  }
  const errors = (check.errors ?? []).map((error): ConfigError => {
    const { path, message } = describeSchemaError(error, data, knownRuleIds);
    return { source, key: formatKeyPath(path), line: locate?.(path), message };
  });
  errors.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  return { ok: false, errors };
}

function parseYaml(text: string, source: string, knownRuleIds: string[], options: ParseOptions): ConfigResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((error) => ({
        source,
        key: '',
        line: error.linePos?.[0].line,
        // The first line is the sentence; the rest is a code excerpt for terminals.
        message: `invalid YAML: ${error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
      })),
    };
  }
  return validate(withPythonVersion(doc.toJS(), options.pythonVersion), source, knownRuleIds, yamlLocator(doc, lineCounter));
}

function parsePyproject(text: string, source: string, knownRuleIds: string[], options: ParseOptions): ConfigResult {
  let data: Record<string, unknown>;
  try {
    data = parseToml(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const message = error.message.split('\n')[0].replace(/^Invalid TOML document: /, '');
    return { ok: false, errors: [{ source, key: '', line: error.line, message: `invalid TOML: ${message}` }] };
  }
  const tool = data.tool as Record<string, unknown> | undefined;
  if (options.requireTable && tool?.threadlint === undefined) {
    return { ok: false, errors: [{ source, key: '', message: 'no [tool.threadlint] table in this file (threadlint reads its settings from there)' }] };
  }
  const project = data.project as Record<string, unknown> | undefined;
  const requires = project?.['requires-python'];
  const pythonVersion = typeof requires === 'string' ? pythonVersionFromRequires(requires) : undefined;
  return validate(withPythonVersion(tool?.threadlint, pythonVersion ?? options.pythonVersion), source, knownRuleIds, pyprojectLocator(text));
}

export interface ParseOptions {
  /** `python_version` to use when the config does not set one (from `requires-python`). */
  pythonVersion?: string;
  /** A pyproject.toml must have `[tool.threadlint]` (it was named with `--config`). */
  requireTable?: boolean;
}

/** The config object with `python_version` filled in when it is missing (and the object is a mapping). */
function withPythonVersion(value: unknown, pythonVersion: string | undefined): unknown {
  if (pythonVersion === undefined) return value;
  if (value === null || value === undefined) return { python_version: pythonVersion };
  if (typeof value !== 'object' || Array.isArray(value) || 'python_version' in value) return value;
  return { ...value, python_version: pythonVersion };
}

const SPECIFIER = /^\s*(~=|===|==|>=|>|<=|<|!=)\s*v?(\d+)(?:\.(\d+))?/;

/**
 * The oldest Python a PEP 440 `requires-python` allows, as `python_version` ("3.9"), or
 * undefined when it names no lower bound on Python 3 (`<4`, `!=3.5.*`, a typo). Of
 * several lower bounds the highest wins (`>=3.8, >=3.10` is 3.10).
 */
export function pythonVersionFromRequires(spec: string): string | undefined {
  let best: [number, number] | undefined;
  for (const clause of spec.split(',')) {
    const m = SPECIFIER.exec(clause);
    if (!m || !['~=', '===', '==', '>=', '>'].includes(m[1])) continue;
    const version: [number, number] = [Number(m[2]), Number(m[3] ?? 0)];
    if (!best || version[0] > best[0] || (version[0] === best[0] && version[1] > best[1])) best = version;
  }
  return best && best[0] === 3 ? `3.${best[1]}` : undefined;
}

/**
 * Parses and validates a config file's text. `source` names the file in errors.
 * A pyproject.toml without `[tool.threadlint]` yields the defaults, unless
 * `requireTable` says it must have one.
 */
export function parseConfigText(text: string, source: string, format: ConfigFormat, knownRuleIds: string[], options: ParseOptions = {}): ConfigResult {
  return format === 'yaml' ? parseYaml(text, source, knownRuleIds, options) : parsePyproject(text, source, knownRuleIds, options);
}

/**
 * Validates a config object parsed elsewhere (Probot's `context.config`, after
 * `_extends` merging). Pass the repository's raw YAML too and errors get the line of
 * their key; keys inherited from another repository get no line.
 */
export function validateConfigObject(value: unknown, source: string, knownRuleIds: string[], text?: string): ConfigResult {
  let locate: LineLocator | undefined;
  if (text !== undefined) {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter });
    if (doc.errors.length === 0) locate = yamlLocator(doc, lineCounter);
  }
  return validate(value, source, knownRuleIds, locate);
}

/** `.github/threadlint.yml:4: rules.TL999: unknown rule ID (known: TL101, …)` */
export function formatConfigError(e: ConfigError): string {
  const where = e.line === undefined ? e.source : `${e.source}:${e.line}`;
  return e.key ? `${where}: ${e.key}: ${e.message}` : `${where}: ${e.message}`;
}
