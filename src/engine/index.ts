/**
 * The engine as a library: per-file analysis and the project step, over rules handed in.
 * It imports nothing above itself (no rule registry, config files, diff filter, CLI or
 * GitHub code); `src/lint/` composes it with those.
 */
export { analyzeFile, runRules, DEFAULT_BUDGET_MS, type ActiveRule, type FileSetup } from './file.js';
export { projectFindings, type ProjectInput } from './project.js';
export { applyEdits } from './edits.js';
export { createRule, type Rule, type RuleMeta } from './rule.js';
export * from './types.js';
