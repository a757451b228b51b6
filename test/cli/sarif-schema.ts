import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';

/**
 * The official SARIF 2.1.0 JSON schema (draft 2020-12), copied into fixtures from the
 * copy @microsoft/sarif-multitool ships. The multitool's own `validate` command runs
 * here but does not report schema violations, so Ajv checks the schema instead.
 */
const schema = JSON.parse(readFileSync(new URL('./fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object;

const URI = /^[a-z][a-z0-9+.-]*:[^\s]*$/i;
const ajv = new Ajv2020({
  strict: false,
  allErrors: true,
  formats: {
    uri: URI,
    'uri-reference': /^[^\s]*$/,
    uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    'date-time': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/,
  },
});
const validate = ajv.compile(schema);

/** Schema violations as `path message` lines; empty when the log is valid. */
export function validateSarif(log: unknown): string[] {
  if (validate(log)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`.trim());
}
