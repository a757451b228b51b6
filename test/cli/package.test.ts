/**
 * The CLI package `threadlint` (packages/threadlint), as `npm test`'s build left it: what
 * `npm pack` ships, that it needs no Probot, no Octokit and no native build, that its
 * dependencies run on the Node it promises, that it finds its own grammar, and that the
 * JSON Schema it publishes is the validator's.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import semver from 'semver';
import { ANNOTATIONS, configFileSchema } from '../../src/cli/config-schema.js';
import { buildConfigSchema } from '../../src/config/schema.js';
import { ruleCatalog } from '../../src/lint/index.js';
import { RUN_CALLED, makeProject, removeProject } from './helpers.js';

const PKG = join(process.cwd(), 'packages', 'threadlint');
const manifest = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8'));
const root = JSON.parse(readFileSync('package.json', 'utf8'));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Bare specifiers a built file imports (static and dynamic). */
function bareImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\s)(?:import|export)\b[^'"]*?from\s+'([^'.][^']*)'|import\('([^'.][^']*)'\)|require\.resolve\('([^'.][^']*)'\)/gm)].map((m) => m[1] ?? m[2] ?? m[3]);
}

const packageName = (specifier: string) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);

describe('packages/threadlint', () => {
  it('is the package `threadlint`, at the App\'s version, promising the same Node', () => {
    expect(manifest.name).toBe('threadlint');
    expect(root.name).not.toBe('threadlint');
    expect(manifest.version).toBe(root.version);
    expect(manifest.engines).toEqual(root.engines);
    expect(manifest.bin).toEqual({ threadlint: 'bin/threadlint.js' });
    expect(root.workspaces).toContain('packages/threadlint');
  });

  it('depends on no Probot, no Octokit and no native grammar build', () => {
    const deps = Object.keys(manifest.dependencies);
    expect(deps.filter((d) => /probot|octokit|^tree-sitter-python$|^tree-sitter$/.test(d))).toEqual([]);
  });

  it('runs on every Node its engines allow: each dependency accepts the lowest one', () => {
    const lowest = semver.minVersion(manifest.engines.node)!.version;
    const refusing = Object.keys(manifest.dependencies).flatMap((dep) => {
      const engines = JSON.parse(readFileSync(join('node_modules', dep, 'package.json'), 'utf8')).engines?.node;
      return engines && !semver.satisfies(lowest, engines) ? [`${dep} wants node ${engines}`] : [];
    });
    expect(refusing).toEqual([]);
  });

  it('is built from src/ without the App: nothing in dist imports Probot, Octokit or app code', () => {
    const dist = files(join(PKG, 'dist'));
    expect(dist.some((f) => f.endsWith(join('cli', 'process.js')))).toBe(true);
    expect(dist.filter((f) => /[\\/](app|bench)[\\/]/.test(f))).toEqual([]);
    const offenders = dist.flatMap((f) =>
      readFileSync(f, 'utf8').match(/from '[^']*(?:probot|octokit|\/app\/)[^']*'/g)?.map((m) => `${f}: ${m}`) ?? [],
    );
    expect(offenders).toEqual([]);
  });

  it('declares every package its code imports', () => {
    const builtins = new Set(builtinModules);
    const undeclared = new Set<string>();
    for (const file of files(join(PKG, 'dist')).filter((f) => f.endsWith('.js'))) {
      for (const spec of bareImports(file)) {
        const name = packageName(spec.replace(/^node:/, ''));
        // The parser falls back on tree-sitter-python only when the shipped grammar is missing (a checkout).
        const fallback = name === 'tree-sitter-python' && file.endsWith(join('tree', 'parser.js'));
        if (!spec.startsWith('node:') && !builtins.has(name) && !(name in manifest.dependencies) && !fallback) undeclared.add(`${name} (${file})`);
      }
    }
    expect([...undeclared]).toEqual([]);
    // The check sees imports at all.
    expect(bareImports(join(PKG, 'dist', 'cli', 'main.js'))).toContain('commander');
  });

  it('ships what it needs and nothing of the App: npm pack lists bin, dist, grammar, pages, schema, LICENSE', () => {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PKG, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const paths: string[] = packed.files.map((f: { path: string }) => f.path);
    for (const needed of ['bin/threadlint.js', 'dist/cli/process.js', 'dist/lint/worker.js', 'grammar/tree-sitter-python.wasm', 'schema/threadlint.schema.json', 'LICENSE', 'README.md', 'CHANGELOG.md', 'package.json']) {
      expect(paths).toContain(needed);
    }
    for (const rule of ruleCatalog()) expect(paths).toContain(`rules/${rule.id}.md`);
    expect(paths.filter((p) => p.startsWith('src/') || p.includes('/app/') || p.endsWith('.ts') || p.endsWith('.map'))).toEqual([]);
    // Small enough for a pre-commit hook: the package itself, without dependencies.
    expect(packed.unpackedSize).toBeLessThan(5 * 1024 * 1024);
  });

  it('finds the grammar it ships', async () => {
    const parser = (await import(pathToFileURL(join(PKG, 'dist', 'engine', 'tree', 'parser.js')).href)) as { grammarWasmPath(): string };
    expect(parser.grammarWasmPath()).toBe(join(PKG, 'grammar', 'tree-sitter-python.wasm'));
    expect(statSync(parser.grammarWasmPath()).size).toBe(statSync(join('node_modules', 'tree-sitter-python', 'tree-sitter-python.wasm')).size);
  });

  it('its executable analyses a file', async () => {
    const dir = await makeProject({ 'a.py': RUN_CALLED });
    try {
      let code = 0;
      let stdout = '';
      try {
        stdout = execFileSync(process.execPath, [join(PKG, 'bin', 'threadlint.js'), 'check', '--no-cache', 'a.py'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      } catch (error) {
        code = (error as { status: number }).status;
        stdout = (error as { stdout: string }).stdout;
      }
      expect(code).toBe(1);
      expect(stdout).toMatch(/^a\.py:7:1: TL301 \[error\]/);
    } finally {
      await removeProject(dir);
    }
  });
});

describe('the JSON Schema of threadlint.yml', () => {
  const published = JSON.parse(readFileSync(join(PKG, 'schema', 'threadlint.schema.json'), 'utf8'));

  it('is generated from the validator\'s schema, never hand-copied', () => {
    expect(published).toEqual(configFileSchema());
  });

  it('without its annotations is exactly buildConfigSchema over the rule catalog', () => {
    const strip = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(strip);
      if (!value || typeof value !== 'object') return value;
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => !(ANNOTATIONS as readonly string[]).includes(k))
          .map(([k, v]) => [k, strip(v)]),
      );
    };
    const validatorSchema = buildConfigSchema(ruleCatalog().map((r) => r.id));
    // `properties` is a map of key names: a key named like an annotation is data, so compare per key.
    expect(Object.keys(published.properties)).toEqual(Object.keys(validatorSchema.properties));
    expect(strip({ ...published, properties: undefined })).toEqual(strip({ ...validatorSchema, properties: undefined }));
    for (const key of Object.keys(validatorSchema.properties)) expect(strip(published.properties[key])).toEqual(strip(validatorSchema.properties[key]));
  });

  it('accepts and refuses what the tool accepts and refuses', () => {
    const validate = new Ajv({ strict: false }).compile(published);
    expect(validate({ rules: { TL2: 'notice', TL301: 'off' }, fail_on: 'warning', 'per-file-ignores': { 'scripts/**': ['TL201'] }, profile: 'free-threading' })).toBe(true);
    expect(validate({ rules: { TL999: 'off' } })).toBe(false);
    expect(validate({ colour: 'red' })).toBe(false);
    expect(published.properties.rules.properties.TL301.description).toMatch(/^thread-run-called \(default error\)/);
  });
});
