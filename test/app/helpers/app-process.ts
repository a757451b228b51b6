/**
 * The app as `npm start` runs it (`node dist/app/main.js`), in child processes on
 * loopback, for the tests that kill and restart it. `dist` is rebuilt first when a
 * source file is newer. Every process started here is killed when the test ends.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRIVATE_KEY, SECRET } from './app-harness.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const MAIN = join(ROOT, 'dist/app/main.js');

function newestSource(dir: string): number {
  return Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newestSource(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
}

/** Builds `dist/` when it is missing or older than `src/`. */
export async function ensureBuilt(): Promise<void> {
  let built = 0;
  try {
    built = statSync(MAIN).mtimeMs;
  } catch {
    built = 0;
  }
  if (built >= newestSource(join(ROOT, 'src'))) return;
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, timeout: 180_000 }, (error, stdout) =>
      error ? reject(new Error(`build failed: ${stdout}`)) : resolve(),
    ),
  );
}

export interface AppProcess {
  child: ChildProcess;
  port: number;
  url: string;
  lines: Record<string, any>[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitFor(predicate: (line: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  deliver(event: string, payload: unknown, delivery: string): Promise<Response>;
}

const running = new Set<ChildProcess>();

/** SIGKILLs every process still running (afterEach). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export function appEnv(githubUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    APP_ID: '1',
    PRIVATE_KEY,
    WEBHOOK_SECRET: SECRET,
    GHE_HOST: githubUrl.replace(/^http:\/\//, ''),
    GHE_PROTOCOL: 'http',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    THREADLINT_REQUEST_TIMEOUT_MS: '5000',
    THREADLINT_REQUEST_RETRY_BASE_MS: '50',
    THREADLINT_JOB_BACKOFF_MS: '200',
    ...extra,
  };
}

/** Runs main.js with `env` only; resolves once it listens (or rejects with its stderr). */
export async function startAppProcess(env: Record<string, string>, cwd = mkdtempSync(join(tmpdir(), 'threadlint-proc-'))): Promise<AppProcess> {
  const child = spawn(process.execPath, [MAIN], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const lines: Record<string, any>[] = [];
  const watchers: (() => void)[] = [];
  let err = '';
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part));
      } catch {
        lines.push({ msg: part });
      }
    }
    watchers.forEach((w) => w());
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      watchers.forEach((w) => w());
      resolve({ code, signal });
    }),
  );
  const waitFor = (predicate: (line: Record<string, any>) => boolean, timeoutMs = 20_000) =>
    new Promise<Record<string, any>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${err}`)), timeoutMs);
      const check = () => {
        const found = lines.find(predicate);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(new Error(`the app exited (${child.exitCode ?? child.signalCode}); stderr: ${err}`));
        }
      };
      watchers.push(check);
      check();
    });
  const listening = await waitFor((l) => l.msg === 'threadlint: listening');
  const url = `http://127.0.0.1:${listening.port}`;
  const { signature } = await import('./app-harness.js');
  return {
    child,
    port: listening.port,
    url,
    lines,
    stderr: () => err,
    exited,
    waitFor,
    deliver: (event, payload, delivery) => {
      const body = JSON.stringify(payload);
      return fetch(`${url}/api/github/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': delivery, 'x-hub-signature-256': signature(body) },
        body,
      });
    },
  };
}

/** Runs main.js expecting it to refuse to start: its exit code and stderr. */
export function runToExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [MAIN], { env, cwd: mkdtempSync(join(tmpdir(), 'threadlint-proc-')), timeout: 20_000 }, (error, _stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
    );
    running.add(child);
    child.on('exit', () => running.delete(child));
  });
}
