/**
 * Every rule in the registry has its guidance page, its fixture pair and its table test;
 * the fixtures say exactly which lines each rule flags, and every fix is applied and
 * re-analysed. The guidance page's examples produce what the page claims.
 */
import { existsSync, readFileSync } from 'node:fs';
import { analyze } from '../../src/lint/analyze.js';
import { applyEdits } from '../../src/engine/edits.js';
import { DEFAULT_CONFIG, type Finding } from '../../src/engine/types.js';
import { RULES } from '../../src/rules/index.js';
import type { Rule } from '../../src/engine/rule.js';

const SECTIONS = ['## What it does', '## Why it matters', '## Example', '## Use instead', '## Fix safety', '## When to ignore', '## In tests'];
const EXPECT = /#\s*expect:\s*((?:TL\d{3}(?:\s+fix)?[\s,]*)+)/;

/** A profile's rules (TL6xx) are checked under their profile; every other rule under the defaults. */
function configFor(ruleId: string) {
  const profile = RULES.find((r: Rule) => r.meta.id === ruleId)?.meta.profile;
  return profile ? { ...DEFAULT_CONFIG, profile } : DEFAULT_CONFIG;
}

async function run(source: string, ruleId: string, path = 'fixture.py') {
  return analyze([{ path, content: source }], { config: configFor(ruleId), select: [ruleId] });
}

/** `line -> {fix}` for every `# expect: TLnnn [fix]` marker naming this rule. */
function expectations(source: string, ruleId: string): Map<number, { fix: boolean }> {
  const out = new Map<number, { fix: boolean }>();
  source.split('\n').forEach((text, i) => {
    const m = EXPECT.exec(text);
    if (!m) return;
    for (const part of m[1].split(',')) {
      const [id, fix] = part.trim().split(/\s+/);
      if (id === ruleId) out.set(i + 1, { fix: fix === 'fix' });
    }
  });
  return out;
}

function codeBlocks(markdown: string, section: string): string[] {
  const start = markdown.indexOf(section);
  if (start === -1) return [];
  const rest = markdown.slice(start + section.length);
  const end = rest.search(/\n## /);
  const body = end === -1 ? rest : rest.slice(0, end);
  return [...body.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]);
}

