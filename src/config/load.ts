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

function parseYaml(text: string, source: string, knownRuleIds: string[]): ConfigResult {
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
  return validate(doc.toJS(), source, knownRuleIds, yamlLocator(doc, lineCounter));
}

function parsePyproject(text: string, source: string, knownRuleIds: string[]): ConfigResult {
  let data: Record<string, unknown>;
  try {
    data = parseToml(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const message = error.message.split('\n')[0].replace(/^Invalid TOML document: /, '');
    return { ok: false, errors: [{ source, key: '', line: error.line, message: `invalid TOML: ${message}` }] };
  }
  const tool = data.tool as Record<string, unknown> | undefined;
  return validate(tool?.threadlint, source, knownRuleIds, pyprojectLocator(text));
}

/**
 * Parses and validates a config file's text. `source` names the file in errors.
 * A pyproject.toml without `[tool.threadlint]` yields the defaults.
 */
export function parseConfigText(text: string, source: string, format: ConfigFormat, knownRuleIds: string[]): ConfigResult {
  return format === 'yaml' ? parseYaml(text, source, knownRuleIds) : parsePyproject(text, source, knownRuleIds);
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
