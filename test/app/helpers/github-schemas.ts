/**
 * Validates what the app sends to GitHub against GitHub's own descriptions: REST
 * request bodies against the OpenAPI operation's requestBody schema (@octokit/openapi),
 * GraphQL documents and variables against the public schema (@octokit/graphql-schema).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { buildClientSchema, parse, validate, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';

const modules = (path: string): string => fileURLToPath(new URL(`../../../node_modules/${path}`, import.meta.url));

type Json = Record<string, unknown>;
interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  schema?: Json;
  operationId: string;
}

let operations: Operation[] | undefined;
let components: Json = {};

function loadOperations(): Operation[] {
  if (operations) return operations;
  const doc = JSON.parse(readFileSync(modules('@octokit/openapi/generated/api.github.com.json'), 'utf8')) as Json;
  components = doc.components as Json;
  operations = [];
  for (const [template, item] of Object.entries(doc.paths as Record<string, Json>)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    for (const [method, op] of Object.entries(item as Record<string, Json>)) {
      const body = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
      const schema = body?.['application/json']?.schema as Json | undefined;
      operations.push({ method: method.toUpperCase(), template, pattern, schema, operationId: String(op.operationId) });
    }
  }
  // Literal segments first, so /pulls/{n}/reviews never matches a looser template.
  operations.sort((a, b) => b.template.replace(/\{[^}]+\}/g, '').length - a.template.replace(/\{[^}]+\}/g, '').length);
  return operations;
}

/** Inline $refs and turn OpenAPI 3.0 `nullable` into JSON Schema. */
function toJsonSchema(node: unknown, depth = 0): unknown {
  if (depth > 40) return {};
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, depth + 1));
  if (typeof node !== 'object' || node === null) return node;
  const obj = node as Json;
  if (typeof obj.$ref === 'string') {
    const [, group, name] = /^#\/components\/([^/]+)\/(.+)$/.exec(obj.$ref)!;
    return toJsonSchema((components[group] as Json)[name], depth + 1);
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'example' || k === 'examples' || k.startsWith('x-')) continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, toJsonSchema(s, depth + 1)])) : toJsonSchema(v, depth + 1);
  }
  if (out.nullable === true) {
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
const validators = new Map<string, ValidateFunction>();

/** Problems with one REST request, as readable strings (empty when valid). */
export function validateRestRequest(method: string, path: string, body: unknown): string[] {
  const pathname = path.split('?')[0];
  const op = loadOperations().find((o) => o.method === method && o.pattern.test(pathname));
  if (!op) return [`${method} ${pathname}: no such operation in GitHub's REST description`];
  if (body === undefined || body === '' || !op.schema) return [];
  let validator = validators.get(op.operationId);
  if (!validator) {
    validator = ajv.compile(toJsonSchema(op.schema) as Json);
    validators.set(op.operationId, validator);
  }
  if (validator(body)) return [];
  return (validator.errors ?? []).map((e) => `${op.operationId}: body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

let schema: GraphQLSchema | undefined;

/** Problems with one GraphQL request: the document and the variables it is sent with. */
export function validateGraphqlRequest(body: { query?: string; variables?: Record<string, unknown> }): string[] {
  // The introspection JSON: the package's schema.graphql repeats a few fields and does not build.
  schema ??= buildClientSchema(JSON.parse(readFileSync(modules('@octokit/graphql-schema/schema.json'), 'utf8')));
  if (typeof body.query !== 'string') return ['graphql: no query'];
  const document = parse(body.query);
  const errors = validate(schema, document).map((e) => `graphql: ${e.message}`);
  if (errors.length > 0) return errors;
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], body.variables ?? {});
  return (coerced.errors ?? []).map((e) => `graphql variables: ${e.message}`);
}
