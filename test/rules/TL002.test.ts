import { analyze } from '../../src/lint/analyze.js';
import { DEFAULT_CONFIG } from '../../src/engine/types.js';
import { lint, positions, py } from '../helpers/lint.js';

describe('TL002 bad-suppression', () => {
  it('reports IDs threadlint does not have, at the comment', async () => {
    const source = py`
      import threading
      lock = threading.Lock()
      lock.acquire()  # threadlint: ignore[TL10l]
      lock.acquire()  # noqa: TL9999, E501
      lock.acquire()  # threadlint: ignore[TL101, TLX]
    `;
    const findings = await lint(source, { select: ['TL002'] });
    expect(positions(findings)).toEqual(['3:17 TL002', '4:17 TL002', '5:17 TL002']);
    expect(findings[0].message).toContain('TL10L');
    expect(findings[2].message).toContain('TLX');
    expect(findings[2].message).not.toContain('TL101,');
  });

  it('accepts known IDs, prefixes, file-level ignores and other linters codes', async () => {
    const source = py`
      # threadlint: ignore-file[TL5]
      import threading
      lock = threading.Lock()
      lock.acquire()  # threadlint: ignore[TL1]
      lock.acquire()  # noqa: E501
      lock.acquire()  # noqa
      lock.acquire()  # threadlint: ignore
    `;
    expect(await lint(source, { select: ['TL002'] })).toEqual([]);
  });

  it('reports unused suppressions only when asked, and only for rules that ran', async () => {
    const source = py`
      import threading
      t = threading.Thread(target=print)
      t.run()  # threadlint: ignore[TL301]
      t.start()  # threadlint: ignore[TL301]
      t.start()  # threadlint: ignore[TL501]
    `;
    const run = (reportUnusedIgnores: boolean) =>
      analyze([{ path: 'm.py', content: source }], { config: { ...DEFAULT_CONFIG, rules: { TL501: 'off' } }, reportUnusedIgnores });
    expect(positions((await run(false)).findings)).toEqual([]);
    const findings = (await run(true)).findings;
    expect(positions(findings)).toEqual(['4:12 TL002']);
    expect(findings[0].message).toMatch(/^Unused suppression/);
  });

  it('a bare noqa does not silence threadlint', async () => {
    const source = 'import threading\nt = threading.Thread(target=print)\nt.run()  # noqa\n';
    expect(positions(await lint(source, { select: ['TL301'] }))).toEqual(['3:1 TL301']);
  });
});