describe.each(RULES.map((r) => [r.meta.id, r] as const))('%s', (id, rule) => {
  const dir = `test/fixtures/rules/${id}`;
  const page = `rules/${id}.md`;

  test('has a guidance page with every section', () => {
    expect(existsSync(page)).toBe(true);
    const text = readFileSync(page, 'utf8');
    expect(text.startsWith(`# ${id} ${rule.meta.name}`)).toBe(true);
    for (const s of SECTIONS) expect(text).toContain(s);
  });

  test('says under "In tests" what its meta says: reported in test code or not', () => {
    expect(typeof rule.meta.inTests).toBe('boolean');
    const section = readFileSync(page, 'utf8').split('\n## In tests\n')[1] ?? '';
    const verdict = /^\s*(Reported|Not reported) in test code\b/.exec(section)?.[1];
    expect(verdict).toBe(rule.meta.inTests ? 'Reported' : 'Not reported');
  });

  test('reports in a test file exactly when its meta says inTests', async () => {
    const source = readFileSync(`${dir}/flag.py`, 'utf8');
    const inTest = await run(source, id, 'tests/test_fixture.py');
    const plain = await run(source, id);
    expect(plain.findings.length).toBeGreaterThan(0);
    expect(inTest.findings.length).toBe(rule.meta.inTests ? plain.findings.length : 0);
  });

  test('has a table test', () => {
    expect(existsSync(`test/rules/${id}.test.ts`)).toBe(true);
  });

  test('flags exactly the marked lines of flag.py', async () => {
    const source = readFileSync(`${dir}/flag.py`, 'utf8');
    const expected = expectations(source, id);
    expect(expected.size).toBeGreaterThan(0);
    const { findings, notes } = await run(source, id);
    expect(notes.filter((n) => n.kind !== 'excluded')).toEqual([]);
    expect(findings.map((f) => f.line)).toEqual([...expected.keys()]);
    expect(findings.map((f) => `${f.line}:${!!f.fix}`)).toEqual([...expected].map(([l, e]) => `${l}:${e.fix}`));
  });

  test('leaves clean.py alone', async () => {
    const source = readFileSync(`${dir}/clean.py`, 'utf8');
    const { findings, notes } = await run(source, id);
    expect(notes).toEqual([]);
    expect(findings.map((f: Finding) => `${f.line}: ${f.message}`)).toEqual([]);
  });

  test('each fix parses, removes its finding and adds none', async () => {
    const source = readFileSync(`${dir}/flag.py`, 'utf8');
    const config = configFor(id);
    const all = await analyze([{ path: 'fixture.py', content: source }], { config });
    const fixed = all.findings.filter((f) => f.ruleId === id && f.fix);
    for (const finding of fixed) {
      const after = await analyze([{ path: 'fixture.py', content: applyEdits(source, finding.fix!.edits) }], { config, verifyFixes: false });
      expect(after.notes.filter((n) => n.kind === 'syntax-error')).toEqual([]);
      const before = all.findings.filter((f) => f !== finding).map((f) => f.ruleId).sort();
      const remaining = after.findings.map((f) => f.ruleId).sort();
      // Nothing new: what remains is a sub-multiset of what was there minus the fixed one.
      for (const r of new Set(remaining)) {
        expect(remaining.filter((x) => x === r).length).toBeLessThanOrEqual(before.filter((x) => x === r).length);
      }
      expect(after.findings.filter((f) => f.ruleId === id).length).toBeLessThan(all.findings.filter((f) => f.ruleId === id).length);
    }
  });

  test("the page's Example is flagged and its Use instead is clean", async () => {
    const text = readFileSync(page, 'utf8');
    const bad = codeBlocks(text, '## Example');
    const good = codeBlocks(text, '## Use instead');
    expect(bad.length).toBeGreaterThan(0);
    expect(good.length).toBeGreaterThan(0);
    for (const code of bad) expect((await run(code, id)).findings.length).toBeGreaterThan(0);
    for (const code of good) expect((await run(code, id)).findings).toEqual([]);
  });

  test("the page's Use instead is clean under every rule, not only this one", async () => {
    const good = codeBlocks(readFileSync(page, 'utf8'), '## Use instead');
    for (const code of good) {
      const { findings } = await analyze([{ path: 'example.py', content: code }], { config: DEFAULT_CONFIG });
      expect(findings.map((f) => `${f.ruleId} line ${f.line}: ${f.message}`)).toEqual([]);
    }
  });

  test("the page's Fix line and the meta agree, and flag.py shows it", () => {
    const header = /^Severity: \*\*(error|warning|notice)\*\*(?: \([^)]*\))? · Fix: (always|sometimes|none)\b/m.exec(readFileSync(page, 'utf8'));
    expect(header && [header[1], header[2]]).toEqual([rule.meta.severity, rule.meta.fix === 'never' ? 'none' : rule.meta.fix]);
    const marks = [...expectations(readFileSync(`${dir}/flag.py`, 'utf8'), id).values()];
    if (rule.meta.fix === 'always') expect(marks.every((m) => m.fix)).toBe(true);
    if (rule.meta.fix === 'never') expect(marks.some((m) => m.fix)).toBe(false);
  });
});

test('TL301 withholds its fix when `.start()` would leak the thread, so its meta says "sometimes"', async () => {
  const leaking = 'import threading\n\n\ndef work():\n    while True:\n        poll()\n\n\ndef main():\n    t = threading.Thread(target=work)\n    t.run()\n';
  const { findings } = await analyze([{ path: 'leak.py', content: leaking }], { config: DEFAULT_CONFIG });
  expect(findings.map((f) => `${f.ruleId}:${f.fix ? 'fix' : 'no fix'}`)).toEqual(['TL301:no fix']);
  expect(RULES.find((r) => r.meta.id === 'TL301')!.meta.fix).toBe('sometimes');
});

test("the README's rule table lists every rule with its name and severity, and nothing else", () => {
  const readme = readFileSync('README.md', 'utf8');
  const rows = [...readme.matchAll(/^\| (TL\d{3}) \| ([a-z0-9-]+) \| (error|warning|notice) \|/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
  expect(rows).toEqual(RULES.map((r) => `${r.meta.id} ${r.meta.name} ${r.meta.severity}`));
});
