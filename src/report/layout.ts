/**
 * A project's layout read from disk for the readiness report: every file under a root
 * (hidden folders, virtual environments, `node_modules`, `__pycache__` and build output
 * skipped) and, on demand, the text of the few files the report reads. No recursion:
 * one explicit stack of folders.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ProjectLayout } from './readiness.js';

const SKIPPED = new Set(['node_modules', '__pycache__', 'venv', '.venv', '.tox', '.nox', '.git', 'build', 'dist']);

/** Larger files are not read (generated sources past this are not worth scanning). */
const MAX_BYTES = 8 * 1024 * 1024;

export function layoutOf(root: string): ProjectLayout {
  const files: string[] = [];
  const folders = [root];
  while (folders.length > 0) {
    const folder = folders.pop()!;
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || SKIPPED.has(entry.name)) continue;
      const full = join(folder, entry.name);
      if (entry.isDirectory()) folders.push(full);
      else if (entry.isFile()) files.push(relative(root, full).split('\\').join('/'));
    }
  }
  files.sort();
  return {
    files,
    read(path) {
      const full = join(root, path);
      try {
        if (statSync(full).size > MAX_BYTES) return undefined;
        return readFileSync(full, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}
