/**
 * The owned tree must answer exactly as web-tree-sitter's nodes do: same types, offsets,
 * positions, fields, parents and children, node by node, on real-shaped code, on broken
 * code and on deep nesting.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Language, Parser, type Node as WasmNode } from 'web-tree-sitter';
import { parse, parserInstances } from '../../../src/engine/tree/index.js';
import type { Node } from '../../../src/engine/tree/index.js';
import { FIELDED_TYPES } from '../../../src/engine/tree/fielded-types.js';

const require = createRequire(import.meta.url);
let parser: Parser;

beforeAll(async () => {
  await Parser.init();
  parser = new Parser();
  parser.setLanguage(await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm')));
});

function fixtures(): string[] {
  const root = 'test/fixtures/rules';
  return readdirSync(root).flatMap((d) => readdirSync(join(root, d)).map((f) => readFileSync(join(root, d, f), 'utf8')));
}

/** Compare every node, walking both trees in pre-order with explicit stacks. */
function compare(source: string, exactEnds = false): Promise<void> {
  return parse(source, { exactEnds }).then((result) => {
    if (!result.ok) throw new Error(result.fault);
    const wasm = parser.parse(source)!;
    try {
      const ours: Node[] = [result.tree.rootNode];
      const theirs: WasmNode[] = [wasm.rootNode];
      const seenOurs: string[] = [];
      const seenTheirs: string[] = [];
      let count = 0;
      const describe = (n: Node | WasmNode, field: string | null) =>
        [n.type, field, n.startIndex, n.endIndex, n.startPosition.row, n.startPosition.column, n.endPosition.row, n.endPosition.column,
          n.isNamed, n.isMissing, n.hasError, n.childCount, n.namedChildCount, n.parent?.startIndex ?? null,
          n.nextNamedSibling?.startIndex ?? null, n.previousNamedSibling?.startIndex ?? null].join(' ');
      const fieldsOurs: (string | null)[] = [null];
      const fieldsTheirs: (string | null)[] = [null];
      while (ours.length) {
        const a = ours.pop()!;
        const b = theirs.pop()!;
        count++;
        seenOurs.push(describe(a, fieldsOurs.pop() ?? null));
        seenTheirs.push(describe(b, fieldsTheirs.pop() ?? null));
        for (let i = a.childCount - 1; i >= 0; i--) {
          ours.push(a.children[i]);
          fieldsOurs.push(a.children[i].fieldName);
        }
        for (let i = b.childCount - 1; i >= 0; i--) {
          theirs.push(b.children[i]!);
          fieldsTheirs.push(b.fieldNameForChild(i));
        }
        if (ours.length !== theirs.length) break;
      }
      expect(seenOurs).toEqual(seenTheirs);
      expect(count).toBe(result.tree.count);
    } finally {
      wasm.delete();
    }
  });
}

describe('the owned tree', () => {
  it('matches web-tree-sitter node by node on every rule fixture', async () => {
    for (const source of fixtures()) await compare(source);
  });

  it('derives start and end offsets exactly as tree-sitter reports them', async () => {
    const source = fixtures().join('\n');
    const derived = await parse(source);
    const exact = await parse(source, { exactEnds: true });
    if (!derived.ok || !exact.ok) throw new Error('parse failed');
    expect([...derived.tree.arrays.end]).toEqual([...exact.tree.arrays.end]);
    expect([...derived.tree.arrays.start]).toEqual([...exact.tree.arrays.start]);
  });

  it.each([
    ['an unclosed call', 'import threading\nt = threading.Thread(target=f\nt.start()\n'],
    ['a stray indent', 'def f():\n    x = 1\n        y = 2\n'],
    ['a missing colon', 'while True\n    pass\n'],
    ['operators with odd spacing', 'if a is   not b and c not   in d:\n    pass\n'],
    ['non-ASCII text', 'name = "héllo 🎉"\nλ = 1\nwith lock:  # ünïcode\n    pass\n'],
    ['CRLF line ends', 'import threading\r\nlock = threading.Lock()\r\nwith lock:\r\n    pass\r\n'],
  ])('matches on %s', async (_name, source) => {
    await compare(source);
  });

  it('answers structural questions on a deeply nested file without recursion', async () => {
    let source = '';
    for (let i = 0; i < 400; i++) source += `${'    '.repeat(i)}with lock:\n`;
    source += `${'    '.repeat(400)}pass\n`;
    const result = await parse(source);
    if (!result.ok) throw new Error(result.fault);
    const withs = result.tree.rootNode.descendantsOfType('with_statement');
    expect(withs).toHaveLength(400);
    let depth = 0;
    for (let n: Node | null = withs[399]; n; n = n.parent) depth++;
    expect(depth).toBeGreaterThanOrEqual(800);
    expect(withs[0].contains(withs[399])).toBe(true);
    expect(withs[399].contains(withs[0])).toBe(false);
    expect(result.tree.rootNode.toString().startsWith('(module (with_statement')).toBe(true);
  });

  it('keeps node identity: the same row is the same object', async () => {
    const result = await parse('def f():\n    return g(1)\n');
    if (!result.ok) throw new Error(result.fault);
    const call = result.tree.rootNode.descendantsOfType('call')[0];
    expect(call.parent?.parent?.parent).toBe(result.tree.rootNode.namedChildren[0]);
    expect(call.parent?.parent?.parent?.parent).toBe(result.tree.rootNode);
    expect(call.childForFieldName('function')?.text).toBe('g');
  });

  it('knows which node types have fields, as the grammar says', () => {
    const types = JSON.parse(readFileSync(require.resolve('tree-sitter-python/src/node-types.json'), 'utf8')) as { type: string; named: boolean; fields?: object }[];
    const fielded = types.filter((t) => t.named && t.fields && Object.keys(t.fields).length > 0).map((t) => t.type).sort();
    expect([...FIELDED_TYPES].sort()).toEqual(fielded);
  });
});

describe('parser faults', () => {
  const poison = () => {
    let source = 'x = "open string\n';
    for (let i = 0; i < 600; i++) source += `${' '.repeat(i)}if a:\n`;
    return `${source}${' '.repeat(600)}pass\n`;
  };

  it('reports the file that breaks the parser and parses the next file on a fresh parser', async () => {
    await parse('x = 1\n');
    const before = parserInstances();
    const bad = await parse(poison());
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.fault).toMatch(/parser/);
    const good = await parse('import threading\nlock = threading.Lock()\n');
    expect(good.ok).toBe(true);
    if (good.ok) expect(good.tree.rootNode.toString()).toBe('(module (import_statement name: (dotted_name (identifier))) (expression_statement (assignment left: (identifier) right: (call function: (attribute object: (identifier) attribute: (identifier)) arguments: (argument_list)))))');
    expect(parserInstances()).toBe(before + 1);
    expect(before).toBeGreaterThanOrEqual(1);
  });
});
