import type { Node } from '../engine/tree/index.js';
import { createRule } from '../engine/rule.js';
import type { TextEdit } from '../engine/types.js';
import { leadingText, literalBool } from './support/lifecycle.js';

/** `cancel_futures` exists from Python 3.9 on. */
const CANCEL_FUTURES_SINCE = [3, 9];

/** Compare dotted versions numerically: "3.10" is newer than "3.9". */
function atLeast(version: string, minimum: readonly number[]): boolean {
  const parts = version.split('.').map((p) => Number.parseInt(p, 10));
  for (let i = 0; i < minimum.length; i++) {
    const v = Number.isNaN(parts[i] ?? NaN) ? 0 : parts[i];
    if (v !== minimum[i]) return v > minimum[i];
  }
  return true;
}

/** `ex.shutdown(wait=False)` returns at once but the queued tasks still all run. */
export default createRule(
  {
    id: 'TL303',
    name: 'shutdown-without-cancel',
    severity: 'warning',
    summary: '`shutdown(wait=False)` without `cancel_futures=True`: queued tasks keep running after the caller gave up on them.',
    why: '`wait=False` only stops the caller from waiting; every task already queued still runs unless `cancel_futures=True` cancels it.',
    fix: 'always',
    inTests: false,
  },
  (ctx) => {
    const { model } = ctx;
    if (!atLeast(ctx.config.python_version, CANCEL_FUTURES_SINCE)) return;
    const lines = ctx.model.lines;
    for (const call of model.calls) {
      const m = model.methodCall(call);
      if (m?.method !== 'shutdown' || model.kindOf(m.receiver) !== 'Executor') continue;
      const { positional, keywords, hasSplat } = model.args(call);
      if (hasSplat || keywords.has('cancel_futures') || positional.length > 1) continue;
      const wait = keywords.get('wait') ?? positional[0];
      if (literalBool(wait) !== false) continue;
      const edit = addArgument(call, lines, 'cancel_futures=True');
      ctx.report({
        node: call,
        message: `\`${m.receiver.text}.shutdown(wait=False)\` lets every queued task still run; add \`cancel_futures=True\` to cancel the ones that have not started.`,
        fix: edit ? { description: 'Add `cancel_futures=True`', edits: [edit] } : undefined,
      });
    }
  },
);

/** Append a keyword argument, following the list's layout (one per line, trailing comma). */
function addArgument(call: Node, lines: readonly string[], text: string): TextEdit | null {
  const list = call.childForFieldName('arguments');
  if (list?.type !== 'argument_list') return null;
  const children = list.children.filter((c): c is Node => !!c);
  const args = children.filter((c) => c.isNamed && c.type !== 'comment');
  const last = args[args.length - 1];
  if (!last) return null;
  const after = children.slice(children.findIndex((c) => c.id === last.id) + 1);
  const comma = after.find((c) => c.type === ',');
  const at = comma ?? last;
  const indent = leadingText(lines, last);
  const ownLine = last.startPosition.row > list.startPosition.row && /^\s*$/.test(indent);
  const insert = ownLine
    ? comma
      ? `\n${indent}${text},`
      : `,\n${indent}${text}`
    : comma
      ? ` ${text},`
      : `, ${text}`;
  const line = at.endPosition.row + 1;
  const column = at.endPosition.column + 1;
  return { startLine: line, startColumn: column, endLine: line, endColumn: column, text: insert };
}
