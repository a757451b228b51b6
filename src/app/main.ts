/**
 * `npm start`: the app as a service. Reads and checks the settings (refusing to start
 * in production without a webhook secret or with an unreadable key), builds the queue
 * (BullMQ on `REDIS_URL`, else in-process with a journal in `THREADLINT_STATE_DIR`),
 * serves webhooks, /healthz and /metrics, and on SIGTERM / SIGINT drains: it stops
 * taking webhooks and jobs, lets running reviews finish within the grace period, hands
 * the rest back to the queue with their check runs `queued`, then exits. Without
 * credentials outside production it starts Probot's setup page instead.
 */
import type { AddressInfo } from 'node:net';
import { Probot, run } from 'probot';
import { errorFields } from './errors.js';
import { appOctokit } from './github-client.js';
import { createHttpServer } from './http-server.js';
import { createThreadlintApp } from './index.js';
import { LocalQueue } from './local-queue.js';
import { createLogger } from './logger.js';
import { AppMetrics } from './metrics.js';
import type { ReviewQueue } from './queue.js';
import { RedisQueue } from './redis-queue.js';
import { timedFetch } from './request-policy.js';
import { MemorySeenKeys, RedisSeenKeys, type SeenKeys } from './seen-keys.js';
import { loadDotEnv, readSettings, SettingsError, type Settings } from './settings.js';

async function start(settings: Settings): Promise<void> {
  const log = createLogger(settings.logLevel, settings.logFormat);
  process.on('unhandledRejection', (reason) => log.error(errorFields(reason), 'threadlint: unhandled rejection'));

  const retry = { attempts: settings.jobAttempts, backoffMs: settings.jobBackoffMs };
  let queue: ReviewQueue;
  let seen: SeenKeys;
  if (settings.redisUrl) {
    const redisQueue = new RedisQueue({
      url: settings.redisUrl,
      prefix: settings.redisPrefix,
      concurrency: settings.concurrency,
      retry,
      stalledIntervalMs: settings.stalledIntervalMs,
    });
    queue = redisQueue;
    seen = new RedisSeenKeys(redisQueue.redis, settings.redisPrefix);
  } else {
    queue = new LocalQueue({
      stateDir: settings.stateDir,
      concurrency: settings.concurrency,
      retry,
      onDamaged: (file, why) => log.warn({ file, why }, 'threadlint: unreadable journal entry set aside'),
    });
    seen = new MemorySeenKeys();
  }
  const metrics = new AppMetrics(() => queue.counts(), { defaultMetrics: true });
  const Octokit = appOctokit({
    baseDelayMs: settings.requestRetryBaseMs,
    onResponse: ({ method, route, status, ms }) => metrics.apiCall(method, route, status, ms),
    onRetry: ({ method, route, status, waitMs, reason }) => log.warn({ method, route, status, waitMs }, `threadlint: GitHub request retried (${reason})`),
  });
  const probot = new Probot({
    appId: settings.appId,
    privateKey: settings.privateKey,
    secret: settings.webhookSecret,
    baseUrl: settings.baseUrl,
    log,
    Octokit,
    request: { fetch: timedFetch(settings.requestTimeoutMs) },
  });
  const app = createThreadlintApp({ queue, seen, metrics, analysisThreads: settings.analysisThreads });
  await probot.load(app);

  let accepting = true;
  const server = createHttpServer({
    probot,
    queue,
    metrics,
    log,
    webhookPath: settings.webhookPath,
    maxBodyBytes: settings.maxBodyBytes,
    accepting: () => accepting,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  log.info({ host: address.address, port: address.port, queue: queue.kind, concurrency: settings.concurrency }, 'threadlint: listening');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      log.warn(`threadlint: ${signal} again; exiting without draining`);
      process.exit(1);
    }
    stopping = true;
    accepting = false;
    log.info({ signal, graceMs: settings.shutdownGraceMs }, 'threadlint: draining');
    const hardStop = setTimeout(() => {
      log.error('threadlint: drain took too long; exiting');
      process.exit(1);
    }, settings.shutdownGraceMs + 30_000);
    hardStop.unref();
    server.close();
    server.closeIdleConnections();
    try {
      await app.stop(settings.shutdownGraceMs);
      log.info('threadlint: drained; exiting');
      process.exit(0);
    } catch (error) {
      log.error(errorFields(error), 'threadlint: drain failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

async function main(): Promise<void> {
  loadDotEnv();
  let settings: Settings;
  try {
    settings = readSettings();
  } catch (error) {
    console.error(error instanceof SettingsError ? error.message : `threadlint cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
  if (settings.setupMode) {
    console.error('threadlint: APP_ID or the private key is not set; starting Probot\'s setup page to register the app.');
    await run(createThreadlintApp({ stateDir: settings.stateDir }));
    return;
  }
  await start(settings);
}

main().catch((error: unknown) => {
  console.error(`threadlint failed to start: ${(error as Error).message}`);
  process.exit(1);
});
