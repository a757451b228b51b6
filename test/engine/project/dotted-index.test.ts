import { sameDottedName } from '../../../src/engine/model/locks.js';
import { DottedIndex } from '../../../src/engine/project/dotted-index.js';

describe('DottedIndex', () => {
  const names = ['pkg.mod.REGISTRY', 'mod.REGISTRY', 'REGISTRY', 'other.REGISTRY', 'pkg.mod.Pool', 'pkg.mod.Pool._lock', 'a.b', 'b', 'xb', 'pkg.modx.REGISTRY'];
  const index = new DottedIndex();
  for (const n of [...names, names[0]]) index.add(n);

  test.each(['REGISTRY', 'mod.REGISTRY', 'pkg.mod.REGISTRY', 'deep.pkg.mod.REGISTRY', 'b', 'a.b', 'x.a.b', 'Pool._lock', 'pkg.mod.Pool', 'nothing', 'odx.REGISTRY'])(
    'finds what sameDottedName finds for %s, each once',
    (key) => {
      const expected = names.filter((n) => sameDottedName(n, key)).sort();
      expect(index.matches(key).sort()).toEqual(expected);
    },
  );
});
