import type { Acquisition } from '../engine/model/locks.js';
import { createRule, type ProjectReport, type Site } from '../engine/rule.js';

/** One "holding `outer`, take `inner`" step, as plain data that outlives the tree. */
interface OrderEdge extends Site {
  outer: string;
  inner: string;
  /** How the two locks read in the code at this place. */
  outerText: string;
  innerText: string;
  outerLine: number;
  viaCall?: string;
}

interface Facts {
  edges: OrderEdge[];
}

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
  },
  (ctx) => {
    const { model } = ctx;
    const locks = model.locks;
    const edges: OrderEdge[] = [];
    const addEdges = (held: Acquisition[], inner: { globalKey: string | null; expr: { text: string } }, at: Parameters<typeof ctx.locate>[0], viaCall?: string) => {
      if (!inner.globalKey) return;
      for (const outer of held) {
        if (!outer.globalKey || outer.globalKey === inner.globalKey) continue;
        edges.push({
          ...ctx.locate(at),
          outer: outer.globalKey,
          inner: inner.globalKey,
          outerText: outer.expr.text,
          innerText: inner.expr.text,
          outerLine: outer.at.startPosition.row + 1,
          viaCall,
        });
      }
    };
    for (const fn of [...model.nodes('function_definition'), ...model.nodes('lambda')]) {
      for (const a of locks.acquisitionsIn(fn)) addEdges(locks.heldAt(a.at), a, a.at);
    }
    for (const call of model.calls) {
      const fnExpr = call.childForFieldName('function');
      const callee = fnExpr && model.localFunction(fnExpr);
      if (!callee) continue;
      const held = locks.heldAt(call);
      if (!held.length) continue;
      const seen = new Set<string>();
      for (const fn of model.threads.reachableFrom(callee)) {
        for (const a of locks.acquisitionsIn(fn)) {
          if (a.globalKey && !seen.has(a.globalKey)) {
            seen.add(a.globalKey);
            addEdges(held, a, call, fnExpr!.text);
          }
        }
      }
    }
    if (edges.length) ctx.setFacts({ edges } satisfies Facts);
  },
  (ctx) => {
    const all: (OrderEdge & { path: string })[] = [];
    for (const file of ctx.files) for (const e of (file.facts as Facts).edges) all.push({ ...e, path: file.path });
    const byPair = new Map<string, (OrderEdge & { path: string })[]>();
    for (const e of all) {
      const key = `${e.outer}\0${e.inner}`;
      const list = byPair.get(key);
      if (list) list.push(e);
      else byPair.set(key, [e]);
    }
    const later = (a: { path: string; line: number }, b: { path: string; line: number }) =>
      a.path.localeCompare(b.path) || a.line - b.line;
    for (const [key, forward] of byPair) {
      const [a, b] = key.split('\0');
      if (a > b) continue; // each unordered pair once
      const backward = byPair.get(`${b}\0${a}`);
      if (!backward) continue;
      const candidates = [...forward, ...backward];
      const changed = ctx.changed;
      const onChange = changed ? candidates.filter((e) => changed(e.path, e.statementLine, e.statementEndLine)) : [];
      const pool = onChange.length ? onChange : candidates;
      const here = pool.sort(later)[pool.length - 1];
      const other = (forward.includes(here) ? backward : forward).slice().sort(later)[0];
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
          `${here.viaCall ? `\`${here.viaCall}()\` takes` : 'This takes'} \`${here.innerText}\` while holding \`${here.outerText}\` (line ${here.outerLine}), ` +
          `but ${other.path}:${other.line} takes \`${other.innerText}\` while holding \`${other.outerText}\`. ` +
          `Two threads running both paths can each hold one lock and wait forever for the other: acquire the locks in one global order.`,
      };
      ctx.report(report);
    }
  },
);
