import type { FileNote, Finding, RuleMeta } from '../../lint/index.js';
import type { Colors } from '../colors.js';
import type { Readiness } from '../../report/index.js';

/** Everything a reporter may need besides findings and notes; plain data, no I/O. */
export interface ReportContext {
  /** Files the engine analysed (for the tally). */
  filesAnalyzed: number;
  /** Set after `--fix`: how many fixes were written. */
  fixesApplied?: number;
  /** The whole rule catalog, in catalog order (SARIF lists every rule). */
  rules: readonly RuleMeta[];
  /** Guidance page markdown by rule ID (SARIF `help.markdown`). */
  guidance: ReadonlyMap<string, string>;
  /** threadlint's version (SARIF `tool.driver.version`). */
  toolVersion: string;
  /** Colour for the human formats (default: none). */
  colors?: Colors;
  /** The text of an analysed file by the path findings carry (code context, UTF-8 columns). */
  source?: (path: string) => string | undefined;
  /** `-q`: the human formats print findings only, no tally. */
  quiet?: boolean;
  /** Under the free-threading profile: the readiness report (ft-report, and `readiness` in JSON). */
  readiness?: Readiness;
}

/** A reporter turns one run into the text of its output; it never writes anywhere. */
export type Reporter = (findings: readonly Finding[], notes: readonly FileNote[], ctx: ReportContext) => string;

/** Findings whose fix `--fix` would apply. */
export function isFixable(finding: Finding): boolean {
  return finding.fix?.safe === true;
}
