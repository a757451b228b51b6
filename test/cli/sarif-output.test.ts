import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ruleCatalog } from '../../src/lint/index.js';
import { validateSarif } from './sarif-schema.js';
import { RUN_CALLED, makeProject, removeProject, runCli } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await makeProject({ 'a.py': RUN_CALLED, 'broken.py': 'def (:\n', 'binary.py': 'x = 1\0\n', 'threadlint.yml': 'rules:\n  TL301: warning\n' });
});
afterAll(async () => {
  await removeProject(dir);
});

interface Log {
  runs: {
    tool: { driver: { name: string; version: string; rules: { id: string; help: { markdown: string }; defaultConfiguration: { level: string } }[] } };
    results: Record<string, unknown>[];
    invocations: { toolExecutionNotifications: { descriptor: { id: string }; locations: unknown[] }[] }[];
  }[];
}

describe('threadlint check --format sarif', () => {
  let run: { code: number; stdout: string; stderr: string };
  let log: Log;
  beforeAll(async () => {
    run = await runCli(['check', '--format', 'sarif'], dir);
    log = JSON.parse(run.stdout) as Log;
  });

  it('validates against the SARIF 2.1.0 JSON schema', () => {
    expect(validateSarif(log)).toEqual([]);
  });

  it('lists every rule with its guidance page and default level', () => {
    const driver = log.runs[0].tool.driver;
    expect(driver.name).toBe('threadlint');
    expect(driver.version).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    expect(driver.rules.map((r) => r.id)).toEqual(ruleCatalog().map((r) => r.id));
    const tl301 = driver.rules.find((r) => r.id === 'TL301')!;
    expect(tl301.help.markdown).toBe(readFileSync('rules/TL301.md', 'utf8'));
    expect(tl301.defaultConfiguration).toEqual({ level: 'error' });
  });

  it('reports the finding at its configured level with a fix, the syntax error as TL001, and an unreadable file as a notification', () => {
    expect(run.code).toBe(1);
    const result = log.runs[0].results[0];
    expect(log.runs[0].results).toHaveLength(2);
    expect(log.runs[0].results[1]).toMatchObject({ ruleId: 'TL001', level: 'error', locations: [{ physicalLocation: { artifactLocation: { uri: 'broken.py' } } }] });
    expect(result).toMatchObject({
      ruleId: 'TL301',
      ruleIndex: ruleCatalog().findIndex((r) => r.id === 'TL301'),
      level: 'warning',
      locations: [
        { physicalLocation: { artifactLocation: { uri: 'a.py', uriBaseId: '%SRCROOT%' }, region: { startLine: 7, startColumn: 1, endLine: 7, endColumn: 8 } } },
      ],
      fixes: [
        {
          artifactChanges: [
            {
              artifactLocation: { uri: 'a.py', uriBaseId: '%SRCROOT%' },
              replacements: [{ deletedRegion: { startLine: 7, startColumn: 3, endLine: 7, endColumn: 6 }, insertedContent: { text: 'start' } }],
            },
          ],
        },
      ],
    });
    expect(Object.keys(result.partialFingerprints as object)).toEqual(['threadlint/v1']);
    const notes = log.runs[0].invocations[0].toolExecutionNotifications;
    expect(notes.map((n) => [n.descriptor.id, n.locations])).toEqual([
      ['unreadable', [{ physicalLocation: { artifactLocation: { uri: 'binary.py', uriBaseId: '%SRCROOT%' } } }]],
    ]);
    expect(run.stderr).toMatch(/^binary\.py: note: /);
  });

  it('passes the SARIF multitool\'s validator', async () => {
    const file = join(dir, 'out.sarif');
    expect((await runCli(['check', '--format', 'sarif', '--output', 'out.sarif'], dir)).code).toBe(1);
    const bin = join(process.cwd(), 'node_modules/.bin/sarif-multitool');
    const { stdout } = await promisify(execFile)(bin, ['validate', file], { timeout: 120_000 });
    expect(stdout).toContain('Analysis completed successfully.');
    expect(stdout).not.toMatch(/: error /);
  });
});
