/**
 * The one direction of flow DESIGN.md asks for: the engine knows nothing of GitHub,
 * and the GitHub layer knows nothing of tree-sitter or of the engine's insides.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function imports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1]);
}

test('the engine, rules, diff and config never import GitHub code', () => {
  const offenders = ['src/engine', 'src/rules', 'src/diff', 'src/config'].flatMap(sources).flatMap((file) =>
    imports(file)
      .filter((i) => /probot|octokit|\/app\//.test(i))
      .map((i) => `${file} imports ${i}`),
  );
  expect(offenders).toEqual([]);
});

test('the GitHub layer never touches tree-sitter, the engine or the rules: it uses src/lint/index.js', () => {
  const offenders = sources('src/app').flatMap((file) =>
    imports(file)
      .filter((i) => /tree-sitter|\/engine\/|\/rules\/|\/lint\/(?!index\.js)/.test(i))
      .map((i) => `${file} imports ${i}`),
  );
  expect(offenders).toEqual([]);
});

test('the engine imports nothing above itself: no registry, config, diff, lint, CLI or app code', () => {
  const offenders = sources('src/engine').flatMap((file) =>
    imports(file)
      .filter((i) => /\.\.\/(?:\.\.\/)*(rules|config|diff|lint|cli|app)\//.test(i) && !/^\.\.\/(?:\.\.\/)+engine\//.test(i))
      .map((i) => `${file} imports ${i}`),
  );
  expect(offenders).toEqual([]);
});

test('only the parser touches web-tree-sitter; the model and the rules read the owned tree', () => {
  const offenders = [...sources('src/engine'), ...sources('src/rules'), ...sources('src/lint')]
    .filter((file) => !file.endsWith(join('engine', 'tree', 'parser.ts')))
    .flatMap((file) => imports(file).filter((i) => i === 'web-tree-sitter').map((i) => `${file} imports ${i}`));
  expect(offenders).toEqual([]);
});

test('imports are found at all (the checks above can fail)', () => {
  expect(imports('src/engine/tree/parser.ts')).toContain('web-tree-sitter');
  expect(imports('src/engine/file.ts')).toContain('./model/model.js');
  expect(imports('src/app/index.ts').some((i) => i.includes('probot'))).toBe(true);
});
