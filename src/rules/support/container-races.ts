import type { SemanticModel } from '../../engine/model/model.js';
import type { ThreadlintConfig } from '../../engine/types.js';
import type { Acquisition } from '../../engine/model/locks.js';
import { lockedAt, possiblyConcurrent } from './concurrent-code.js';
import { describeAcquisition } from './locking.js';
import { moduleState, type ContainerUse, type ModuleContainer, type UseKind } from './module-state.js';

/**
 * How an unlocked change of a module container races, shown by the file itself. One
 * `d[k] = v` or `lst.append(x)` is atomic on free-threaded CPython (per-object locks);
 * what breaks is a change that is one step of several: a test and the act that relies
 * on it, a read and the write back, an iteration that another thread's change
 * invalidates, or state other code protects with a lock this code does not take.
 */
export interface ContainerRace {
  use: ContainerUse;
  why: 'guarded-elsewhere' | 'read-modify-write' | 'check-then-act' | 'evicted' | 'iterated';
  /** A sentence for the message: what goes wrong. */
  explanation: string;
}

const MUTATIONS: ReadonlySet<UseKind> = new Set(['store', 'update', 'remove', 'add', 'reorder']);

/**
 * For each container the rule cares about, the first unlocked change in each function
 * that races, in source order.
 */
export function containerRaces(model: SemanticModel, config: Pick<ThreadlintConfig, 'profile'>, wanted: (c: ModuleContainer) => boolean): ContainerRace[] {
  const { uses } = moduleState(model);
  const byContainer = new Map<string, ContainerUse[]>();
  const concurrent = new Map<number, boolean>();
  const runtime = (u: ContainerUse) => {
    const id = u.fn!.id;
    let known = concurrent.get(id);
    if (known === undefined) concurrent.set(id, (known = possiblyConcurrent(model, u.fn, config)));
    return known;
  };
  for (const u of uses) {
    if (!wanted(u.container) || !runtime(u)) continue;
    const list = byContainer.get(u.container.key);
    if (list) list.push(u);
    else byContainer.set(u.container.key, [u]);
  }
  const out: ContainerRace[] = [];
  for (const list of byContainer.values()) {
    const summary = summarize(model, list);
    const reported = new Set<number>();
    for (const use of list) {
      if (!MUTATIONS.has(use.kind) || reported.has(use.fn!.id) || lockedAt(model, use.node)) continue;
      const race = raceOf(use, summary);
      if (!race) continue;
      reported.add(use.fn!.id);
      out.push(race);
    }
  }
  return out.sort((a, b) => a.use.node.startIndex - b.use.node.startIndex);
}

/** What the other uses of one container offer as evidence, found in one pass over them. */
interface Summary {
  /** The first changes made under a known lock (two, so one is never the use itself). */
  guarded: { use: ContainerUse; held: Acquisition }[];
  /** Per function: the earliest unlocked test of the container. */
  firstTest: Map<number, ContainerUse>;
  /** Per function: where its earliest test or store of the container starts. */
  firstTestOrStore: Map<number, number>;
  /** The first unlocked loops over it (two, so one never contains the use). */
  iterations: ContainerUse[];
  /** Subscript reads `X[k]` that follow a test or store in their function. */
  presentReads: ContainerUse[];
}

function summarize(model: SemanticModel, uses: ContainerUse[]): Summary {
  const summary: Summary = { guarded: [], firstTest: new Map(), firstTestOrStore: new Map(), iterations: [], presentReads: [] };
  for (const u of uses) {
    const fn = u.fn!.id;
    const held = model.locks.heldAt(u.node);
    const locked = held.length > 0;
    if (MUTATIONS.has(u.kind) && locked && summary.guarded.length < 2) summary.guarded.push({ use: u, held: held[held.length - 1] });
    if (u.kind === 'test' && !locked && !summary.firstTest.has(fn)) summary.firstTest.set(fn, u);
    if ((u.kind === 'test' || u.kind === 'store') && !summary.firstTestOrStore.has(fn)) summary.firstTestOrStore.set(fn, u.node.startIndex);
    if (u.kind === 'iterate' && !locked && summary.iterations.length < 2) summary.iterations.push(u);
  }
  // Uses are in source order, so a function's first test or store is known before its later reads.
  for (const u of uses) {
    if (u.kind !== 'read' || u.node.type !== 'subscript' || model.locks.heldAt(u.node).length > 0) continue;
    const before = summary.firstTestOrStore.get(u.fn!.id);
    if (before !== undefined && before < u.node.startIndex) summary.presentReads.push(u);
    if (summary.presentReads.length >= 2) break;
  }
  return summary;
}

