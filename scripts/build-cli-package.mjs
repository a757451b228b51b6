// Builds the CLI package packages/threadlint from the repository's src/ (no src/app):
// compiled dist/, the rule guidance pages, the tree-sitter grammar (wasm), the JSON Schema
// of threadlint.yml, LICENSE and CHANGELOG. Run from anywhere; paths are resolved here.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = join(root, 'packages', 'threadlint');
const require = createRequire(join(root, 'package.json'));

for (const dir of ['dist', 'rules', 'grammar', 'schema']) rmSync(join(pkg, dir), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(pkg, 'tsconfig.json')], { stdio: 'inherit' });

cpSync(join(root, 'rules'), join(pkg, 'rules'), { recursive: true, filter: (src) => !src.endsWith('~') });
mkdirSync(join(pkg, 'grammar'));
copyFileSync(require.resolve('tree-sitter-python/tree-sitter-python.wasm'), join(pkg, 'grammar', 'tree-sitter-python.wasm'));
copyFileSync(join(root, 'LICENSE'), join(pkg, 'LICENSE'));
copyFileSync(join(root, 'CHANGELOG.md'), join(pkg, 'CHANGELOG.md'));

const { configFileSchema } = await import(pathToFileURL(join(pkg, 'dist', 'cli', 'config-schema.js')).href);
mkdirSync(join(pkg, 'schema'));
writeFileSync(join(pkg, 'schema', 'threadlint.schema.json'), `${JSON.stringify(configFileSchema(), null, 2)}\n`);
