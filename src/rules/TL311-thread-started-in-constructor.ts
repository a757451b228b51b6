import type { Node } from '../engine/tree/index.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import { threadTargets } from '../engine/model/awaited.js';
import type { BindingSite, ClassInfo } from '../engine/model/scopes.js';
import { createRule, type Site } from '../engine/rule.js';
import { moduleNameOf, sameDottedName } from '../engine/model/locks.js';
import { statementsOf } from './support/lifecycle.js';
import { functionName } from './support/locking.js';

/**
 * `__init__` starts a thread whose target reads `self.x`, and assigns `self.x` only
 * after the start: the thread can run first and see no attribute (or a `None`). A Thread
 * subclass that starts itself in `__init__` runs before any subclass's `__init__` has.
 */
export default createRule(
  {
    id: 'TL311',
    name: 'thread-started-in-constructor',
    severity: 'error',
    summary: 'A thread started in `__init__` before the attributes its target reads are assigned, or a Thread subclass starting itself in `__init__`.',
    why: 'The new thread can run before the rest of `__init__`: it reads attributes that do not exist yet, or are still None.',
    fix: 'never',
    inTests: false,
  },
  (ctx) => {
    const { model } = ctx;
    const facts: SubclassFacts = { starters: [], extenders: [] };
    for (const cls of model.classes()) {
      if (extendsAfterInit(model, cls)) facts.extenders.push({ bases: cls.bases.map((b) => model.qualifiedName(b) ?? b.text) });
      const init = cls.methods.get('__init__');
      if (!init) continue;
      for (const start of startsIn(model, cls, init)) {
        const late = lateReads(model, cls, init, start);
        if (late) {
          const { attr, assigned, read, readIn, wasNone } = late;
          const state = wasNone ? 'while it is still `None`' : 'before it exists';
          ctx.report({
            node: start.call,
            message: `${start.shown} in \`__init__\` starts \`${functionName(start.target)}\`, which reads \`self.${attr}\` (line ${read.startPosition.row + 1} in \`${functionName(readIn)}\`), but \`__init__\` assigns it only after the start (line ${assigned.startPosition.row + 1}): the thread can get there first and read it ${state}. Start the thread after the last assignment, or from a \`start()\` method.`,
          });
          continue;
        }
        if (!start.self) continue;
        const sub = [...model.classes()].find((d) => d.bases.some((b) => model.localClass(b)?.node.id === cls.node.id) && extendsAfterInit(model, d));
        if (sub) ctx.report({ node: start.call, severity: 'warning', message: selfStartMessage(cls.name, `\`${sub.name}\` (line ${sub.node.startPosition.row + 1})`) });
        else facts.starters.push({ ...ctx.locate(start.call), qname: `${moduleNameOf(ctx.path)}.${cls.name}`, name: cls.name });
      }
    }
    if (facts.starters.length || facts.extenders.length) ctx.setFacts(facts);
  },
  (ctx) => {
    const files = ctx.files.map((f) => ({ path: f.path, facts: f.facts as SubclassFacts }));
    for (const { path, facts } of files) {
      for (const starter of facts.starters) {
        const sub = files.find((f) => f.path !== path && f.facts.extenders.some((e) => e.bases.some((b) => b === starter.name || sameDottedName(b, starter.qname))));
        if (!sub) continue;
        const { qname: _q, name, ...site } = starter;
        ctx.report({ path, ...site, severity: 'warning', message: selfStartMessage(name, `one in \`${sub.path}\``) });
      }
    }
  },
);

function selfStartMessage(cls: string, sub: string): string {
  return `\`self.start()\` in the \`__init__\` of the Thread subclass \`${cls}\` starts \`run\` before a subclass's \`__init__\` has finished (${sub} sets up more after calling it): \`run\` can see a half-built object. Let the caller start the thread once the object is built.`;
}

interface SubclassFacts {
  /** Thread subclasses that start themselves in `__init__`, with no subclass in their own file. */
  starters: (Site & { qname: string; name: string })[];
  /** Classes whose `__init__` does more after calling its base's: their bases, dotted or as written. */
  extenders: { bases: string[] }[];
}

