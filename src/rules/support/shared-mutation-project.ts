import type { Node } from '../../engine/tree/index.js';
import { moduleNameOf, sameDottedName } from '../../engine/model/locks.js';
import type { SemanticModel } from '../../engine/model/model.js';
import { isParallel } from '../../engine/model/threads.js';
import type { ProjectContext, RuleContext, Site } from '../../engine/rule.js';
import { functionName, oneLine } from './locking.js';
import { CONSTRUCTION, collectWrites, type Mutation } from './shared-state.js';

/**
 * TL104 across files: a thread target that another file of the run defines
 * (`from .workers import drain; Thread(target=drain)`). Each file leaves, as plain data,
 * the callables it hands to threads by dotted name, and for each of its own functions
 * and methods the unguarded read-modify-writes reachable from it that no thread of its
 * own file reaches; the project step matches the two.
 */

/** A thread started in this file on a callable another file defines. */
interface Start {
  name: string;
  many: boolean;
  line: number;
}

/** An unguarded read-modify-write reachable from a function of this file. */
interface Candidate extends Site {
  text: string;
  target: string;
  /** The function that makes it (the target or a function it calls). */
  fn: string;
  /** `self.` state (shared only if the instance is). */
  self: boolean;
  /** Another function of the file that writes the same state, not reached from the target. */
  writer?: { fn: string; line: number };
}

interface Target {
  /** `pkg.workers.drain`, `pkg.poller.Poller.poll`. */
  name: string;
  candidates: Candidate[];
}

export interface SharedMutationFacts {
  starts: Start[];
  targets: Target[];
}

/** This file's half of the cross-file check, or null when it has nothing to say. */
export function collectFacts(ctx: RuleContext, mutations: readonly Mutation[], isCandidate: (m: Mutation) => boolean): SharedMutationFacts | null {
  const { model } = ctx;
  const starts = startsOf(model);
  const candidates = mutations.filter((m) => isCandidate(m) && !m.key.startsWith('l:') && !reachedHere(model, m.fn!));
  const targets: Target[] = [];
  if (candidates.length) {
    const writes = collectWrites(model, mutations);
    for (const { fn, name } of definedFunctions(model)) {
      const reach = new Set(model.threads.reachableFrom(fn).map((f) => f.id));
      const own = candidates.filter((m) => reach.has(m.fn!.id));
      if (!own.length) continue;
      targets.push({
        name,
        candidates: own.map((m) => {
          const w = writes.find((x) => x.key === m.key && x.fn && !reach.has(x.fn.id) && !CONSTRUCTION.has(functionName(x.fn)));
          return {
            ...ctx.locate(m.node),
            text: oneLine(m.node.text),
            target: oneLine(m.target.text, 40),
            fn: functionName(m.fn!),
            self: m.key.startsWith('c:'),
            writer: w?.fn ? { fn: functionName(w.fn), line: w.node.startPosition.row + 1 } : undefined,
          };
        }),
      });
    }
  }
  return starts.length || targets.length ? { starts, targets } : null;
}

/** Report the read-modify-writes of targets that other files start on threads. */
export function checkStartedElsewhere(ctx: ProjectContext): void {
  const files = ctx.files.map((f) => ({ path: f.path, facts: f.facts as SharedMutationFacts }));
  const reported = new Set<string>();
  for (const from of files) {
    for (const start of from.facts.starts) {
      for (const to of files) {
        if (to.path === from.path) continue;
        for (const target of to.facts.targets) {
          if (!sameDottedName(start.name, target.name)) continue;
          for (const c of target.candidates) {
            const why = crossFileReason(c, start, from.path, target.name.split('.').pop()!);
            const key = `${to.path}:${c.line}:${c.column}`;
            if (!why || reported.has(key)) continue;
            reported.add(key);
            const { line, column, endLine, endColumn, statementLine, statementEndLine, code } = c;
            ctx.report({
              line, column, endLine, endColumn, statementLine, statementEndLine, code,
              path: to.path,
              message:
                `\`${c.text}\` reads \`${c.target}\`, changes it and writes it back with no lock held, ${why}: ` +
                'two threads can read the same old value and one update is lost. Hold a lock around it.',
            });
          }
        }
      }
    }
  }
}

function crossFileReason(c: Candidate, start: Start, path: string, target: string): string | null {
  const where = `${path}:${start.line}`;
  // An instance's own state, started many times: most likely one instance per thread.
  if (start.many) return c.self ? null : `and \`${target}\` runs on several threads at once (started in a loop or more than once at ${where})`;
  if (!c.writer) return null;
  return `and \`${target}\` runs on a thread (started at ${where}) while \`${c.writer.fn}\` changes it too (line ${c.writer.line})`;
}

/** Callables of other files this file hands to threads, pools and futures; twice by one function counts as many. */
function startsOf(model: SemanticModel): Start[] {
  const external = model.threads.externalEntries();
  const site = (name: string, via: Node) => `${name}:${model.enclosingFunction(via)?.id ?? 'module'}`;
  const count = new Map<string, number>();
  for (const e of external) count.set(site(e.name, e.via), (count.get(site(e.name, e.via)) ?? 0) + 1);
  return external.map((e) => ({ name: e.name, many: e.many || (count.get(site(e.name, e.via)) ?? 0) > 1, line: e.via.startPosition.row + 1 }));
}

/** Whether a thread, task or callback of this file reaches the function: the file's own check covers it. */
function reachedHere(model: SemanticModel, fn: Node): boolean {
  return model.threads.entriesReaching(fn, 'all').some(isParallel);
}

/** Module-level functions and methods of module-level classes, with their dotted names. */
function definedFunctions(model: SemanticModel): { fn: Node; name: string }[] {
  const mod = moduleNameOf(model.path);
  const out: { fn: Node; name: string }[] = [];
  for (const [name, sites] of model.index.module.bindings) {
    for (const s of sites) if (s.type === 'def') out.push({ fn: s.node, name: `${mod}.${name}` });
  }
  for (const cls of model.classes()) {
    if (cls.scope.parent?.kind !== 'module') continue;
    for (const [name, fn] of cls.methods) out.push({ fn, name: `${mod}.${cls.name}.${name}` });
  }
  return out;
}
