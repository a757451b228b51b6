import { NodeTable } from '../../src/engine/model/node-table.js';

describe('NodeTable', () => {
  test('an unanswered node has no answer; null is an answer', () => {
    const t = new NodeTable<string | null>(10);
    expect(t.get(3)).toBeUndefined();
    t.set(3, null);
    expect(t.get(3)).toBeNull();
    expect(t.get(4)).toBeUndefined();
  });

  test('answers of many nodes are kept apart and a second answer replaces the first', () => {
    const t = new NodeTable<number>(1000);
    for (let id = 0; id < 1000; id += 7) t.set(id, id * 2);
    for (let id = 0; id < 1000; id++) expect(t.get(id)).toBe(id % 7 === 0 ? id * 2 : undefined);
    t.set(14, -1);
    expect(t.get(14)).toBe(-1);
    expect(t.get(21)).toBe(42);
  });
});
