import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addIgnoreComments, withIgnore } from '../../src/cli/add-noqa.js';
import type { Finding } from '../../src/lint/index.js';
import { RUN_CALLED, makeProject, removeProject, runCli } from './helpers.js';

let dir: string;
afterEach(async () => {
  if (dir) await removeProject(dir);
});

const MULTILINE = `import threading

def work():
    pass

t = threading.Thread(target=work)
t.run(note="""a
b""")
`;

/** The finding's statement ends on a line that ends inside another statement's string. */
const NO_PLACE = MULTILINE.replace('t.run(note="""a\nb""")', 't.run(); note = """a\nb"""');

describe('threadlint check --add-noqa', () => {
  it('silences every current finding, is idempotent, and the next run reports nothing', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED, 'b.py': MULTILINE });
    const first = await runCli(['check', '--add-noqa'], dir);
    expect(first.stderr).toBe('threadlint: added 2 ignore comments in 2 files\n');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('No findings in 2 files.\n');
    expect(readFileSync(join(dir, 'a.py'), 'utf8')).toBe(RUN_CALLED.replace('t.run()\n', 't.run()  # threadlint: ignore[TL301]\n'));
    // The finding's line ends inside a string: the comment goes after the statement's last line.
    expect(readFileSync(join(dir, 'b.py'), 'utf8')).toBe(MULTILINE.replace('b""")\n', 'b""")  # threadlint: ignore[TL301]\n'));
    const again = await runCli(['check', '--add-noqa'], dir);
    expect(again.stderr).toBe('threadlint: added 0 ignore comments in 0 files\n');
    expect(readFileSync(join(dir, 'a.py'), 'utf8')).toContain('ignore[TL301]\n');
    expect(await runCli(['check'], dir)).toEqual({ code: 0, stdout: 'No findings in 2 files.\n', stderr: '' });
  });

  it('skips a finding with no line to take the comment, and says which', async () => {
    dir = await makeProject({ 'c.py': NO_PLACE });
    const run = await runCli(['check', '--add-noqa', '-q'], dir);
    expect(run.stderr).toBe('c.py:7: note: no ignore comment for TL301: its statement ends inside a string; add the comment by hand\nthreadlint: added 0 ignore comments in 0 files\n');
    expect(run.code).toBe(1);
    expect(readFileSync(join(dir, 'c.py'), 'utf8')).toBe(NO_PLACE);
  });

  it('merges into a threadlint ignore already on the line, and keeps a noqa\'s IDs', async () => {
    dir = await makeProject({
      'a.py': RUN_CALLED.replace('t.run()\n', 't.run()  # threadlint: ignore[TL999]\n'),
      'b.py': RUN_CALLED.replace('t.run()\n', 't.run()  # noqa: E501, TL104\n'),
    });
    await runCli(['check', '--add-noqa'], dir);
    expect(readFileSync(join(dir, 'a.py'), 'utf8')).toContain('t.run()  # threadlint: ignore[TL301, TL999]\n');
    expect(readFileSync(join(dir, 'b.py'), 'utf8')).toContain('t.run()  # noqa: E501, TL104  # threadlint: ignore[TL104, TL301]\n');
  });

  it('leaves syntax errors alone and says so', async () => {
    dir = await makeProject({ 'a.py': 'def broken(:\n' });
    const run = await runCli(['check', '--add-noqa'], dir);
    expect(run.stderr).toBe('a.py:1: note: no ignore comment for TL001: a syntax error is fixed, not silenced\nthreadlint: added 0 ignore comments in 0 files\n');
    expect(run.code).toBe(1);
    expect(readFileSync(join(dir, 'a.py'), 'utf8')).toBe('def broken(:\n');
  });

  it('cannot be combined with --fix', async () => {
    dir = await makeProject({ 'a.py': RUN_CALLED });
    expect((await runCli(['check', '--add-noqa', '--fix'], dir)).code).toBe(2);
  });
});

describe('addIgnoreComments', () => {
  const at = (line: number, statementLine: number, statementEndLine: number): Finding =>
    ({ ruleId: 'TL301', line, statementLine, statementEndLine }) as Finding;

  it('skips a finding when no line of its statement can take a comment', async () => {
    const text = 'x = f("""a\nb""") + \\\n  g()\n';
    // Line 1 ends inside the string; line 2 ends with a backslash continuation.
    const plan = await addIgnoreComments(text, [at(1, 1, 2)]);
    expect(plan).toEqual({ text, added: 0, skipped: [{ finding: at(1, 1, 2), reason: 'its statement ends inside a string; add the comment by hand' }] });
  });

  it('puts comments after the code, keeping CRLF line ends', () => {
    expect(withIgnore('t.run()   \r', undefined, ['TL301'])).toBe('t.run()  # threadlint: ignore[TL301]\r');
    expect(withIgnore('t.run()  # threadlint: ignore', 9, ['TL301'])).toBe('t.run()  # threadlint: ignore');
    expect(withIgnore('x = "#"  # why: ok', 9, ['TL104'])).toBe('x = "#"  # why: ok  # threadlint: ignore[TL104]');
  });
});
