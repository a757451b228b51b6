/**
 * The engine's public face: the CLI and the GitHub layer import from here only.
 * Nothing exported here exposes tree-sitter types.
 */
export { analyze } from './analyze.js';
export { applyEdits } from './edits.js';
export { ruleCatalog, ruleMeta } from '../rules/index.js';
export type { RuleMeta } from './rule.js';
export * from './types.js';
