/**
 * Operations: settings refused with every problem named, /healthz and /metrics, logs
 * that never carry request bodies, writes that are not spaced a second apart.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Probot } from 'probot';
import { appOctokit } from '../../src/app/github-client.js';
import { createLogger } from '../../src/app/logger.js';
import { routeLabel } from '../../src/app/metrics.js';
import { readSettings, SettingsError } from '../../src/app/settings.js';
import { PRIVATE_KEY, startHarness } from './helpers/app-harness.js';
import { FakeGitHub } from './helpers/fake-github-server.js';
import { pullRequestPayload } from './helpers/fake-github.js';

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    readSettings(env);
    return [];
  } catch (error) {
    return (error as SettingsError).problems;
  }
};

describe('settings', () => {
  test('production refuses a missing or default webhook secret and a missing app id', () => {
    expect(problemsOf({ NODE_ENV: 'production', PRIVATE_KEY })).toEqual([
      'APP_ID is required in production',
      'WEBHOOK_SECRET is required in production: without it anyone can send webhooks',
    ]);
    expect(problemsOf({ NODE_ENV: 'production', PRIVATE_KEY, APP_ID: '7', WEBHOOK_SECRET: 'development' })).toEqual([
      'WEBHOOK_SECRET must not be "development" (Probot\'s default) in production',
    ]);
  });

  test('an unreadable private key is an error, in production or not; it never starts the setup page', () => {
    const bad = { APP_ID: '7', PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----', WEBHOOK_SECRET: 's' };
    expect(problemsOf({ ...bad, NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^PRIVATE_KEY \/ PRIVATE_KEY_PATH is not a readable PEM private key/)]);
    expect(problemsOf(bad)).toEqual([expect.stringMatching(/not a readable PEM private key/)]);
    expect(problemsOf({ APP_ID: '7', PRIVATE_KEY_PATH: '/nonexistent/key.pem' })).toEqual([expect.stringMatching(/private key could not be read/)]);
  });

  test('good settings; numbers checked; no credentials outside production means setup mode', () => {
    const settings = readSettings({ NODE_ENV: 'production', APP_ID: '7', PRIVATE_KEY, WEBHOOK_SECRET: 's', REDIS_URL: 'redis://r:6379', THREADLINT_CONCURRENCY: '4' });
    expect(settings).toMatchObject({ production: true, setupMode: false, appId: 7, redisUrl: 'redis://r:6379', concurrency: 4, host: '127.0.0.1' });
    expect(problemsOf({ THREADLINT_CONCURRENCY: 'lots', PORT: '-1' })).toEqual([
      'PORT="-1" must be a whole number from 0 to 65535',
      'THREADLINT_CONCURRENCY="lots" must be a whole number from 1 to 64',
    ]);
    expect(readSettings({}).setupMode).toBe(true);
  });
});

describe('HTTP', () => {
  let fake: FakeGitHub;
  beforeEach(async () => {
    fake = await new FakeGitHub({ validate: false }).start();
    fake.setPull('Codertocat', 'Hello-World', 2, 'ec26c3e57ca3a959ca5aad62de7213c562f8c821', [{ filename: 'a.py', content: 'x = 1\n' }]);
  });
  afterEach(() => fake.stop());

  test('/healthz reports the queue and the last GitHub contact; /metrics counts jobs, webhooks and API calls', async () => {
    const h = await startHarness(fake);
    try {
      const before = (await (await fetch(`${h.url}/healthz`)).json()) as Record<string, unknown>;
      expect(before).toMatchObject({ status: 'ok', queue: 'local', jobs: { waiting: 0, active: 0 }, lastGitHubContact: null });
      await h.deliver('pull_request', pullRequestPayload('opened'));
      await h.app.idle();
      const after = (await (await fetch(`${h.url}/healthz`)).json()) as Record<string, string>;
      expect(Date.parse(after.lastGitHubContact)).toBeGreaterThan(0);
      const metrics = await (await fetch(`${h.url}/metrics`)).text();
      expect(metrics).toContain('threadlint_jobs_total{outcome="completed",conclusion="success"} 1');
      expect(metrics).toContain('threadlint_webhooks_total{event="pull_request",status="200"} 1');
      expect(metrics).toMatch(/threadlint_github_requests_total\{method="POST",route="\/repos\/\{owner\}\/\{repo\}\/check-runs",status="201"\} 1/);
      expect(metrics).toContain('threadlint_jobs_queued 0');
    } finally {
      await h.stop();
    }
  });

  test('while draining, /healthz answers 503 and webhooks are refused with 503', async () => {
    const h = await startHarness(fake);
    const hold = fake.hold('GET', /\/pulls\/2\/files/);
    await h.deliver('pull_request', pullRequestPayload('opened'));
    await hold.arrived;
    const stopping = h.stop(5000);
    const health = await fetch(`${h.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'draining' });
    expect((await h.deliver('pull_request', pullRequestPayload('synchronize'))).status).toBe(503);
    hold.release();
    await stopping;
    expect(fake.runsFor('ec26c3e57ca3a959ca5aad62de7213c562f8c821').map((r) => r.status)).toEqual(['completed']);
  });
});

test('Probot’s request logging never puts a request body in the log', () => {
  const lines: string[] = [];
  const log = createLogger('trace', 'json', new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }));
  log.debug({ comments: [{ body: 'SECRET_SOURCE' }], body: 'SECRET_SOURCE' } as Record<string, unknown>, 'GitHub request: POST /repos/o/r/pulls/1/reviews - 422');
  log.info({ payload: { x: 'SECRET_SOURCE' }, delivery: 'd' }, 'something');
  expect(lines.join('')).not.toContain('SECRET_SOURCE');
  expect(lines.join('')).toContain('GitHub request: POST /repos/o/r/pulls/1/reviews - 422');
  expect(lines.join('')).toContain('"delivery":"d"');
});

test('writes are not spaced a second apart: five concurrent writes reach GitHub together', async () => {
  let arrived = 0;
  const waiting: (() => void)[] = [];
  const server = createServer((_req, res) => {
    arrived++;
    waiting.push(() => res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":1}'));
    if (arrived === 5) waiting.splice(0).forEach((answer) => answer()); // answers only when all five are in flight
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const probot = new Probot({ githubToken: 't', baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, Octokit: appOctokit(), logLevel: 'warn' });
    const github = await probot.auth(1);
    const writes = Array.from({ length: 5 }, (_, i) =>
      github.request('POST /repos/{owner}/{repo}/check-runs', { owner: 'o', repo: 'r', name: 'threadlint', head_sha: String(i).repeat(40) }),
    );
    await Promise.all(writes);
    expect(arrived).toBe(5);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}, 10_000);

test('route labels have few values', () => {
  expect(routeLabel('/repos/{owner}/{repo}/check-runs/{check_run_id}')).toBe('/repos/{owner}/{repo}/check-runs/{check_run_id}');
  expect(routeLabel('https://api.github.com/repos/a/b/pulls/12/files?per_page=100&page=2')).toBe('/repos/{owner}/{repo}/pulls/{n}/files');
  expect(routeLabel('http://127.0.0.1:1/api/v3/repos/a/b/commits/' + 'f'.repeat(40) + '/check-runs')).toBe('/repos/{owner}/{repo}/commits/{sha}/check-runs');
});
