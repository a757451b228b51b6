import { compatibleFixes, fixUntilStable, type Contents } from '../../src/cli/fixes.js';
import { decodeForFix, encodeFixed } from '../../src/cli/source-text.js';
import type { AnalysisResult, Finding, TextEdit } from '../../src/lint/index.js';

function fixable(id: string, edits: TextEdit[]): Finding {
  return {
    ruleId: id, severity: 'error', path: 'a.py', line: edits[0].startLine, column: edits[0].startColumn,
    endLine: edits[0].endLine, endColumn: edits[0].endColumn, message: id, helpUri: '', statementLine: 1,
    statementEndLine: 1, fingerprint: id, fix: { description: id, safe: true, edits },
  };
}
const edit = (line: number, from: number, to: number, text = 'x'): TextEdit => ({ startLine: line, startColumn: from, endLine: line, endColumn: to, text });

describe('compatibleFixes', () => {
  it('keeps fixes in source order and drops one that overlaps or touches an earlier one', () => {
    const a = fixable('A', [edit(1, 1, 4)]);
    const b = fixable('B', [edit(1, 3, 6)]);
    const c = fixable('C', [edit(2, 1, 2)]);
    const d = fixable('D', [edit(2, 2, 2)]);
    expect(compatibleFixes([c, b, a, d]).map((f) => f.ruleId)).toEqual(['A', 'C']);
  });
});

describe('fixUntilStable', () => {
  it('re-analyses after each round until no fix is left, and writes each round', async () => {
    // A fake analysis: every "run" is a finding whose fix turns it into "start".
    const analyze = async (contents: Contents): Promise<AnalysisResult> => {
      const text = String(contents.get('a.py'));
      const findings: Finding[] = [];
      text.split('\n').forEach((line, i) => {
        const col = line.indexOf('run');
        if (col >= 0) findings.push(fixable(`F${i}`, [edit(i + 1, col + 1, col + 4, 'start')]));
      });
      return { findings, notes: [], filesAnalyzed: 1 };
    };
    const writes: string[] = [];
    const outcome = await fixUntilStable(new Map([['a.py', new TextEncoder().encode('run run\nrun\n')]]), {
      analyze: async (c) => analyze(new Map([...c].map(([p, v]) => [p, typeof v === 'string' ? v : new TextDecoder().decode(v)]))),
      write: async (files) => {
        writes.push(...[...files.values()].map((f) => f.text));
      },
    });
    expect(outcome.applied).toBe(3);
    expect(outcome.before.findings).toHaveLength(2);
    expect(outcome.after.findings).toEqual([]);
    expect(writes).toEqual(['start run\nstart\n', 'start start\nstart\n']);
    expect(outcome.changed.get('a.py')).toEqual({ before: 'run run\nrun\n', after: 'start start\nstart\n' });
  });
});

describe('decodeForFix', () => {
  it('keeps a BOM and refuses non-UTF-8 text', () => {
    const bom = decodeForFix(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]));
    expect(bom).toEqual({ text: 'a', bom: true });
    expect([...encodeFixed({ text: 'b', bom: true })]).toEqual([0xef, 0xbb, 0xbf, 0x62]);
    expect(decodeForFix(new Uint8Array([0x61, 0xe9, 0x0a]))).toBeUndefined();
    const latin1 = new TextEncoder().encode('# -*- coding: latin-1 -*-\nx = "é"\n');
    expect(decodeForFix(latin1)).toBeUndefined();
    expect(decodeForFix(new TextEncoder().encode('# coding: latin-1\nx = 1\n'))).toEqual({ text: '# coding: latin-1\nx = 1\n', bom: false });
  });
});
