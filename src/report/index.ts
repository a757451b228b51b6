/**
 * The free-threading readiness report for the CLI (`--format ft-report`, and the
 * `readiness` object of the JSON output): `readiness(findings, layoutOf(root))` builds
 * the plain data, `readinessMarkdown` renders it.
 */
export { readiness, suggestClassifier, CLASSIFIERS, type Readiness, type PackageReadiness, type ProjectLayout, type Classifier } from './readiness.js';
export { readinessMarkdown, type MarkdownOptions } from './readiness-markdown.js';
export { layoutOf } from './layout.js';
export type { ExtensionSource } from './extensions.js';
