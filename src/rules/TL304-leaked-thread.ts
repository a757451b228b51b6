import type { Node } from '../engine/tree/index.js';
import { createRule } from '../engine/rule.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import { literalBool, localBinding, usesOf } from './support/lifecycle.js';

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
  },
  (ctx) => {
    const { model } = ctx;
    for (const call of model.calls) {
      const m = model.methodCall(call);
      if (m?.method !== 'start' || model.args(call).positional.length > 0) continue;
      const fn = model.enclosingFunction(call);
      if (fn?.type !== 'function_definition' || model.kindOf(m.receiver) !== 'Thread') continue;
      if (!leaked(model, unwrap(m.receiver), fn)) continue;
      ctx.report({
        node: call,
        message: `\`${shown(m.receiver)}.start()\` starts a thread that is never joined or kept: \`join()\` it before returning, keep a reference and join it at shutdown, or pass \`daemon=True\` if it may die with the process.`,
      });
    }
  },
);

/** `t`, or `Thread(…)` for a thread constructed in place. */
function shown(receiver: Node): string {
  const e = unwrap(receiver);
  return e.type === 'call' ? `${e.childForFieldName('function')!.text}(…)` : receiver.text;
}

/** Whether the started thread is non-daemon, unjoined and unreferenced after `fn` returns. */
function leaked(model: SemanticModel, receiver: Node, fn: Node): boolean {
  if (receiver.type === 'call') return !maybeDaemon(model, receiver);
  const binding = localBinding(model, receiver, fn);
  if (!binding || binding.sites.length === 0) return false;
  for (const site of binding.sites) {
    // Only threads built right here: a thread from a parameter or a loop belongs to someone else.
    const value = site.type === 'assign' && site.value ? unwrap(site.value) : null;
    if (value?.type !== 'call' || model.kindOf(value) !== 'Thread' || maybeDaemon(model, value)) return false;
  }
  for (const use of usesOf(model, binding, fn)) {
    switch (use.kind) {
      case 'escape':
      case 'item-store':
        return false;
      case 'call':
        if (MANAGED.has(use.member!) || use.member === 'setDaemon') return false;
        break;
      case 'attr-read':
        if (MANAGED.has(use.member!)) return false;
        break;
      case 'attr-store':
        if (use.member === 'daemon' && literalBool(use.value) !== false) return false;
        break;
      default:
        break;
    }
  }
  return true;
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
