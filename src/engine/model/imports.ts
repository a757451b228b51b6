import type { Node } from '../tree/index.js';
import { unwrap, type SemanticModel } from './model.js';

/**
 * Names that come from other modules of the run, as absolute dotted names: what a file
 * can say about a function or class it did not define, so the project step can match it
 * with the file that defines it.
 */

/** `pkg/sub/mod.py` → `pkg.sub.mod`; `pkg/__init__.py` → `pkg`; a leading `src/` or `lib/` is dropped. */
export function moduleNameOf(path: string): string {
  return path
    .replace(/\\/g, '/')
    .replace(/\.pyi?$/, '')
    .replace(/\/__init__$/, '')
    .replace(/^(?:src|lib)\//, '')
    .split('/')
    .filter(Boolean)
    .join('.');
}

const relativeCache = new WeakMap<SemanticModel, Map<string, string>>();

/** Module-level `from .mod import name [as alias]`, resolved against the file's module name. */
export function relativeImports(model: SemanticModel): Map<string, string> {
  let out = relativeCache.get(model);
  if (out) return out;
  out = new Map();
  const own = moduleNameOf(model.path).split('.');
  const isPackage = /(^|\/)__init__\.pyi?$/.test(model.path.replace(/\\/g, '/'));
  for (const stmt of model.nodes('import_from_statement')) {
    if (model.scopeOf(stmt).kind !== 'module') continue;
    const moduleNode = stmt.childForFieldName('module_name');
    if (moduleNode?.type !== 'relative_import') continue;
    const dots = /^\.+/.exec(moduleNode.text)?.[0].length ?? 0;
    const rest = moduleNode.text.slice(dots);
    const pkg = isPackage ? own : own.slice(0, -1);
    const base = pkg.slice(0, pkg.length - (dots - 1));
    if (dots - 1 > pkg.length) continue;
    const prefix = [...base, ...(rest ? rest.split('.') : [])].join('.');
    for (const name of stmt.childrenForFieldName('name')) {
      if (!name) continue;
      const orig = name.type === 'aliased_import' ? name.childForFieldName('name') : name;
      const local = name.type === 'aliased_import' ? name.childForFieldName('alias') : name;
      if (orig && local) out.set(local.text, prefix ? `${prefix}.${orig.text}` : orig.text);
    }
  }
  relativeCache.set(model, out);
  return out;
}

/**
 * The absolute dotted name an expression stands for through an import, absolute
 * (`helpers.worker` after `import helpers`) or relative (`drain` after
 * `from .workers import drain`, `workers.drain` after `from . import workers`).
 */
export function importedName(model: SemanticModel, expr: Node): string | null {
  const e = unwrap(expr);
  const q = model.qualifiedName(e);
  if (q) return q;
  if (e.type === 'identifier') return model.resolveName(e.text, e) ? null : (relativeImports(model).get(e.text) ?? null);
  if (e.type === 'attribute') {
    const object = e.childForFieldName('object');
    const attr = e.childForFieldName('attribute');
    const base = object ? importedName(model, object) : null;
    return base && attr ? `${base}.${attr.text}` : null;
  }
  return null;
}
