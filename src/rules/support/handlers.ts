import type { Node } from '../../engine/tree/index.js';

/**
 * Whether `node` sits in the body of a `try` (below `stop`, which it never passes) with an
 * `except` that catches one of `names`, `Exception`, `BaseException`, or everything.
 */
export function caughtAround(node: Node, names: readonly string[], stop: (n: Node) => boolean): boolean {
  const caughtName = new RegExp(`\\b(?:${[...names, 'Exception', 'BaseException'].join('|')})\\b`);
  let child = node;
  for (let parent = node.parent; parent && !stop(parent); child = parent, parent = parent.parent) {
    if (parent.type !== 'try_statement' || parent.childForFieldName('body')?.id !== child.id) continue;
    for (const handler of parent.namedChildren) {
      if (handler?.type !== 'except_clause') continue;
      const caught = handler.namedChildren.find((c) => c && c.type !== 'block' && c.type !== 'comment');
      if (!caught || caughtName.test(caught.text)) return true;
    }
  }
  return false;
}
