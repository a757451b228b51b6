import type { Node } from '../../engine/tree/index.js';
import type { SemanticModel } from '../../engine/model/model.js';
import type { ThreadlintConfig } from '../../engine/types.js';
import { calledWithSomeLock, namedAsLocked } from './locking.js';

/**
 * Which code of a file may run at the same time as other code, as the free-threading
 * profile sees it: a library cannot know its callers, so every function of an importable
 * module is possibly concurrent with every other — except code that only runs while the
 * module is set up (import time, class creation, registration decorators) or only as a
 * script (`__main__`, `main()`), and private helpers that only such code calls.
 *
 * This is the TL6xx rules' own answer until the project-wide concurrency model answers
 * "is this function possibly concurrent" for every rule; the rules ask only
 * `possiblyConcurrent` and `lockedAt`, so the answer can move there unchanged.
 */

/** Files that are scripts or build glue, never imported by a program's threads. */
const SCRIPT_FILE = /(?:^|\/)(?:__main__|setup|noxfile|fabfile|manage|versioneer)\.py$|(?:^|\/)(?:docs?|examples?|scripts|benchmarks?)\//;

/** Methods that run when a class is created (import time), not when it is used. */
const CLASS_CREATION = new Set(['__init_subclass__', '__set_name__', '__class_getitem__']);

/** Functions whose job is to run once at start-up or to register things at import time. */
const STARTUP_NAME = /^_*(?:main|register\w*)$/;

/** Levels of private helpers followed from set-up code (each round is one pass over the references). */
const MAX_ROUNDS = 8;

interface Startup {
  /** Ids of defs and lambdas that only run at set-up or as a script. */
  startupOnly: Set<number>;
  script: boolean;
}

const cache = new WeakMap<SemanticModel, Startup>();

/**
 * Whether code inside `fn` (null: module level) may run concurrently with other code of
 * the program under the free-threading profile. Module-level code runs at import time,
 * under the import lock: never concurrent.
 */
export function possiblyConcurrent(model: SemanticModel, fn: Node | null, config: Pick<ThreadlintConfig, 'profile'>): boolean {
  if (!fn) return false;
  if (model.threads.entriesReaching(fn).length > 0) return true;
  if (config.profile !== 'free-threading') return false;
  const startup = startupOf(model);
  if (startup.script) return false;
  for (let f: Node | null = fn; f; f = model.enclosingFunction(f)) if (startup.startupOnly.has(f.id)) return false;
  return true;
}

/** Whether some lock may be held at a node: lexically, by every caller, or by the function's name. */
export function lockedAt(model: SemanticModel, node: Node): boolean {
  return model.locks.mayBeLockedAt(node) || calledWithSomeLock(model, node) || namedAsLocked(model, node);
}

/** The file's script flag and its set-up-only functions, found once per model. */
function startupOf(model: SemanticModel): Startup {
  let known = cache.get(model);
  if (!known) {
    known = findStartup(model);
    cache.set(model, known);
  }
  return known;
}

function findStartup(model: SemanticModel): Startup {
  const startupOnly = new Set<number>();
  const script = SCRIPT_FILE.test(model.path.replace(/\\/g, '/'));
  const mainBlocks = model.root.namedChildren.filter(isMainGuard);
  const defs = model.nodes('function_definition');
  const byName = new Map<string, Node[]>();
  for (const def of defs) {
    const name = def.childForFieldName('name')?.text ?? '';
    if (STARTUP_NAME.test(name) || (CLASS_CREATION.has(name) && model.classOf(def))) startupOnly.add(def.id);
    else if (isDecorator(model, def)) startupOnly.add(def.id);
    if (isPrivate(name)) {
      const list = byName.get(name);
      if (list) list.push(def);
      else byName.set(name, [def]);
    }
  }
  // Nested defs are private to their function; module-level `_helpers` to their module.
  // Either is set-up-only when every reference to its name sits in set-up code.
  const references = new Map<string, Node[]>();
  if (byName.size > 0) {
    for (const id of model.root.descendantsOfType('identifier')) {
      const list = references.get(id.text);
      if (list && byName.has(id.text)) list.push(id);
      else if (byName.has(id.text)) references.set(id.text, [id]);
    }
  }
  const inStartup = (node: Node): boolean => {
    if (mainBlocks.some((b) => b.contains(node))) return true;
    // Module level and class bodies run at import time.
    const owner = model.enclosingFunction(node);
    return !owner || startupOnly.has(owner.id);
  };
  // Each round settles helpers one call level further from set-up code; chains of private
  // helpers deeper than MAX_ROUNDS stay possibly concurrent (the safe side: they are checked).
  for (let changed = true, rounds = 0; changed && rounds < MAX_ROUNDS; rounds++) {
    changed = false;
    for (const [name, sameName] of byName) {
      if (sameName.every((d) => startupOnly.has(d.id))) continue;
      const refs = (references.get(name) ?? []).filter((r) => !sameName.some((d) => d.childForFieldName('name')?.id === r.id));
      if (refs.length === 0 || !refs.every(inStartup)) continue;
      for (const d of sameName) startupOnly.add(d.id);
      changed = true;
    }
  }
  return { startupOnly, script };
}

/** `if __name__ == "__main__":` at module level. */
function isMainGuard(stmt: Node): boolean {
  if (stmt.type !== 'if_statement') return false;
  const cond = stmt.childForFieldName('condition')?.text.replace(/\s+/g, '') ?? '';
  return cond === '__name__=="__main__"' || cond === "__name__=='__main__'" || cond === '"__main__"==__name__' || cond === "'__main__'==__name__";
}

function isPrivate(name: string): boolean {
  return name.startsWith('_') && !name.startsWith('__');
}

/** A def used as a decorator somewhere in the file (`@register`, `@_plugin("x")`): registration at import. */
function isDecorator(model: SemanticModel, def: Node): boolean {
  const name = def.childForFieldName('name')?.text;
  if (!name || model.enclosingFunction(def)) return false;
  const decorators = decoratorsOf(model);
  return decorators.has(name);
}

const decoratorNames = new WeakMap<SemanticModel, Set<string>>();

function decoratorsOf(model: SemanticModel): Set<string> {
  let names = decoratorNames.get(model);
  if (!names) {
    names = new Set();
    for (const d of model.root.descendantsOfType('decorator')) {
      let e: Node | null = d.namedChildren[0] ?? null;
      if (e?.type === 'call') e = e.childForFieldName('function');
      if (e?.type === 'identifier') names.add(e.text);
    }
    decoratorNames.set(model, names);
  }
  return names;
}
