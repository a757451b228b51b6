/**
 * Load test (not part of `npm test`; run `npm run load-test`): N pull requests opened
 * at once against `LOAD_INSTANCES` app processes sharing Redis, GitHub faked on
 * loopback with `LOAD_LATENCY_MS` per answer. Prints webhook answer times (p50/p99),
 * time from webhook to a visible check run, time to the last completed check run, and
 * reviews per minute per instance.
 *
 *   LOAD_PRS=50 LOAD_INSTANCES=2 LOAD_CONCURRENCY=2 LOAD_LATENCY_MS=50 npm run load-test
 */
import { appEnv, ensureBuilt, killAll, startAppProcess, type AppProcess } from '../helpers/app-process.js';
import { FakeGitHub } from '../helpers/fake-github-server.js';
import { pullRequestPayload } from '../helpers/fake-github.js';
import { REDIS_URL, removeKeys, testPrefix } from '../helpers/redis.js';

const PRS = Number(process.env.LOAD_PRS ?? 50);
const INSTANCES = Number(process.env.LOAD_INSTANCES ?? 2);
const CONCURRENCY = Number(process.env.LOAD_CONCURRENCY ?? 2);
const LATENCY = Number(process.env.LOAD_LATENCY_MS ?? 50);
const SOURCE = (i: number) =>
  `import threading\n\n\ndef work_${i}():\n    pass\n\n\nt = threading.Thread(target=work_${i})\nt.run()\n${Array.from({ length: 200 }, (_, j) => `\ndef f${j}(x):\n    return x + ${j}\n`).join('')}`;

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

test(`${PRS} pull requests at once on ${INSTANCES} instance(s)`, async () => {
  await ensureBuilt();
  const prefix = testPrefix();
  const fake = await new FakeGitHub({ validate: false, latencyMs: LATENCY }).start();
  const instances: AppProcess[] = [];
  try {
    const env = appEnv(fake.url, { REDIS_URL, THREADLINT_REDIS_PREFIX: prefix, THREADLINT_CONCURRENCY: String(CONCURRENCY), LOG_LEVEL: 'info' });
    for (let i = 0; i < INSTANCES; i++) instances.push(await startAppProcess(env));
    const heads = Array.from({ length: PRS }, (_, i) => (i + 1).toString(16).padStart(40, 'a'));
    heads.forEach((sha, i) => fake.setPull('Codertocat', 'Hello-World', 100 + i, sha, [{ filename: `pkg/m${i}.py`, content: SOURCE(i) }]));

    const started = Date.now();
    const sentAt = new Map<string, number>();
    const answered = await Promise.all(
      heads.map(async (sha, i) => {
        const payload = pullRequestPayload('opened', { sha });
        payload.number = 100 + i;
        payload.pull_request.number = 100 + i;
        sentAt.set(sha, Date.now());
        const t0 = Date.now();
        const response = await instances[i % INSTANCES].deliver('pull_request', payload, `load-${i}`);
        return { status: response.status, ms: Date.now() - t0 };
      }),
    );
    const deadline = Date.now() + 600_000;
    while ([...fake.checkRuns.values()].filter((r) => r.status === 'completed').length < PRS && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the last log lines follow the last completion
    const runs = [...fake.checkRuns.values()];
    const visible = heads.map((sha) => Math.min(...runs.filter((r) => r.head_sha === sha).map((r) => r.createdAt)) - sentAt.get(sha)!);
    const lastCompleted = Math.max(...runs.map((r) => r.completedAt ?? Infinity)) - started;
    const perInstance = instances.map((p) => p.lines.filter((l) => /^threadlint: \d+ error/.test(l.msg ?? '')).length);
    const minutes = lastCompleted / 60_000;
    const report = [
      `${PRS} PRs, ${INSTANCES} instance(s), concurrency ${CONCURRENCY} each, GitHub latency ${LATENCY} ms`,
      `webhook answer: p50 ${percentile(answered.map((a) => a.ms), 50)} ms, p99 ${percentile(answered.map((a) => a.ms), 99)} ms, statuses ${[...new Set(answered.map((a) => a.status))].join(',')}`,
      `check run visible after webhook: p50 ${percentile(visible, 50)} ms, p99 ${percentile(visible, 99)} ms, max ${Math.max(...visible)} ms, within 2 s: ${visible.filter((v) => v <= 2000).length}/${PRS}`,
      `last check run completed: ${lastCompleted} ms after the first webhook`,
      `reviews per instance: ${perInstance.join(', ')} → ${perInstance.map((n) => (n / minutes).toFixed(1)).join(', ')} per minute`,
      `check runs: ${runs.length}, completed ${runs.filter((r) => r.status === 'completed').length}, reviews posted ${fake.reviews.length}`,
    ];
    console.log(report.join('\n'));
    expect(runs.filter((r) => r.status === 'completed')).toHaveLength(PRS);
  } finally {
    killAll();
    await fake.stop();
    await removeKeys(prefix);
  }
});