/** `__init__` has statements after the one that calls `super().__init__(…)` or `Base.__init__(self, …)`. */
function extendsAfterInit(model: SemanticModel, cls: ClassInfo): boolean {
  const init = cls.methods.get('__init__');
  const body = init?.childForFieldName('body');
  if (!init || !body || cls.bases.length === 0) return false;
  const stmts = statementsOf(body);
  const at = stmts.findIndex((s) => s.descendantsOfType('call').some((c) => !!c && /(^super\(\s*\)|\w)\.__init__$/.test(c.childForFieldName('function')?.text ?? '')));
  return at >= 0 && stmts.slice(at + 1).some((s) => s.type !== 'pass_statement' && s.type !== 'return_statement');
}

interface Start {
  /** The call in `__init__` that starts the thread: `t.start()`, or `self._start_worker()`. */
  call: Node;
  shown: string;
  target: Node;
  targets: Node[];
  /** `self.start()` in a Thread subclass. */
  self: boolean;
}

/** Thread starts made by `__init__`'s own statements, directly or through a same-class helper. */
function startsIn(model: SemanticModel, cls: ClassInfo, init: Node): Start[] {
  const out: Start[] = [];
  for (const call of model.threads.callsIn(init)) {
    const direct = threadStart(model, call);
    if (direct) {
      const receiver = unwrap(model.methodCall(call)!.receiver);
      const self = receiver.type === 'identifier' && model.isThreadSubclass(cls) && model.index.scopes.get(init.id)?.selfName === receiver.text;
      out.push({ call, shown: `\`${receiver.text}.start()\``, target: direct[0], targets: direct, self });
      continue;
    }
    // `self._start_worker()`: a helper of this class that starts the thread.
    const callee = call.childForFieldName('function');
    const helper = callee?.type === 'attribute' ? model.localFunction(callee) : null;
    if (!helper || helper.type !== 'function_definition' || model.index.scopes.get(helper.id)?.methodOf !== cls) continue;
    // Calling an `async def` or a generator function runs none of its body.
    if (runsLater(model, helper)) continue;
    for (const inner of model.threads.callsIn(helper)) {
      const targets = threadStart(model, inner);
      if (targets) {
        out.push({ call, shown: `\`${callee!.text}()\` (which starts a thread at line ${inner.startPosition.row + 1})`, target: targets[0], targets, self: false });
        break;
      }
    }
  }
  return out;
}

/** For `T.start()` on a Thread: the functions T runs. */
function threadStart(model: SemanticModel, call: Node): Node[] | null {
  const m = model.methodCall(call);
  if (m?.method !== 'start' || model.args(call).positional.length > 0) return null;
  const receiver = unwrap(m.receiver);
  if (receiver.type !== 'identifier' && receiver.type !== 'attribute') return null;
  if (model.kindOf(receiver) !== 'Thread' && receiver.type !== 'identifier') return null;
  return threadTargets(model, receiver);
}

interface LateRead {
  attr: string;
  assigned: Node;
  read: Node;
  readIn: Node;
  wasNone: boolean;
}

/**
 * An attribute the thread reads that `__init__` first gives a value after the start
 * (before it, at most `None`), with no handshake after the start (`ready.set()`).
 */
