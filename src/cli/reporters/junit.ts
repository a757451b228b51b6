import type { FileNote, Finding } from '../../lint/index.js';
import type { ReportContext } from './context.js';

/** XML 1.0 text: the five special characters escaped, characters XML cannot hold dropped. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * JUnit XML for CI test-report viewers, as Ruff writes it: a test suite per file, a failed
 * test case per finding; a run without findings is one passing case.
 */
export function junitReporter(findings: readonly Finding[], _notes: readonly FileNote[], _ctx: ReportContext): string {
  const byPath = new Map<string, Finding[]>();
  for (const f of findings) byPath.set(f.path, [...(byPath.get(f.path) ?? []), f]);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="threadlint" tests="${Math.max(1, findings.length)}" failures="${findings.length}" errors="0">`,
  ];
  if (findings.length === 0) {
    out.push('  <testsuite name="threadlint" tests="1" failures="0" errors="0">', '    <testcase name="No findings" classname="threadlint"/>', '  </testsuite>');
  }
  for (const [path, group] of byPath) {
    out.push(`  <testsuite name="${xmlEscape(path)}" tests="${group.length}" failures="${group.length}" errors="0">`);
    for (const f of group) {
      out.push(
        `    <testcase name="threadlint.${f.ruleId}" classname="${xmlEscape(path)}" file="${xmlEscape(path)}" line="${f.line}" column="${f.column}">`,
        `      <failure message="${xmlEscape(f.message)}" type="${f.severity}">line ${f.line}, col ${f.column}, ${xmlEscape(f.message)}</failure>`,
        '    </testcase>',
      );
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
