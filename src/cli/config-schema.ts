/**
 * The JSON Schema of threadlint.yml that editors autocomplete from (published in the npm
 * package as `schema/threadlint.schema.json`). It is the validator's own schema
 * (`buildConfigSchema` over the rule catalog) plus titles and descriptions: generated,
 * never hand-copied, so it cannot drift from what the tool accepts.
 */
import type { SchemaObject } from 'ajv';
import { buildConfigSchema, EXTENDS_KEY } from '../config/schema.js';
import { ruleCatalog } from '../lint/index.js';

export const SCHEMA_ID = 'https://raw.githubusercontent.com/threadlint/threadlint/main/threadlint.schema.json';

const DESCRIPTIONS: Record<string, string> = {
  [EXTENDS_KEY]: 'GitHub App only: inherit settings from another repository (Probot `_extends`, e.g. `org/.github`).',
  rules: 'Per rule ID or ID prefix (TL2 covers TL201…): off | notice | warning | error. The longest matching key wins.',
  paths: 'Which files are analysed: globs relative to the project root.',
  fail_on: 'The lowest severity that fails the run (exit code 1, check run failure); `never` fails nothing.',
  filter_mode: 'With a diff: report findings on added lines, inside diff hunks, anywhere in a changed file, or everywhere.',
  python_version: 'The oldest Python the code supports ("3.9"); gates version-specific fixes. Read from `requires-python` in pyproject.toml when not set.',
  default_timeout: 'Seconds, used in fixes that add a timeout.',
  max_comments: 'GitHub App: inline comments per review; the rest go to the check run.',
  review_event: 'GitHub App: COMMENT, or REQUEST_CHANGES when there are findings.',
  suggestions: 'GitHub App: offer safe fixes as one-click suggestions.',
  tests: 'Globs of test code: rules report there only when their guidance page says so ("In tests").',
  profile: '`free-threading` adds the rules for free-threaded CPython (TL6xx) and treats public module functions as concurrent.',
  'per-file-ignores': 'Glob → rule IDs or prefixes silenced in matching files.',
  context: 'GitHub App and --diff/--base: read the rest of the repository for cross-file facts (findings stay on changed code).',
};

const LEVEL_DESCRIPTION = 'off | notice | warning | error';

export function configFileSchema(): SchemaObject {
  const rules = ruleCatalog();
  const base = buildConfigSchema(rules.map((r) => r.id));
  const properties: Record<string, SchemaObject> = Object.fromEntries(
    Object.entries(base.properties as Record<string, SchemaObject>).map(([key, value]) => [key, { description: DESCRIPTIONS[key], ...value }]),
  );
  const byId = new Map(rules.map((r) => [r.id, r]));
  const ruleProps = properties.rules.properties as Record<string, SchemaObject>;
  for (const [key, value] of Object.entries(ruleProps)) {
    const rule = byId.get(key);
    ruleProps[key] = { description: rule ? `${rule.name} (default ${rule.severity}): ${rule.summary}` : `Every rule whose ID starts with ${key}: ${LEVEL_DESCRIPTION}`, ...value };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: SCHEMA_ID,
    title: 'threadlint configuration',
    description: 'threadlint.yml, .github/threadlint.yml or [tool.threadlint] in pyproject.toml. See docs/configuration.md.',
    ...base,
    properties,
  };
}

/** Keywords that only annotate: removing them from the editor schema gives the validator's schema. */
export const ANNOTATIONS = ['$schema', '$id', 'title', 'description'] as const;
