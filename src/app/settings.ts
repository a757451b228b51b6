/**
 * The app's settings, read from the environment (and `.env`, which never overrides a
 * variable already set) and checked before anything starts: every problem is named
 * with its variable. In production (`NODE_ENV=production`) the app refuses to start
 * without `APP_ID`, without a `WEBHOOK_SECRET` (or with Probot's "development"
 * default), or with a private key that cannot be read; outside production, missing
 * credentials start Probot's setup page, but a key that is there and unreadable is
 * still an error.
 */
import { createPrivateKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { getPrivateKey } from '@probot/get-private-key';

export interface Settings {
  production: boolean;
  /** No credentials outside production: run Probot's setup page instead. */
  setupMode: boolean;
  appId: number;
  privateKey: string;
  webhookSecret: string;
  webhookPath: string;
  host: string;
  port: number;
  baseUrl: string;
  redisUrl?: string;
  redisPrefix: string;
  stateDir: string;
  concurrency: number;
  analysisThreads: number;
  shutdownGraceMs: number;
  requestTimeoutMs: number;
  requestRetryBaseMs: number;
  maxBodyBytes: number;
  stalledIntervalMs: number;
  jobAttempts: number;
  jobBackoffMs: number;
  logLevel: string;
  logFormat: 'json' | 'pretty';
}

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`threadlint cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

/** Loads `.env` from the working directory without overriding what is already set. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}=${JSON.stringify(raw)} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
  const production = env.NODE_ENV === 'production';

  let privateKey = '';
  try {
    privateKey = getPrivateKey({ env })?.toString() ?? '';
  } catch (error) {
    problems.push(`the private key could not be read: ${(error as Error).message}`);
  }
  if (privateKey) {
    try {
      createPrivateKey(privateKey);
    } catch (error) {
      problems.push(`PRIVATE_KEY / PRIVATE_KEY_PATH is not a readable PEM private key (${(error as Error).message})`);
    }
  }
  const appIdRaw = env.APP_ID ?? '';
  const appId = Number(appIdRaw);
  if (appIdRaw !== '' && (!Number.isInteger(appId) || appId <= 0)) problems.push(`APP_ID=${JSON.stringify(appIdRaw)} must be the app's numeric ID`);
  const webhookSecret = env.WEBHOOK_SECRET ?? '';
  const setupMode = !production && (appIdRaw === '' || !privateKey);
  if (production) {
    if (appIdRaw === '') problems.push('APP_ID is required in production');
    if (!privateKey && !problems.some((p) => p.includes('private key'))) problems.push('PRIVATE_KEY or PRIVATE_KEY_PATH is required in production');
    if (webhookSecret === '') problems.push('WEBHOOK_SECRET is required in production: without it anyone can send webhooks');
    else if (webhookSecret === 'development') problems.push('WEBHOOK_SECRET must not be "development" (Probot\'s default) in production');
  }

  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL=${JSON.stringify(logLevel)} must be one of ${LOG_LEVELS.join(', ')}`);
  const logFormat = env.LOG_FORMAT === 'pretty' ? 'pretty' : 'json';
  if (env.LOG_FORMAT && !['json', 'pretty'].includes(env.LOG_FORMAT)) problems.push(`LOG_FORMAT=${JSON.stringify(env.LOG_FORMAT)} must be json or pretty`);

  const redisUrl = env.REDIS_URL || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) problems.push(`REDIS_URL must start with redis:// or rediss://`);

  const settings: Settings = {
    production,
    setupMode,
    appId: Number.isInteger(appId) ? appId : 0,
    privateKey,
    webhookSecret: webhookSecret || 'development',
    webhookPath: env.WEBHOOK_PATH || '/api/github/webhooks',
    host: env.HOST || '127.0.0.1',
    port: int('PORT', 3000, 0, 65535),
    baseUrl: env.GHE_HOST ? `${env.GHE_PROTOCOL || 'https'}://${env.GHE_HOST}/api/v3` : 'https://api.github.com',
    redisUrl,
    redisPrefix: env.THREADLINT_REDIS_PREFIX || 'threadlint',
    stateDir: env.THREADLINT_STATE_DIR || '.threadlint-state',
    concurrency: int('THREADLINT_CONCURRENCY', 2, 1, 64),
    analysisThreads: int('THREADLINT_ANALYSIS_THREADS', 1, 0, 64),
    shutdownGraceMs: int('THREADLINT_SHUTDOWN_GRACE_MS', 8000, 0, 600_000),
    requestTimeoutMs: int('THREADLINT_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
    requestRetryBaseMs: int('THREADLINT_REQUEST_RETRY_BASE_MS', 1000, 0, 60_000),
    maxBodyBytes: int('THREADLINT_MAX_BODY_BYTES', 25 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    stalledIntervalMs: int('THREADLINT_STALLED_INTERVAL_MS', 30_000, 500, 3_600_000),
    jobAttempts: int('THREADLINT_JOB_ATTEMPTS', 4, 1, 20),
    jobBackoffMs: int('THREADLINT_JOB_BACKOFF_MS', 5000, 0, 3_600_000),
    logLevel,
    logFormat,
  };
  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}
