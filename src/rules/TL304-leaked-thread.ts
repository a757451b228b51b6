import type { Node } from '../engine/tree/index.js';
import { createRule } from '../engine/rule.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import { literalBool, localBinding, usesOf } from './support/lifecycle.js';
import { longRunningThread } from './support/waits.js';

/** Uses that mean the function manages the thread's end itself. */
const MANAGED = new Set(['join', 'cancel']);

/** A non-daemon thread started in a function that neither joins nor hands it on. */
export default createRule(
  {
    id: 'TL304',
    name: 'leaked-thread',
    severity: 'warning',
    summary: 'A non-daemon thread is started in a function that never joins it and keeps no reference to it.',
    why: 'Nobody can stop, join or even see the thread any more, and the interpreter waits for it at exit.',
    fix: 'never',
    inTests: false,
  },
  (ctx) => {
    const { model } = ctx;
    for (const call of model.calls) {
      const m = model.methodCall(call);
      if (m?.method !== 'start' || model.args(call).positional.length > 0) continue;
      const fn = model.enclosingFunction(call);
      if (fn?.type !== 'function_definition' || model.kindOf(m.receiver) !== 'Thread') continue;
      const ctors = leaked(model, unwrap(m.receiver), fn);
      // Evidence that it outlives its owner: a Timer, or a target that loops.
      if (!ctors || !ctors.every((c) => longRunningThread(model, c))) continue;
      const why = ctors.every((c) => model.calleeName(c) === 'threading.Timer') ? 'a Timer that waits its interval first' : 'a thread whose target loops';
      ctx.report({
        node: call,
        message: `\`${shown(m.receiver)}.start()\` starts ${why}, never joined or kept: the interpreter waits for it at exit. \`join()\` it before returning, keep a reference and join it at shutdown, or pass \`daemon=True\` if it may die with the process.`,
      });
    }
  },
);

/** `t`, or `Thread(…)` for a thread constructed in place. */
function shown(receiver: Node): string {
  const e = unwrap(receiver);
  return e.type === 'call' ? `${e.childForFieldName('function')!.text}(…)` : receiver.text;
}

/**
 * The constructors of the started thread when it is non-daemon, unjoined and unreferenced
 * after `fn` returns; null otherwise.
 */
function leaked(model: SemanticModel, receiver: Node, fn: Node): Node[] | null {
  if (receiver.type === 'call') return maybeDaemon(model, receiver) ? null : [receiver];
  const binding = localBinding(model, receiver, fn);
  if (!binding || binding.sites.length === 0) return null;
  const ctors: Node[] = [];
  for (const site of binding.sites) {
    // Only threads built right here: a thread from a parameter or a loop belongs to someone else.
    const value = site.type === 'assign' && site.value ? unwrap(site.value) : null;
    if (value?.type !== 'call' || model.kindOf(value) !== 'Thread' || maybeDaemon(model, value)) return null;
    ctors.push(value);
  }
  for (const use of usesOf(model, binding, fn)) {
    switch (use.kind) {
      case 'escape':
      case 'item-store':
        return null;
      case 'call':
        if (MANAGED.has(use.member!) || use.member === 'setDaemon') return null;
        break;
      case 'attr-read':
        if (MANAGED.has(use.member!)) return null;
        break;
      case 'attr-store':
        if (use.member === 'daemon' && literalBool(use.value) !== false) return null;
        break;
      default:
        break;
    }
  }
  return ctors;
}

/**
 * Whether a constructed thread may be a daemon: a `daemon=` other than `False`, or a
 * same-file subclass that mentions `daemon` anywhere (its `__init__` may set it).
 */
function maybeDaemon(model: SemanticModel, ctor: Node): boolean {
  const { keywords, hasSplat } = model.args(ctor);
  if (hasSplat) return true;
  const daemon = keywords.get('daemon');
  if (daemon && literalBool(daemon) !== false) return true;
  const qname = model.calleeName(ctor);
  if (qname === 'threading.Thread' || qname === 'threading.Timer') return false;
  const fn = ctor.childForFieldName('function');
  for (let cls = fn && model.localClass(fn), depth = 0; cls && depth < 10; depth++) {
    if (/\bdaemon\b|setDaemon/.test(cls.node.text)) return true;
    const base = cls.bases.find((b) => model.isThreadClass(b));
    cls = base ? model.localClass(base) : null;
  }
  return false;
}
