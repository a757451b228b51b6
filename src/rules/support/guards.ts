import type { Node } from '../../engine/tree/index.js';
import type { GuardSummary } from '../../engine/model/guards.js';
import { GuardJoin, type GuardFile, type GuardSite, type UnguardedAccess } from '../../engine/project/guards.js';
import type { ProjectContext, ProjectReport, RuleContext } from '../../engine/rule.js';
import { indentDeeper, indentOf, indentUnit, startsLine } from './indent.js';
import { calledWithSomeLock } from './locking.js';

/**
 * What TL107 and TL109 keep per file: the guard summary, and for writes that hold no
 * lock, the pieces of a `with L:` around their statement (the lock is chosen by the
 * project step, which alone knows what guards the state).
 */
export interface GuardRuleFacts {
  summary: GuardSummary;
  wraps?: Record<number, Wrap>;
}

/** A single simple statement that `with <lock>:` can wrap: its range, indentation and re-indented text. */
export interface Wrap {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  indent: string;
  unit: string;
  body: string;
  /** The method's `self`, for a class lock. */
  selfName: string | null;
}

/** The file's guard summary, when it has state or locks worth joining. */
export function guardSummary(ctx: RuleContext): GuardSummary | null {
  const summary = ctx.model.guards.summary(ctx.locate);
  const worth = summary.accesses.length > 0 || summary.locks.length > 0 || summary.classes.some((c) => c.locks.length > 0 || c.concurrent);
  return worth ? summary : null;
}

const WRAPPABLE = new Set(['expression_statement', 'delete_statement']);

/**
 * `with L:` pieces for the summary's unlocked writes whose statement stands alone on its
 * lines in a block, in a function no same-file caller calls with a lock held, and that
 * calls nothing of this file that takes a lock (wrapping it would then deadlock on a Lock).
 */
export function wrapsFor(ctx: RuleContext, summary: GuardSummary): Record<number, Wrap> {
  const { model, source } = ctx;
  const out: Record<number, Wrap> = {};
  summary.accesses.forEach((a, i) => {
    if (a.kind === 'iterate' || a.held.length || a.maybeHeld.length || a.opaque || a.readModifyWrite) return;
    if (a.phase !== 'public' && a.phase !== 'helper') return;
    const node = model.guards.accessNode(i);
    const stmt = model.statementOf(node);
    if (!WRAPPABLE.has(stmt.type) || stmt.parent?.type !== 'block' || !startsLine(source, stmt)) return;
    const lineEnd = source.indexOf('\n', stmt.endIndex);
    const rest = source.slice(stmt.endIndex, lineEnd === -1 ? source.length : lineEnd).trim();
    if (rest && !rest.startsWith('#')) return;
    const prev = stmt.previousNamedSibling;
    if (prev && prev.endPosition.row === stmt.startPosition.row && prev.type !== 'comment') return;
    if (calledWithSomeLock(model, node) || callsLockTaker(ctx, stmt)) return;
    const unit = indentUnit(model, model.lines, stmt);
    const body = indentDeeper(source, stmt, unit);
    if (body === null) return;
    const fn = model.enclosingFunction(node);
    out[i] = {
      startLine: stmt.startPosition.row + 1,
      startColumn: stmt.startPosition.column + 1,
      endLine: stmt.endPosition.row + 1,
      endColumn: stmt.endPosition.column + 1,
      indent: indentOf(source, stmt),
      unit,
      body,
      selfName: fn ? (model.index.scopes.get(fn.id)?.selfName ?? null) : null,
    };
  });
  return out;
}

/** Whether the statement calls a same-file function that takes some lock. */
function callsLockTaker(ctx: RuleContext, stmt: Node): boolean {
  const { model } = ctx;
  for (const call of stmt.descendantsOfType('call')) {
    const fnExpr = call.childForFieldName('function');
    const callee = fnExpr && model.localFunction(fnExpr);
    if (!callee) {
      // An unknown method of `self` may take the lock too.
      if (fnExpr?.type === 'attribute' && fnExpr.childForFieldName('object')?.text === 'self') return true;
      continue;
    }
    if (model.threads.reachableFrom(callee).some((f) => model.locks.acquisitionsIn(f).length || model.locks.importedAcquisitionsIn(f).length)) return true;
  }
  return false;
}

/** The join of every file's summary in a project context. */
export function joinFacts(ctx: ProjectContext): { join: GuardJoin; facts: Map<string, GuardRuleFacts> } {
  const facts = new Map(ctx.files.map((f) => [f.path, f.facts as GuardRuleFacts]));
  const files = [...facts].map(([path, f]) => ({ path, summary: f.summary }));
  return { join: sharedJoin(files), facts };
}

/**
 * TL107 and TL109 join the same summaries (one object per file, shared by both rules'
 * facts): the second asks for the join the first built. Keyed weakly by the first
 * summary, so a join lives no longer than the run's facts.
 */
const joins = new WeakMap<GuardSummary, { files: GuardFile[]; join: GuardJoin }>();

function sharedJoin(files: GuardFile[]): GuardJoin {
  const first = files[0]?.summary;
  const known = first ? joins.get(first) : undefined;
  if (known && known.files.length === files.length && known.files.every((f, i) => f.path === files[i].path && f.summary === files[i].summary)) return known.join;
  const join = new GuardJoin(files);
  if (first) joins.set(first, { files: files.map((f) => ({ path: f.path, summary: f.summary })), join });
  return join;
}

/** The guard to name in a message: one declared, else one held in the same file, else the first. */
export function chosenGuard(u: UnguardedAccess): GuardSite {
  return u.guards.find((g) => g.declared) ?? u.guards.find((g) => g.path === u.path) ?? u.guards[0];
}

/** `line 12` in the same file, else `pkg/pool.py:12`. */
export function where(site: { path: string; line: number }, from: string): string {
  return site.path === from ? `line ${site.line}` : `${site.path}:${site.line}`;
}

/** A project report at an access's site. */
export function reportAt(u: UnguardedAccess, message: string): ProjectReport {
  return { path: u.path, ...u.access.site, message };
}
