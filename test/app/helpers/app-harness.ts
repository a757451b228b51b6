/**
 * The app as it runs in production, in this process: the real HTTP server (body
 * limit, signature check, /healthz, /metrics), Probot with app authentication, the
 * app's request policy and timeouts, the real engine, JSON logs captured as parsed
 * lines, and a queue (the journaled local one by default, or one handed in).
 * GitHub is a `FakeGitHub` on loopback.
 */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Probot } from 'probot';
import { appOctokit } from '../../../src/app/github-client.js';
import { createHttpServer } from '../../../src/app/http-server.js';
import { createThreadlintApp, type AppOptions, type ThreadlintApp } from '../../../src/app/index.js';
import { LocalQueue } from '../../../src/app/local-queue.js';
import { createLogger } from '../../../src/app/logger.js';
import { AppMetrics } from '../../../src/app/metrics.js';
import type { ReviewQueue } from '../../../src/app/queue.js';
import { timedFetch } from '../../../src/app/request-policy.js';
import type { FakeGitHub } from './fake-github-server.js';

export const SECRET = 'test-webhook-secret';
export const { privateKey: PRIVATE_KEY } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

export interface HarnessOptions extends Pick<AppOptions, 'engine' | 'seen' | 'analysisThreads'> {
  /** Default: a LocalQueue journaled in `stateDir` (a new temporary folder unless given). */
  queue?: ReviewQueue;
  stateDir?: string;
  requestTimeoutMs?: number;
  maxBodyBytes?: number;
  /** Retry-after waits longer than this are not waited for by the request policy. */
  maxWaitMs?: number;
}

export interface Harness {
  url: string;
  app: ThreadlintApp;
  queue: ReviewQueue;
  stateDir: string;
  /** Every log line, parsed. */
  logs: Record<string, any>[];
  /** The raw log text, to search for what must never be there. */
  logText(): string;
  deliver(event: string, payload: unknown, delivery?: string, sign?: (body: string) => string): Promise<Response>;
  /** Stops the app (drain with `graceMs`) and the server; removes the state folder unless kept. */
  stop(graceMs?: number, options?: { keepState?: boolean }): Promise<void>;
}

export const signature = (body: string, secret = SECRET): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

let deliveries = 0;

export async function startHarness(fake: FakeGitHub, options: HarnessOptions = {}): Promise<Harness> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const log = createLogger('trace', 'json', sink);
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'threadlint-state-'));
  const queue = options.queue ?? new LocalQueue({ stateDir, concurrency: 2, retry: { attempts: 3, backoffMs: 50 } });
  const metrics = new AppMetrics(() => queue.counts());
  const probot = new Probot({
    appId: 1,
    privateKey: PRIVATE_KEY,
    secret: SECRET,
    baseUrl: fake.url,
    log,
    Octokit: appOctokit({
      baseDelayMs: 20,
      maxWaitMs: options.maxWaitMs ?? 5000,
      onResponse: ({ method, route, status, ms }) => metrics.apiCall(method, route, status, ms),
    }),
    request: { fetch: timedFetch(options.requestTimeoutMs ?? 2000) },
  });
  const app = createThreadlintApp({ queue, metrics, engine: options.engine, seen: options.seen, analysisThreads: options.analysisThreads });
  await probot.load(app);
  let accepting = true;
  const server: Server = createHttpServer({
    probot,
    queue,
    metrics,
    log,
    webhookPath: '/api/github/webhooks',
    maxBodyBytes: options.maxBodyBytes ?? 5 * 1024 * 1024,
    accepting: () => accepting,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    app,
    queue,
    stateDir,
    get logs() {
      return lines.map((l) => JSON.parse(l) as Record<string, any>);
    },
    logText: () => lines.join('\n'),
    deliver: (event, payload, delivery = `delivery-${++deliveries}`, sign = signature) => {
      const body = JSON.stringify(payload);
      return fetch(`${url}/api/github/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': delivery, 'x-hub-signature-256': sign(body) },
        body,
      });
    },
    stop: async (graceMs = 1000, stopOptions = {}) => {
      accepting = false;
      await app.stop(graceMs);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!stopOptions.keepState && !options.stateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
