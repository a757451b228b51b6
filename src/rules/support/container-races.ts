import type { SemanticModel } from '../../engine/model/model.js';
import type { ThreadlintConfig } from '../../engine/types.js';
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
    const reported = new Set<number>();
    for (const use of list) {
      if (!MUTATIONS.has(use.kind) || reported.has(use.fn!.id) || lockedAt(model, use.node)) continue;
      const race = raceOf(model, use, list);
      if (!race) continue;
      reported.add(use.fn!.id);
      out.push(race);
    }
  }
  return out.sort((a, b) => a.use.node.startIndex - b.use.node.startIndex);
}

function raceOf(model: SemanticModel, use: ContainerUse, all: ContainerUse[]): ContainerRace | null {
  const name = `\`${use.container.name}\``;
  const guarded = all.find((o) => o !== use && MUTATIONS.has(o.kind) && model.locks.heldAt(o.node).length > 0);
  if (guarded) {
    const held = model.locks.heldAt(guarded.node);
    return {
      use,
      why: 'guarded-elsewhere',
      explanation: `${name} is changed under ${describeAcquisition(held[held.length - 1])} elsewhere, but not here: the lock protects nothing while this change can run beside the locked one`,
    };
  }
  if (use.kind === 'update') {
    return { use, why: 'read-modify-write', explanation: `this reads an entry of ${name}, changes it and writes it back: two threads can read the same old value and one update is lost` };
  }
  const test = all.find((o) => o.kind === 'test' && o.fn?.id === use.fn?.id && o.node.startIndex < use.node.startIndex && !model.locks.heldAt(o.node).length);
  const act = test ? actAfterTest(use) : null;
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
  const read = use.kind === 'remove' ? all.find((o) => o !== use && assumesPresent(o, all) && !model.locks.heldAt(o.node).length) : undefined;
  if (read) {
    const line = read.node.startPosition.row + 1;
    return {
      use,
      why: 'evicted',
      explanation: `another call can be between its test or store and its read of ${name} at line ${line} when this removes the entry: \`KeyError\``,
    };
  }
  const iteration = all.find((o) => o.kind === 'iterate' && !o.node.contains(use.node) && !model.locks.heldAt(o.node).length);
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

/** A read `X[k]` that a test or store of X earlier in the same function makes the code expect to succeed. */
function assumesPresent(read: ContainerUse, all: ContainerUse[]): boolean {
  if (read.kind !== 'read' || read.node.type !== 'subscript') return false;
  return all.some((o) => (o.kind === 'test' || o.kind === 'store') && o.fn?.id === read.fn?.id && o.node.startIndex < read.node.startIndex);
}

/** Whether the change can break a concurrent iteration (for lists: a shift, not an append). */
function changesSize(use: ContainerUse): boolean {
  if (use.container.kind !== 'list') return use.kind !== 'reorder';
  if (use.kind === 'remove' || use.kind === 'reorder') return true;
  return use.kind === 'add' && /\.(?:insert|appendleft)\s*\(/.test(use.node.text);
}
