// `npm install` / `npm ci` lifecycle: build dist/ (the App) and the CLI package.
//
// A git install (`npm install -g git+file://…`, which is how pre-commit installs a
// `language: node` hook) runs `prepare` in a fresh clone with no devDependencies at all,
// so `tsc` is not there. Then the pinned TypeScript of package-lock.json is installed in a
// temporary folder and the sources are transpiled without type-checking (the types were
// checked in CI; the emitted JavaScript is the same).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A global install passes `npm_config_global=true` down; the TypeScript fetched here must
// not be installed globally, so the child npm runs without it.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.toLowerCase() !== 'npm_config_global'));
const run = (cmd, args) => {
  try {
    execFileSync(cmd, args, { stdio: 'inherit', env });
  } catch {
    console.error(`threadlint: building failed: ${cmd} ${args.join(' ')}`);
    process.exit(1);
  }
};

if (existsSync('node_modules/typescript/bin/tsc')) {
  run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']);
  run(process.execPath, ['scripts/build-cli-package.mjs']);
} else {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
  const version = lock.packages['node_modules/typescript'].version;
  const tools = mkdtempSync(join(tmpdir(), 'threadlint-build-'));
  const config = 'tsconfig.transpile.json';
  writeFileSync(config, JSON.stringify({ extends: './tsconfig.build.json', compilerOptions: { types: [], noCheck: true } }));
  try {
    run('npm', ['install', '--prefix', tools, '--global=false', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts', `typescript@${version}`]);
    run(process.execPath, [join(tools, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config]);
  } finally {
    rmSync(config, { force: true });
    rmSync(tools, { recursive: true, force: true });
  }
}