function lateReads(model: SemanticModel, cls: ClassInfo, init: Node, start: Start): LateRead | null {
  const after = start.call.endIndex;
  // `self._ready.set()` after the start: the thread may wait for __init__ to finish.
  if (model.threads.callsIn(init).some((c) => c.startIndex > after && model.methodCall(c)?.method === 'set')) return null;
  const reads = attributeReads(model, cls, start.targets);
  for (const [attr, { node: read, fn: readIn, used, testedFirst }] of reads) {
    if (cls.methods.has(attr)) continue;
    const sites = cls.attributes.get(attr) ?? [];
    const inInit = sites.filter((s) => siteIn(s, init));
    // Assigned elsewhere too (another method, a base class): the order is not this file's to tell.
    if (inInit.length === 0 || inInit.length !== sites.length || classBodyValue(cls, attr) === 'value') continue;
    const before = inInit.filter((s) => targetOf(s).startIndex < after);
    const later = inInit.filter((s) => targetOf(s).startIndex > after);
    if (later.length === 0) continue;
    const wasNone = before.length > 0 || classBodyValue(cls, attr) === 'none';
    if (before.some((s) => !isNoneSite(s))) continue;
    // A `None` before the start that the thread tests before it uses (`if self.x is None:`) is handled.
    if (wasNone && (!used || testedFirst)) continue;
    return { attr, assigned: targetOf(later[0]), read, readIn, wasNone };
  }
  return null;
}

function targetOf(site: BindingSite): Node {
  return 'target' in site ? site.target : site.node;
}

function siteIn(site: BindingSite, fn: Node): boolean {
  const t = targetOf(site);
  return t.startIndex >= fn.startIndex && t.endIndex <= fn.endIndex;
}

function isNoneSite(site: BindingSite): boolean {
  return site.type === 'assign' && !!site.value && unwrap(site.value).type === 'none';
}

/** `x = None` / `x = …` in the class body, or nothing. */
function classBodyValue(cls: ClassInfo, attr: string): 'none' | 'value' | null {
  const sites = cls.scope.bindings.get(attr);
  if (!sites?.length) return null;
  return sites.every(isNoneSite) ? 'none' : 'value';
}

interface Read {
  node: Node;
  fn: Node;
  used: boolean;
  /** The first read only tests the value (`if self.x is None:`): the thread checks before it uses. */
  testedFirst: boolean;
}

/**
 * `self.x` read on the thread's first steps: in its target and the same-class methods it
 * calls (three levels), outside `if`/`else`/`except` branches, up to its first wait (an
 * Event, Condition or Barrier wait, a Queue get, a join, a sleep, a select) and no later
 * than the first pass through its first loop. Code behind a branch, a wait or a finished
 * loop runs once other threads have acted, usually after `__init__` is done.
 */
function attributeReads(model: SemanticModel, cls: ClassInfo, targets: readonly Node[]): Map<string, Read> {
  const out = new Map<string, Read>();
  for (const target of targets) earlyReads(model, cls, target, out, new Set(), 0);
  return out;
}

/** Adds the early reads of `fn` to `out`; returns whether `fn` waits on its early path. */
function earlyReads(model: SemanticModel, cls: ClassInfo, fn: Node, out: Map<string, Read>, visiting: Set<number>, depth: number): boolean {
  const scope = model.index.scopes.get(fn.id);
  const self = scope?.methodOf === cls ? scope.selfName : null;
  if (!self || visiting.has(fn.id) || depth > 3) return false;
  visiting.add(fn.id);
  const body = fn.childForFieldName('body');
  if (!body) return false;
  const nodes = [...fn.descendantsOfType('attribute'), ...model.threads.callsIn(fn)]
    .filter((n): n is Node => !!n && model.enclosingFunction(n)?.id === fn.id && onEarlyPath(n, body))
    .sort((a, b) => a.startIndex - b.startIndex || (a.type === 'call' ? -1 : 1));
  // What comes after the first loop runs once it is over: late, whatever it reads.
  const loop = [...fn.descendantsOfType(['while_statement', 'for_statement'])]
    .filter((l): l is Node => !!l && model.enclosingFunction(l)?.id === fn.id && onEarlyPath(l, body))
    .sort((a, b) => a.startIndex - b.startIndex)[0];
  const loopEnd = loop ? loop.endIndex : Infinity;
  let cutoff = Infinity;
  for (const n of nodes) {
    if (n.startIndex >= loopEnd) break;
    if (n.startIndex >= cutoff) break;
    if (n.type === 'call') {
      if (isWait(model, n)) {
        cutoff = Math.min(cutoff, n.endIndex);
        continue;
      }
      const callee = n.childForFieldName('function');
      const next = callee?.type === 'attribute' ? model.localFunction(callee) : null;
      if (next?.type === 'function_definition' && !runsLater(model, next) && earlyReads(model, cls, next, out, visiting, depth + 1)) {
        cutoff = Math.min(cutoff, n.endIndex);
      }
      continue;
    }
    const object = n.childForFieldName('object');
    const name = n.childForFieldName('attribute');
    if (object?.type !== 'identifier' || object.text !== self || !name || isStore(n)) continue;
    const used = !onlyTested(n);
    const known = out.get(name.text);
    if (!known) out.set(name.text, { node: n, fn, used, testedFirst: !used });
    else if (used) known.used = true;
  }
  return cutoff !== Infinity;
}

