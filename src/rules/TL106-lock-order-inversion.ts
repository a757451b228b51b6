import type { Node } from '../engine/tree/index.js';
import { sameDottedName, type Acquisition } from '../engine/model/locks.js';
import { createRule, type ProjectReport, type RuleContext, type Site } from '../engine/rule.js';

/** One "holding `outer`, take `inner`" step, as plain data that outlives the tree. */
interface OrderEdge extends Site {
  outer: string;
  inner: string;
  /** The key is an import this file could not type: it counts once another file declares that lock. */
  outerImported: boolean;
  innerImported: boolean;
  /** How the two locks read in the code at this place. */
  outerText: string;
  innerText: string;
  outerLine: number;
  /** The call through which the inner lock is taken (`self._flush`), if not taken here. */
  viaCall?: string;
}

interface Facts {
  edges: OrderEdge[];
  /** Cross-file names of the module-level locks the file defines. */
  declared: string[];
}

/** A lock as the edge builder sees it, typed in this file or imported from another. */
interface Taken {
  globalKey: string;
  imported: boolean;
  expr: Node;
  at: Node;
}

type Located = OrderEdge & { path: string };

/**
 * Two paths that take the same two locks in opposite order can deadlock: each thread
 * holds one lock and waits for the other. Orders are compared across every analysed file.
 */
export default createRule(
  {
    id: 'TL106',
    name: 'lock-order-inversion',
    severity: 'error',
    summary: 'Two code paths acquire the same two locks in opposite order: a deadlock waiting for the right interleaving.',
    why: 'Thread 1 holds A and waits for B while thread 2 holds B and waits for A: both wait forever.',
    fix: 'never',
    inTests: true,
  },
  (ctx) => {
    const edges = collectEdges(ctx);
    const declared = ctx.model.locks.declaredLocks();
    if (edges.length || declared.length) ctx.setFacts({ edges, declared } satisfies Facts);
  },
  (ctx) => {
    const facts = ctx.files.map((f) => ({ path: f.path, facts: f.facts as Facts }));
    const declared = facts.flatMap((f) => f.facts.declared);
    const all: Located[] = [];
    for (const { path, facts: f } of facts) {
      for (const e of f.edges) {
        const outer = canonical(e.outer, e.outerImported, declared);
        const inner = canonical(e.inner, e.innerImported, declared);
        if (outer && inner && outer !== inner) all.push({ ...e, outer, inner, path });
      }
    }
    const byPair = new Map<string, Located[]>();
    for (const e of all) {
      const key = `${e.outer}\0${e.inner}`;
      const list = byPair.get(key);
      if (list) list.push(e);
      else byPair.set(key, [e]);
    }
    const order = (a: Located, b: Located) => a.path.localeCompare(b.path) || a.line - b.line || a.column - b.column;
    for (const [key, forward] of byPair) {
      const [a, b] = key.split('\0');
      if (a > b) continue; // each unordered pair once
      const backward = byPair.get(`${b}\0${a}`);
      if (!backward) continue;
      const candidates = [...forward, ...backward].sort(order);
      const changed = ctx.changed;
      const onChange = changed ? candidates.filter((e) => changed(e.path, e.statementLine, e.statementEndLine)) : candidates;
      // With a diff, a pair whose paths are all unchanged is old news.
      if (!onChange.length) continue;
      const here = onChange[onChange.length - 1];
      const other = (forward.includes(here) ? backward : forward).slice().sort(order)[0];
      const takes = (e: Located) => (e.viaCall ? `calls \`${e.viaCall}()\`, which takes` : 'takes');
      const report: ProjectReport = {
        path: here.path,
        line: here.line,
        column: here.column,
        endLine: here.endLine,
        endColumn: here.endColumn,
        statementLine: here.statementLine,
        statementEndLine: here.statementEndLine,
        code: here.code,
        message:
          `This ${takes(here)} \`${here.innerText}\` while holding \`${here.outerText}\` (line ${here.outerLine}), ` +
          `but ${other.path === here.path ? `line ${other.line}` : `${other.path}:${other.line}`} ${takes(other)} \`${other.innerText}\` while holding \`${other.outerText}\`. ` +
          `Two threads running both paths can each hold one lock and wait forever for the other: acquire the locks in one global order.`,
      };
      ctx.report(report);
    }
  },
);

