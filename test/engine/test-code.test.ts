/**
 * Test code and per-file-ignores (RULES.md "Test code", DESIGN.md `tests` and
 * `per-file-ignores`): a rule reports in test files only when its meta says so.
 */
import { lint, py } from '../helpers/lint.js';
import { ruleMeta } from '../../src/lint/index.js';

const LEAKY = py`
  import threading

  def work():
      pass

  def start():
      t = threading.Thread(target=work)
      t.start()
`;

describe('test code', () => {
  it('reports a hygiene rule in ordinary code', async () => {
    expect((await lint(LEAKY, { path: 'pkg/worker.py' })).map((f) => f.ruleId)).toContain('TL304');
  });

  it.each(['tests/test_worker.py', 'pkg/tests/helpers.py', 'test_worker.py', 'worker_test.py', 'conftest.py', 'pkg/testing/util.py'])(
    'keeps a rule without inTests quiet in %s',
    async (path) => {
      expect(ruleMeta('TL304')?.inTests).toBeFalsy();
      expect((await lint(LEAKY, { path })).map((f) => f.ruleId)).not.toContain('TL304');
    },
  );

  it('follows the configured globs', async () => {
    const findings = await lint(LEAKY, { path: 'tests/test_worker.py', config: { tests: ['qa/**'] } });
    expect(findings.map((f) => f.ruleId)).toContain('TL304');
  });
});

describe('per-file-ignores', () => {
  it('silences the named rule IDs and prefixes on matching paths only', async () => {
    const config = { 'per-file-ignores': { 'scripts/**': ['TL3'] } };
    expect((await lint(LEAKY, { path: 'scripts/run.py', config })).map((f) => f.ruleId)).not.toContain('TL304');
    expect((await lint(LEAKY, { path: 'pkg/run.py', config })).map((f) => f.ruleId)).toContain('TL304');
  });
});