/** Ancestors up to the body that every run of the function passes (not a branch, handler or nested scope). */
const CONDITIONAL = new Set(['if_statement', 'elif_clause', 'else_clause', 'except_clause', 'conditional_expression', 'lambda', 'function_definition', 'class_definition', 'match_statement', 'list_comprehension', 'generator_expression', 'set_comprehension', 'dictionary_comprehension']);

function onEarlyPath(node: Node, body: Node): boolean {
  let child = node;
  for (let p = node.parent; p && p.id !== body.id; child = p, p = p.parent) {
    if (p.type === 'if_statement' || p.type === 'elif_clause') {
      // The condition is always evaluated; the branch is not.
      if (p.childForFieldName('condition')?.id !== child.id) return false;
      continue;
    }
    if (p.type === 'boolean_operator' && p.childForFieldName('right')?.id === child.id) return false;
    if (CONDITIONAL.has(p.type)) return false;
  }
  return true;
}

const WAIT_KINDS: Record<string, ReadonlySet<string>> = {
  Event: new Set(['wait']),
  Condition: new Set(['wait', 'wait_for']),
  Barrier: new Set(['wait']),
  Queue: new Set(['get', 'put', 'join']),
  Thread: new Set(['join']),
  Future: new Set(['result', 'exception']),
};

const WAIT_FUNCTIONS = new Set(['time.sleep', 'select.select', 'select.poll', 'concurrent.futures.wait']);

/** A call that waits for another thread, a timer or I/O readiness. */
function isWait(model: SemanticModel, call: Node): boolean {
  if (WAIT_FUNCTIONS.has(model.calleeName(call) ?? '')) return true;
  const m = model.methodCall(call);
  if (!m) return false;
  const kind = model.kindOf(m.receiver);
  return !!kind && !!WAIT_KINDS[kind]?.has(m.method);
}

/** `async def`, or a generator: calling it runs none of its body yet. */
function runsLater(model: SemanticModel, fn: Node): boolean {
  if (fn.children.some((c) => c?.type === 'async')) return true;
  return fn.descendantsOfType('yield').some((y) => !!y && model.enclosingFunction(y)?.id === fn.id);
}

const PATTERNS = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'parenthesized_expression', 'list_splat_pattern']);

/** `self.x = …`, `self.x, y = …`, `for self.x in …` (not `self.x += …`: that reads it too). */
function isStore(attr: Node): boolean {
  let n = attr;
  while (n.parent && PATTERNS.has(n.parent.type)) n = n.parent;
  const p = n.parent;
  return (p?.type === 'assignment' || p?.type === 'for_statement') && p.childForFieldName('left')?.id === n.id;
}

/** `self.x is None`, `not self.x`, `if self.x:`: the value is only looked at. */
function onlyTested(attr: Node): boolean {
  let n = attr;
  for (let p = n.parent; p; n = p, p = p.parent) {
    if (p.type === 'comparison_operator' || p.type === 'not_operator') return true;
    if (p.type === 'boolean_operator' || p.type === 'parenthesized_expression') continue;
    if (p.type === 'if_statement' || p.type === 'while_statement' || p.type === 'elif_clause') return p.childForFieldName('condition')?.id === n.id;
    return false;
  }
  return false;
}
