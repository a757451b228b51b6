/**
 * Parsing, isolated from parser faults. tree-sitter runs as WebAssembly; a few inputs
 * (an open string followed by hundreds of nested blocks: an upstream scanner bug) corrupt
 * its memory, after which every later parse in that instance fails or lies. So each
 * parse is followed by a canary parse of a known snippet; an instance that traps or fails
 * the canary is dropped and the next parse gets a fresh one (a new module instance with
 * its own memory). The file that broke it is reported, never analysed on a bad tree.
 *
 * The wasm tree is converted into a `SyntaxTree` and freed before `parse` returns: the
 * analysis never touches WebAssembly.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Language as WasmLanguage, Parser as WasmParser, Tree as WasmTree } from 'web-tree-sitter';
import { buildTree, type BuildOptions, type CursorModule } from './build.js';
import { Grammar } from './grammar.js';
import type { SyntaxTree } from './syntax-tree.js';

type WebTreeSitter = typeof import('web-tree-sitter');

interface Instance {
  parser: WasmParser;
  module: CursorModule;
  transferBuffer: number;
  poisoned: boolean;
}

export type ParseResult = { ok: true; tree: SyntaxTree } | { ok: false; fault: string };

const require = createRequire(import.meta.url);

/** The grammar's wasm; the CLI package may ship it next to the compiled code. */
export function grammarWasmPath(): string {
  return require.resolve('tree-sitter-python/tree-sitter-python.wasm');
}

const CANARY = 'def canary(a, *b):\n    return [a, "b"] if b else {a: 1}\n';
const CANARY_SHAPE = '(module (function_definition name: (identifier) parameters: (parameters (identifier) (list_splat_pattern (identifier))) body: (block (return_statement (conditional_expression (list (identifier) (string (string_start) (string_content) (string_end))) (identifier) (dictionary (pair key: (identifier) value: (integer))))))))';

const FAULT = 'the parser faulted on this file (a known tree-sitter scanner bug with very deep nesting); it was not analysed';

let grammar: Grammar | undefined;
let current: Promise<Instance> | undefined;
let instancesMade = 0;

/**
 * A fresh copy of web-tree-sitter: its own module state and its own wasm memory. ES
 * modules are cached by URL, so a new query string loads a new copy.
 */
async function freshBinding(): Promise<WebTreeSitter> {
  const esm = require.resolve('web-tree-sitter').replace(/\.cjs$/, '.js');
  return (await import(`${pathToFileURL(esm).href}?instance=${instancesMade + 1}`)) as WebTreeSitter;
}

async function createInstance(): Promise<Instance> {
  const binding = await freshBinding();
  const module = {} as CursorModule & { _ts_init(): number };
  await binding.Parser.init(module as object);
  const language: WasmLanguage = await binding.Language.load(grammarWasmPath());
  const parser = new binding.Parser();
  parser.setLanguage(language);
  grammar ??= new Grammar(language);
  instancesMade++;
  // `ts_init` only returns the address of the transfer buffer (and rewrites two constants).
  return { parser, module, transferBuffer: module._ts_init(), poisoned: false };
}

let ready: Instance | undefined;

async function healthyInstance(): Promise<Instance> {
  let instance = current ? await current : undefined;
  if (!instance || instance.poisoned) {
    current = createInstance();
    instance = await current;
  }
  ready = instance;
  return instance;
}

/** Make sure a healthy parser is loaded, so `parseNow` can run synchronously. */
export async function prepareParser(): Promise<void> {
  await healthyInstance();
}

/** How many parser instances this process has made (one, unless a file broke one). */
export function parserInstances(): number {
  return instancesMade;
}

/** Parse into an owned tree; a parser fault is a result, never an exception. */
export async function parse(source: string, options: BuildOptions = {}): Promise<ParseResult> {
  await healthyInstance();
  return parseNow(source, options);
}

/**
 * `parse` without waiting: needs `prepareParser()` first. After a fault the next parse
 * needs `prepareParser()` again (a fresh instance loads asynchronously); until then this
 * reports the fault again instead of using the broken parser.
 */
export function parseNow(source: string, options: BuildOptions = {}): ParseResult {
  const instance = ready;
  if (!instance || instance.poisoned) return { ok: false, fault: 'the parser is being restarted after a fault' };
  let tree: SyntaxTree;
  try {
    tree = parseWith(instance, source, options);
  } catch (error) {
    instance.poisoned = true;
    return { ok: false, fault: `the parser failed on this file (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!canaryHolds(instance)) {
    instance.poisoned = true;
    return { ok: false, fault: FAULT };
  }
  return { ok: true, tree };
}

/**
 * Whether the text parses, without building a tree: for files no rule needs a tree of
 * (the analysis builds one only when the answer is no, to locate the error).
 */
export function parsesCleanlyNow(source: string): { ok: true; clean: boolean } | { ok: false; fault: string } {
  const instance = ready;
  if (!instance || instance.poisoned) return { ok: false, fault: 'the parser is being restarted after a fault' };
  let clean: boolean;
  try {
    const tree = instance.parser.parse(source);
    if (!tree) throw new Error('tree-sitter returned no tree');
    try {
      clean = !tree.rootNode.hasError;
    } finally {
      tree.delete();
    }
  } catch (error) {
    instance.poisoned = true;
    return { ok: false, fault: `the parser failed on this file (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!canaryHolds(instance)) {
    instance.poisoned = true;
    return { ok: false, fault: FAULT };
  }
  return { ok: true, clean };
}

function parseWith(instance: Instance, source: string, options: BuildOptions): SyntaxTree {
  const wasmTree: WasmTree | null = instance.parser.parse(source);
  if (!wasmTree) throw new Error('tree-sitter returned no tree');
  const cursor = wasmTree.walk();
  try {
    const slots = cursor as unknown as Int32Array;
    const address = (wasmTree as unknown as Record<number, number>)[0];
    return buildTree(source, { address, hasError: wasmTree.rootNode.hasError, cursor: slots }, instance.module, instance.transferBuffer, grammar!, options);
  } finally {
    cursor.delete();
    wasmTree.delete();
  }
}

function canaryHolds(instance: Instance): boolean {
  try {
    const wasmTree = instance.parser.parse(CANARY);
    if (!wasmTree) return false;
    try {
      return wasmTree.rootNode.toString() === CANARY_SHAPE;
    } finally {
      wasmTree.delete();
    }
  } catch {
    return false;
  }
}

/**
 * tree-sitter alone — parse, ask whether the tree has errors, free it — with no tree
 * build and no analysis: the floor the benchmark compares the pipeline with.
 */
export async function parseFloor(source: string): Promise<boolean> {
  const instance = await healthyInstance();
  const tree = instance.parser.parse(source);
  if (!tree) return false;
  try {
    return tree.rootNode.hasError;
  } finally {
    tree.delete();
  }
}
