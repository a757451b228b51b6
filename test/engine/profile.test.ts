/**
 * The free-threading profile: off by default it changes nothing — no TL6xx finding
 * whatever `rules:` or `--select` say, and every other rule reports what it did — and on
 * it also analyses modules that mention no threading at all.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { analyze } from '../../src/lint/analyze.js';
import { DEFAULT_CONFIG } from '../../src/engine/types.js';
import { RULES } from '../../src/rules/index.js';

const FT = { ...DEFAULT_CONFIG, profile: 'free-threading' as const };
const PROFILE_RULES = RULES.filter((r) => r.meta.profile).map((r) => r.meta.id);
const OTHER_RULES = RULES.filter((r) => !r.meta.profile).map((r) => r.meta.id);

/** A module with no threading in it: only the profile looks at it. */
const LIBRARY = '_handlers = []\n\ndef on(fn):\n    if fn not in _handlers:\n        _handlers.append(fn)\n';

test('the profile owns TL601–TL606 and nothing else', () => {
  expect(PROFILE_RULES).toEqual(['TL601', 'TL602', 'TL603', 'TL604', 'TL605', 'TL606']);
  for (const r of RULES) if (r.meta.profile) expect(r.meta.profile).toBe('free-threading');
});

test('off by default: no TL6xx finding on their own flag fixtures, even selected or turned on in rules', async () => {
  const files = PROFILE_RULES.map((id) => ({ path: `${id}.py`, content: readFileSync(`test/fixtures/rules/${id}/flag.py`, 'utf8') }));
  const on = await analyze(files, { config: FT, select: ['TL6'] });
  expect(new Set(on.findings.map((f) => f.ruleId))).toEqual(new Set(PROFILE_RULES));
  const rules = Object.fromEntries(PROFILE_RULES.map((id) => [id, 'error' as const]));
  const off = await analyze(files, { config: { ...DEFAULT_CONFIG, rules }, select: ['TL6'] });
  expect(off.findings).toEqual([]);
});

test('off by default: every other rule reports exactly what it reports with TL6xx left out', async () => {
  const files = readdirSync('test/fixtures/rules')
    .filter((id) => OTHER_RULES.includes(id))
    .map((id) => ({ path: `${id}.py`, content: readFileSync(`test/fixtures/rules/${id}/flag.py`, 'utf8') }));
  const all = await analyze(files, { config: DEFAULT_CONFIG });
  const others = await analyze(files, { config: DEFAULT_CONFIG, select: OTHER_RULES });
  expect(all.findings.length).toBeGreaterThan(0);
  expect(all.findings).toEqual(others.findings);
});

test('a module that mentions no threading is analysed under the profile only', async () => {
  const on = await analyze([{ path: 'pkg/events.py', content: LIBRARY }], { config: FT });
  expect(on.findings.map((f) => `${f.line} ${f.ruleId}`)).toEqual(['5 TL601']);
  const off = await analyze([{ path: 'pkg/events.py', content: LIBRARY }], { config: DEFAULT_CONFIG, select: ['TL6'] });
  expect(off.findings).toEqual([]);
});

test('under the profile a non-threading module still gets no finding from the other rules', async () => {
  const on = await analyze([{ path: 'pkg/events.py', content: LIBRARY.replace('_handlers.append(fn)', '_handlers.append(fn)  # noqa: TL601') }], { config: FT });
  expect(on.findings).toEqual([]);
});
