import { readFileSync } from 'node:fs';

/** Both `src/lint/` (tests) and `dist/lint/` sit two levels below the package root. */
const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

let version: string | undefined;

/** The `version` of threadlint's own package.json (part of every cache key). */
export function toolVersion(): string {
  version ??= (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;
  return version;
}
