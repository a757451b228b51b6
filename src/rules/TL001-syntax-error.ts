import type { Node } from '../engine/tree/index.js';
import { createRule } from '../engine/rule.js';

/**
 * A file that does not parse is a finding, so CI fails on it as with Ruff and flake8;
 * the other rules still report on the parts that parse.
 */
export default createRule(
  {
    id: 'TL001',
    name: 'syntax-error',
    severity: 'error',
    summary: 'The file does not parse as Python; findings cover only the parts that do.',
    why: 'Code that does not parse cannot run, and threadlint cannot check what it cannot read.',
    fix: 'never',
    inTests: true,
    runsOnBrokenFiles: true,
  },
  (ctx) => {
    const root = ctx.tree.rootNode;
    if (!root.hasError) return;
    const error = firstError(root);
    const token = firstLeaf(error);
    const text = token.text.split('\n')[0];
    const shown = text.length > 40 ? `${text.slice(0, 37)}...` : text;
    const message = error.isMissing
      ? `Syntax error: missing \`${error.type}\` here; findings cover only the parts of the file that parse.`
      : shown.trim()
        ? `Syntax error: unexpected \`${shown.trim()}\`; findings cover only the parts of the file that parse.`
        : 'Syntax error: invalid syntax here; findings cover only the parts of the file that parse.';
    ctx.report({ node: token, message });
  },
);

/** The first ERROR or MISSING node in source order, descending only into subtrees with errors. */
function firstError(root: Node): Node {
  let node = root;
  for (;;) {
    if (node.isError || node.isMissing) return node;
    const next = node.children.find((c) => c.hasError || c.isMissing || c.isError);
    if (!next) return node;
    node = next;
  }
}

function firstLeaf(node: Node): Node {
  let n = node;
  while (n.childCount > 0) n = n.children[0];
  return n;
}