function raceOf(use: ContainerUse, summary: Summary): ContainerRace | null {
  const name = `\`${use.container.name}\``;
  const guarded = summary.guarded.find((o) => o.use !== use);
  if (guarded) {
    return {
      use,
      why: 'guarded-elsewhere',
      explanation: `${name} is changed under ${describeAcquisition(guarded.held)} elsewhere, but not here: the lock protects nothing while this change can run beside the locked one`,
    };
  }
  if (use.kind === 'update') {
    return { use, why: 'read-modify-write', explanation: `this reads an entry of ${name}, changes it and writes it back: two threads can read the same old value and one update is lost` };
  }
  const test = summary.firstTest.get(use.fn!.id);
  const act = test && test.node.startIndex < use.node.startIndex ? actAfterTest(use) : null;
  if (test && act) {
    const line = test.node.startPosition.row + 1;
    const what =
      act === 'remove'
        ? `another thread can remove the entry between the test of ${name} at line ${line} and this removal: \`${use.container.kind === 'list' ? 'ValueError' : 'KeyError'}\``
        : act === 'duplicate'
          ? `two threads can both pass the test of ${name} at line ${line} before either adds: the item is added twice`
          : `two threads can both pass the test of ${name} at line ${line} before either marks it: what follows runs twice`;
    return { use, why: 'check-then-act', explanation: what };
  }
  const read = use.kind === 'remove' ? summary.presentReads.find((o) => o !== use) : undefined;
  if (read) {
    const line = read.node.startPosition.row + 1;
    return {
      use,
      why: 'evicted',
      explanation: `another call can be between its test or store and its read of ${name} at line ${line} when this removes the entry: \`KeyError\``,
    };
  }
  const iteration = summary.iterations.find((o) => !o.node.contains(use.node));
  if (iteration && changesSize(use)) {
    const line = iteration.node.startPosition.row + 1;
    const what =
      use.container.kind === 'list'
        ? `a loop over ${name} at line ${line} can run at the same time and skip or repeat items`
        : `a loop over ${name} at line ${line} can run at the same time and fail with \`RuntimeError: ${use.container.kind === 'set' ? 'Set' : 'dictionary'} changed size during iteration\``;
    return { use, why: 'iterated', explanation: what };
  }
  return null;
}

/**
 * What goes wrong when a test of the container is stale by the time this change runs:
 * a removal that raises (`del d[k]`, `d.pop(k)`, `lst.remove(x)`), an item added twice
 * to a list, or a "done" marker (`d[k] = True`) set twice so the work it guards runs
 * twice. A computed value stored after a miss (a memo) is only work done twice, and a
 * set's `add` or `discard` is idempotent: neither is reported.
 */
function actAfterTest(use: ContainerUse): 'remove' | 'duplicate' | 'marker' | null {
  const n = use.node;
  if (use.kind === 'remove') {
    if (n.type === 'delete_statement') return 'remove';
    const method = n.childForFieldName('function')?.childForFieldName('attribute')?.text;
    const args = n.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
    if (method === 'remove') return 'remove';
    if (method === 'pop' && use.container.kind === 'dict' && args.length === 1) return 'remove';
    return null;
  }
  if (use.kind === 'add' && use.container.kind === 'list' && /\.(?:append|insert|extend)\s*\(/.test(n.text)) return 'duplicate';
  if (use.kind === 'store') {
    const value = n.childForFieldName('right');
    return value && CONSTANTS.has(value.type) ? 'marker' : null;
  }
  return null;
}

const CONSTANTS = new Set(['true', 'false', 'none', 'integer', 'float', 'string']);

/** Whether the change can break a concurrent iteration (for lists: a shift, not an append). */
function changesSize(use: ContainerUse): boolean {
  if (use.container.kind !== 'list') return use.kind !== 'reorder';
  if (use.kind === 'remove' || use.kind === 'reorder') return true;
  return use.kind === 'add' && /\.(?:insert|appendleft)\s*\(/.test(use.node.text);
}
