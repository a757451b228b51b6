// `npm install` / `npm ci` lifecycle: build dist/ (the App) and the CLI package.
//
// A git install (`npm install -g git+file://…`, which is how pre-commit installs a
// `language: node` hook) runs `prepare` in a fresh clone with no devDependencies at all,
// so `tsc` is not there. Then the pinned TypeScript of package-lock.json is fetched
// through `npm exec` and the sources are transpiled without type-checking (the types were
// checked in CI; the emitted JavaScript is the same).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, rmSync } from 'node:fs';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });

if (existsSync('node_modules/typescript/bin/tsc')) {
  run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']);
  run(process.execPath, ['scripts/build-cli-package.mjs']);
} else {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
  const version = lock.packages['node_modules/typescript'].version;
  const config = 'tsconfig.transpile.json';
  writeFileSync(config, JSON.stringify({ extends: './tsconfig.build.json', compilerOptions: { types: [], noCheck: true } }));
  try {
    run('npm', ['exec', '--yes', `--package=typescript@${version}`, '--', 'tsc', '-p', config]);
  } finally {
    rmSync(config, { force: true });
  }
}
