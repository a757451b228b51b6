import { createRule } from '../engine/rule.js';

/**
 * A suppression comment that names a rule ID threadlint does not have (a typo silences
 * nothing), or — with `--report-unused-ignores` — one that silences nothing. Suppression
 * comments are read by the engine; the findings are made where the whole run is known
 * (src/lint), so this module only carries the rule's metadata.
 */
export default createRule(
  {
    id: 'TL002',
    name: 'bad-suppression',
    severity: 'notice',
    summary: 'A suppression comment names an unknown rule ID, or (with --report-unused-ignores) silences nothing.',
    why: 'A misspelt ignore silences nothing, and a stale one hides the next real finding on that line.',
    fix: 'never',
    inTests: true,
  },
  () => {},
);
