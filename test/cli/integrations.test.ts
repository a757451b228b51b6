/** The GitHub Action and the pre-commit hook: their files say what the tool can do. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const manifest = JSON.parse(readFileSync('packages/threadlint/package.json', 'utf8'));

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

describe('action.yml', () => {
  const action = parse(readFileSync('action.yml', 'utf8')) as { runs: { using: string; steps: Step[] }; inputs: Record<string, { default: string }> };
  const steps = action.runs.steps;

  it('is a composite action that sets up Node, then runs the released threadlint', () => {
    expect(action.runs.using).toBe('composite');
    expect(steps[0].uses).toMatch(/^actions\/setup-node@v\d+$/);
    expect(action.inputs.version.default).toBe(manifest.version);
    expect(Number(action.inputs['node-version'].default)).toBeGreaterThanOrEqual(20);
  });

  it('annotates with --format github, or uploads SARIF to code scanning', () => {
    const annotate = steps.find((s) => s.run?.includes('--format github'))!;
    const sarif = steps.find((s) => s.run?.includes('--format sarif'))!;
    expect(annotate.run).toMatch(/^npx --yes "threadlint@\$\{THREADLINT_VERSION\}" check /);
    expect(annotate.if).toBe("inputs.sarif != 'true'");
    expect(sarif.if).toBe("inputs.sarif == 'true'");
    expect(sarif.run).toContain('--output "${RUNNER_TEMP}/threadlint.sarif" --exit-zero');
    const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
    expect(upload.with?.sarif_file).toBe('${{ runner.temp }}/threadlint.sarif');
    for (const step of steps.filter((s) => s.run)) expect(step.shell).toBe('bash');
  });

  it('never expands an input inside a script (no script injection)', () => {
    for (const step of steps.filter((s) => s.run)) expect(step.run).not.toContain('${{');
  });
});

describe('.pre-commit-hooks.yaml', () => {
  it('offers the hook `threadlint`: the command of the package, on Python files', () => {
    const [hook] = parse(readFileSync('.pre-commit-hooks.yaml', 'utf8')) as Record<string, unknown>[];
    expect(hook).toMatchObject({ id: 'threadlint', entry: 'threadlint check', language: 'node', types_or: ['python', 'pyi'] });
    const root = JSON.parse(readFileSync('package.json', 'utf8'));
    // pre-commit installs the repository root with npm: it must provide the command and build it.
    expect(root.bin.threadlint).toBe('bin/threadlint.js');
    expect(root.scripts.prepare).toBe('node scripts/prepare.mjs');
  });
});
