import type { Reporter } from './context.js';
import { githubReporter } from './github.js';
import { jsonReporter } from './json.js';
import { sarifReporter } from './sarif.js';
import { textReporter } from './text.js';

export type { ReportContext, Reporter } from './context.js';
export { formatNote } from './text.js';

export const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type Format = (typeof FORMATS)[number];

export const REPORTERS: Record<Format, Reporter> = {
  text: textReporter,
  json: jsonReporter,
  sarif: sarifReporter,
  github: githubReporter,
};

/** Formats that carry notes in their own output, so stderr need not repeat them. */
export const FORMATS_WITH_NOTES: ReadonlySet<Format> = new Set<Format>(['github']);
