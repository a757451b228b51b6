import { createRequire } from 'node:module';
import { Language, Parser, type Tree } from 'web-tree-sitter';

/**
 * Parsing through tree-sitter's WebAssembly binding: trees live in wasm memory and are
 * freed explicitly (`tree.delete()`), so a pass over thousands of files stays small.
 * The native binding frees trees only when V8 collects their wrappers, which it does
 * not do in time because it cannot see the native memory.
 */
let ready: Promise<Parser> | undefined;

async function init(): Promise<Parser> {
  await Parser.init();
  const require = createRequire(import.meta.url);
  const wasm = require.resolve('tree-sitter-python/tree-sitter-python.wasm');
  const language = await Language.load(wasm);
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

export function getParser(): Promise<Parser> {
  ready ??= init();
  return ready;
}

/** Parse, run `use` on the tree, and free the tree whatever happens. */
export async function withTree<T>(source: string, use: (tree: Tree) => T): Promise<T> {
  const parser = await getParser();
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    return use(tree);
  } finally {
    tree.delete();
  }
}
