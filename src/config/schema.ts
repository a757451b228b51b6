/**
 * The one JSON schema of the config file (DESIGN.md "Configuration"). Defaults come
 * from DEFAULT_CONFIG so Ajv's `useDefaults` fills every missing key from a single
 * source of truth. Rule keys depend on the rule catalog, so the schema is built per
 * list of known rule IDs.
 */
import type { SchemaObject } from 'ajv';
import { DEFAULT_CONFIG } from '../engine/types.js';

export const RULE_LEVELS = ['off', 'notice', 'warning', 'error'] as const;
export const FAIL_ON_VALUES = ['error', 'warning', 'notice', 'never'] as const;
export const FILTER_MODES = ['added', 'diff_context', 'file', 'nofilter'] as const;
export const REVIEW_EVENTS = ['COMMENT', 'REQUEST_CHANGES'] as const;

/** Top-level keys a user may write, in the order DESIGN.md lists them. */
export const CONFIG_KEYS = [
  'rules', 'paths', 'fail_on', 'filter_mode', 'python_version',
  'default_timeout', 'max_comments', 'review_event', 'suggestions',
  'tests', 'profile', 'per-file-ignores', 'context',
] as const;

export const PROFILES = ['default', 'free-threading'] as const;

/** Probot's config inheritance key: accepted and dropped. */
export const EXTENDS_KEY = '_extends';

const RULE_KEY_PATTERN = /^TL\d{1,3}$/;

/**
 * Every key `rules:` accepts: each known ID and each of its prefixes that still looks
 * like an ID ("TL101" → TL1, TL10, TL101). A bare "TL" would silence everything by
 * accident, so it is not a key.
 */
export function ruleKeys(knownRuleIds: string[]): string[] {
  const keys = new Set<string>();
  for (const id of knownRuleIds) {
    for (let end = 3; end <= id.length; end++) {
      const prefix = id.slice(0, end);
      if (RULE_KEY_PATTERN.test(prefix)) keys.add(prefix);
    }
  }
  return [...keys].sort();
}

export function buildConfigSchema(knownRuleIds: string[]): SchemaObject {
  // `enum` alone: a `type` next to it would only add a second, vaguer error.
  const level = { enum: [...RULE_LEVELS] };
  // An empty glob would make picomatch throw later, so it is refused here.
  const globs = { type: 'array', items: { type: 'string', minLength: 1 } };
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      [EXTENDS_KEY]: {},
      rules: {
        type: 'object',
        default: {},
        additionalProperties: false,
        properties: Object.fromEntries(ruleKeys(knownRuleIds).map((key) => [key, level])),
      },
      paths: {
        type: 'object',
        default: {},
        additionalProperties: false,
        properties: {
          include: { ...globs, default: DEFAULT_CONFIG.paths.include },
          exclude: { ...globs, default: DEFAULT_CONFIG.paths.exclude },
        },
      },
      fail_on: { enum: [...FAIL_ON_VALUES], default: DEFAULT_CONFIG.fail_on },
      filter_mode: { enum: [...FILTER_MODES], default: DEFAULT_CONFIG.filter_mode },
      python_version: { type: 'string', pattern: '^3\\.\\d+$', default: DEFAULT_CONFIG.python_version },
      default_timeout: { type: 'number', exclusiveMinimum: 0, default: DEFAULT_CONFIG.default_timeout },
      max_comments: { type: 'integer', minimum: 0, maximum: 1000, default: DEFAULT_CONFIG.max_comments },
      review_event: { enum: [...REVIEW_EVENTS], default: DEFAULT_CONFIG.review_event },
      suggestions: { type: 'boolean', default: DEFAULT_CONFIG.suggestions },
      tests: { ...globs, default: DEFAULT_CONFIG.tests },
      profile: { enum: [...PROFILES], default: DEFAULT_CONFIG.profile },
      'per-file-ignores': {
        type: 'object',
        default: {},
        propertyNames: { minLength: 1 },
        additionalProperties: { type: 'array', items: { type: 'string', pattern: '^TL\\d{0,3}$' } },
      },
      context: { type: 'boolean', default: DEFAULT_CONFIG.context },
    },
  };
}