/** Every "holding A, take B" step of a file: nested acquisitions, and calls made under a lock to functions that take another. */
function collectEdges(ctx: RuleContext): OrderEdge[] {
  const { model } = ctx;
  const locks = model.locks;
  const edges: OrderEdge[] = [];
  const typed = (a: Acquisition): Taken | null =>
    a.globalKey && !a.param && !locks.isHandOff(a) ? { globalKey: a.globalKey, imported: false, expr: a.expr, at: a.at } : null;
  const heldAt = (node: Node): Taken[] => {
    const known = locks.heldAt(node).map(typed).filter((t): t is Taken => !!t);
    const imported = locks.importedHeldAt(node).map((i) => ({ globalKey: i.globalKey, imported: true, expr: i.expr, at: i.at }));
    return [...known, ...imported].sort((x, y) => x.at.startIndex - y.at.startIndex);
  };
  const takenIn = (fn: Node): Taken[] => [
    ...locks.acquisitionsIn(fn).filter((a) => a.blocking).map(typed).filter((t): t is Taken => !!t),
    ...locks.importedAcquisitionsIn(fn).map((i) => ({ globalKey: i.globalKey, imported: true, expr: i.expr, at: i.at })),
  ];
  const add = (held: Taken[], inner: Taken, site: Site, viaCall?: string) => {
    // Taking a lock this thread already holds (an RLock re-entered) waits for no one.
    if (held.some((h) => h.globalKey === inner.globalKey)) return;
    for (const outer of held) {
      edges.push({
        ...site,
        outer: outer.globalKey,
        inner: inner.globalKey,
        outerImported: outer.imported,
        innerImported: inner.imported,
        outerText: outer.expr.text,
        innerText: inner.expr.text,
        outerLine: outer.at.startPosition.row + 1,
        viaCall,
      });
    }
  };
  let anyTaken = false;
  for (const fn of [...model.nodes('function_definition'), ...model.nodes('lambda')]) {
    for (const inner of takenIn(fn)) {
      anyTaken = true;
      const held = heldAt(inner.at);
      if (held.length) add(held, inner, innerSite(ctx, inner.at));
    }
  }
  // A call can only add an order when some function takes a lock.
  if (!anyTaken) return edges;
  for (const call of model.calls) {
    const fnExpr = call.childForFieldName('function');
    const callee = fnExpr && model.localFunction(fnExpr);
    if (!callee) continue;
    const held = heldAt(call);
    if (!held.length) continue;
    const seen = new Set<string>();
    for (const fn of model.threads.reachableFrom(callee)) {
      for (const inner of takenIn(fn)) {
        if (seen.has(inner.globalKey)) continue;
        seen.add(inner.globalKey);
        add(held, inner, ctx.locate(call), fnExpr!.text);
      }
    }
  }
  return edges;
}

/** Where an inner acquisition is reported: `with L` (keyword to item) for a one-item `with`, else the item or the `acquire()` call. */
function innerSite(ctx: RuleContext, at: Node): Site {
  const site = ctx.locate(at);
  if (at.type !== 'with_item') return site;
  const stmt = at.parent?.parent;
  const first = at.parent?.namedChildren.find((n) => n?.type === 'with_item');
  if (stmt?.type !== 'with_statement' || first?.id !== at.id) return site;
  return { ...site, line: stmt.startPosition.row + 1, column: stmt.startPosition.column + 1 };
}

/**
 * The project-wide name of a lock: a typed lock keeps its name; an imported one counts
 * only when exactly one analysed file declares a lock of that name (allowing for a
 * package prefix the import spells differently from the file path).
 */
function canonical(key: string, imported: boolean, declared: string[]): string | null {
  const matches = declared.filter((d) => sameDottedName(d, key));
  if (matches.length === 1) return matches[0];
  if (imported) return null;
  return key;
}
