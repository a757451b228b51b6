import type { Reporter } from './context.js';
import { ftReportReporter } from './ft-report.js';
import { fullReporter } from './full.js';
import { gitlabReporter } from './gitlab.js';
import { githubReporter } from './github.js';
import { groupedReporter } from './grouped.js';
import { jsonLinesReporter } from './json-lines.js';
import { jsonReporter } from './json.js';
import { junitReporter } from './junit.js';
import { rdjsonReporter } from './rdjson.js';
import { sarifReporter } from './sarif.js';
import { textReporter } from './text.js';

export type { ReportContext, Reporter } from './context.js';
export { formatNote } from './text.js';

import type { Format } from '../constants.js';

export { FORMATS, type Format } from '../constants.js';

export const REPORTERS: Record<Format, Reporter> = {
  text: textReporter,
  json: jsonReporter,
  sarif: sarifReporter,
  github: githubReporter,
  concise: textReporter,
  full: fullReporter,
  grouped: groupedReporter,
  'json-lines': jsonLinesReporter,
  junit: junitReporter,
  gitlab: gitlabReporter,
  rdjson: rdjsonReporter,
  'ft-report': ftReportReporter,
};

/** Formats a person reads: colour, `-q`, `--show-fixes` on stdout. */
export const HUMAN_FORMATS: ReadonlySet<Format> = new Set<Format>(['text', 'concise', 'full', 'grouped']);

/** Formats that carry notes in their own output, so stderr need not repeat them. */
export const FORMATS_WITH_NOTES: ReadonlySet<Format> = new Set<Format>(['github']);
