import type { Node } from '../../engine/tree/index.js';
import { unwrap, type SemanticModel } from '../../engine/model/model.js';
import type { ProposedFix } from '../../engine/rule.js';
import type { BindingSite } from '../../engine/model/scopes.js';

/** Names that say a container is a cache (TL605), not other module state (TL601). */
export function isCacheName(name: string): boolean {
  return /cache|memo/i.test(name);
}

const CACHETOOLS_CACHES = new Set(['Cache', 'LRUCache', 'TTLCache', 'LFUCache', 'RRCache', 'FIFOCache', 'MRUCache', 'TLRUCache']);

/** `cachetools.LRUCache(…)` and friends at every site: the class name, else null. */
export function isCachetoolsCache(model: SemanticModel, sites: readonly BindingSite[]): string | null {
  let found: string | null = null;
  for (const site of sites) {
    if (site.type !== 'assign' || !site.value) return null;
    const v = unwrap(site.value);
    const qname = v.type === 'call' ? model.calleeName(v) : null;
    const cls = qname?.startsWith('cachetools.') ? qname.slice('cachetools.'.length) : null;
    if (!cls || !CACHETOOLS_CACHES.has(cls)) return null;
    found = cls;
  }
  return found;
}

/**
 * `lock=` for a `cached(...)` / `cachedmethod(...)` decorator: the module's one lock
 * when it has exactly one and no code of the file calls the decorated function while
 * holding it (a non-reentrant lock taken twice deadlocks), else a new
 * `threading.Lock()` through the file's own import of threading (one is added when
 * there is none).
 */
export function lockArgumentFix(model: SemanticModel, source: string, call: Node): { lock: string; fix: ProposedFix } | null {
  const args = call.childForFieldName('arguments');
  if (args?.type !== 'argument_list') return null;
  const close = args.lastChild;
  if (close?.type !== ')') return null;
  const existing = moduleLock(model, call);
  const threading = existing ? null : threadingName(model);
  const lock = existing ?? (threading ? `${threading}` : 'threading.Lock()');
  const before = source.slice(args.startIndex, close.startIndex).trimEnd();
  const separator = before.endsWith('(') ? '' : before.endsWith(',') ? ' ' : ', ';
  const at = { row: close.startPosition.row, column: close.startPosition.column };
  const text = `${separator}lock=${lock}`;
  const edits = [{ startLine: at.row + 1, startColumn: at.column + 1, endLine: at.row + 1, endColumn: at.column + 1, text }];
  if (!existing && !threading) {
    const line = importLine(model);
    edits.unshift({ startLine: line, startColumn: 1, endLine: line, endColumn: 1, text: 'import threading\n' });
  }
  return { lock, fix: { description: `Pass \`lock=${lock}\``, edits, safe: true } };
}

/** The one module-level Lock/RLock, unless a call of the decorated function holds it. */
function moduleLock(model: SemanticModel, call: Node): string | null {
  const names: string[] = [];
  for (const [name, sites] of model.index.module.bindings) {
    if (sites.some((s) => s.type === 'import')) continue;
    const type = model.bindingType({ key: `g:${name}`, scope: model.index.module, cls: null, name, sites });
    if (type && !type.collection && (type.kind === 'Lock' || type.kind === 'RLock')) names.push(name);
  }
  if (names.length !== 1) return null;
  const lock = names[0];
  const def = call.parent?.parent?.childForFieldName('definition');
  const fnName = def?.childForFieldName('name')?.text;
  if (!fnName) return null;
  for (const c of model.calls) {
    const callee = c.childForFieldName('function');
    const calleeName = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
    if (calleeName !== fnName) continue;
    if (model.locks.heldAt(c).some((a) => a.key === `g:${lock}`) || model.locks.mayBeLockedAt(c)) return null;
  }
  return lock;
}

/** `threading.Lock()` through the file's module-level import (`import threading as th` → `th.Lock()`; `from threading import Lock`). */
function threadingName(model: SemanticModel): string | null {
  for (const [name, sites] of model.index.module.bindings) {
    if (sites.length !== 1 || sites[0].type !== 'import') continue;
    if (sites[0].qname === 'threading') return `${name}.Lock()`;
  }
  for (const [name, sites] of model.index.module.bindings) {
    if (sites.length === 1 && sites[0].type === 'import' && (sites[0].qname === 'threading.Lock' || sites[0].qname === 'threading.RLock')) return `${name}()`;
  }
  return null;
}

/** The line after the module's last top-level import (where `import threading` goes), or line 1. */
function importLine(model: SemanticModel): number {
  let line = 0;
  for (const stmt of model.root.namedChildren) {
    if (stmt.type === 'import_statement' || stmt.type === 'import_from_statement') line = stmt.endPosition.row + 1;
    else if (line > 0 && stmt.type !== 'comment') break;
  }
  return line + 1;
}
