import { lint } from '../helpers/lint.js';

const BODY = 'import threading\nt = threading.Thread(target=f)\nt.run()\n';

test('a fingerprint survives lines added above and re-indentation', async () => {
  const [before] = await lint(BODY, { select: ['TL301'] });
  const [after] = await lint('# a new header\n\n' + BODY, { select: ['TL301'] });
  expect(after.line).toBe(before.line + 2);
  expect(after.fingerprint).toBe(before.fingerprint);
});

test('the same code flagged twice gets two fingerprints; other code another', async () => {
  const findings = await lint(BODY + 't.run()\nt .run()\n', { select: ['TL301'] });
  const fps = findings.map((f) => f.fingerprint);
  expect(new Set(fps).size).toBe(3);
  expect(fps[1]).toBe(`${fps[0]}:1`);
});

test('the path is part of the identity', async () => {
  const [a] = await lint(BODY, { select: ['TL301'], path: 'a.py' });
  const [b] = await lint(BODY, { select: ['TL301'], path: 'b.py' });
  expect(a.fingerprint).not.toBe(b.fingerprint);
});
