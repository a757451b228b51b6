import { readFile } from 'node:fs/promises';

/**
 * Files shipped beside the code (package.json, rules/*.md). Both `src/cli/` (tests)
 * and `dist/cli/` (the built CLI) sit two levels below the package root, so one
 * relative URL serves both.
 */
const PACKAGE_ROOT = new URL('../../', import.meta.url);
const RULES_DIR = new URL('rules/', PACKAGE_ROOT);

export const TOOL_NAME = 'threadlint';
export const TOOL_INFORMATION_URI = 'https://github.com/threadlint/threadlint';

export { toolVersion } from '../lint/version.js';

/** The guidance page `rules/<ID>.md`, or undefined when the page is missing. */
export async function readGuidancePage(ruleId: string): Promise<string | undefined> {
  if (!/^[A-Za-z0-9_-]+$/.test(ruleId)) return undefined;
  try {
    return await readFile(new URL(`${ruleId}.md`, RULES_DIR), 'utf8');
  } catch {
    return undefined;
  }
}

/** Guidance pages of several rules at once, keyed by rule ID (missing pages left out). */
export async function readGuidancePages(ruleIds: string[]): Promise<Map<string, string>> {
  const pages = await Promise.all(ruleIds.map(async (id) => [id, await readGuidancePage(id)] as const));
  return new Map(pages.filter((entry): entry is readonly [string, string] => entry[1] !== undefined));
}
