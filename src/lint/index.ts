/**
 * What the CLI and the GitHub App use: `analyze` (engine + rules + config + diff filter
 * composed), the rule catalog, edits, and the shared types. Nothing here exposes a tree.
 */
export { analyze } from './analyze.js';
export { closeWorkers } from './pool.js';
export { fileJobKey, type FileJob } from './file-job.js';
export { toolVersion } from './version.js';
export { applyEdits } from '../engine/edits.js';
export { ruleCatalog, ruleMeta } from '../rules/index.js';
export type { RuleMeta } from '../engine/rule.js';
export * from '../engine/types.js';
