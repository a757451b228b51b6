/** The owned syntax tree: what the model and the rules read instead of wasm nodes. */
export { SyntaxNode as Node, SyntaxTree, type Point } from './syntax-tree.js';
export { parse, parserInstances, type ParseResult } from './parser.js';
