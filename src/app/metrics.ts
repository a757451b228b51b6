/**
 * Prometheus metrics (`GET /metrics`): jobs queued / running / done by outcome, their
 * durations, findings, webhook answer times and GitHub API calls by route and status.
 * One registry per app, so tests and several apps in one process do not collide.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueCounts } from './queue.js';

export interface JobMetrics {
  running(delta: number): void;
  done(outcome: 'completed' | 'superseded' | 'retried' | 'failed', conclusion: string | undefined, findings: number, ms: number): void;
}

export class AppMetrics implements JobMetrics {
  readonly registry = new Registry();
  private readonly jobsRunning: Gauge;
  private readonly jobsDone: Counter;
  private readonly jobSeconds: Histogram;
  private readonly findingsTotal: Counter;
  private readonly webhookSeconds: Histogram;
  private readonly webhooks: Counter;
  private readonly apiCalls: Counter;
  private readonly apiSeconds: Histogram;
  /** When GitHub last answered (ms since the epoch), for /healthz. */
  lastGitHubContact?: number;

  constructor(queueCounts?: () => Promise<QueueCounts>, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'threadlint_jobs_queued',
      help: 'Review jobs waiting (including retries waiting for their backoff)',
      registers,
      async collect() {
        if (queueCounts) this.set((await queueCounts()).waiting);
      },
    });
    this.jobsRunning = new Gauge({ name: 'threadlint_jobs_running', help: 'Review jobs running in this process', registers });
    this.jobsDone = new Counter({ name: 'threadlint_jobs_total', help: 'Review job attempts by outcome and conclusion', labelNames: ['outcome', 'conclusion'], registers });
    this.jobSeconds = new Histogram({
      name: 'threadlint_job_duration_seconds',
      help: 'Duration of a review job attempt',
      labelNames: ['outcome'],
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.findingsTotal = new Counter({ name: 'threadlint_findings_total', help: 'Findings reported on check runs', registers });
    this.webhookSeconds = new Histogram({
      name: 'threadlint_webhook_duration_seconds',
      help: 'Time to answer a webhook delivery',
      labelNames: ['status'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers,
    });
    this.webhooks = new Counter({ name: 'threadlint_webhooks_total', help: 'Webhook deliveries by event and answer', labelNames: ['event', 'status'], registers });
    this.apiCalls = new Counter({ name: 'threadlint_github_requests_total', help: 'GitHub API calls by route and status (0: no answer)', labelNames: ['method', 'route', 'status'], registers });
    this.apiSeconds = new Histogram({
      name: 'threadlint_github_request_duration_seconds',
      help: 'GitHub API call duration',
      labelNames: ['method'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
  }

  running(delta: number): void {
    this.jobsRunning.inc(delta);
  }

  done(outcome: string, conclusion: string | undefined, findings: number, ms: number): void {
    this.jobsDone.inc({ outcome, conclusion: conclusion ?? '' });
    this.jobSeconds.observe({ outcome }, ms / 1000);
    if (findings > 0) this.findingsTotal.inc(findings);
  }

  webhook(event: string, status: number, ms: number): void {
    this.webhooks.inc({ event, status: String(status) });
    this.webhookSeconds.observe({ status: String(status) }, ms / 1000);
  }

  apiCall(method: string, route: string, status: number, ms: number): void {
    this.apiCalls.inc({ method, route: routeLabel(route), status: String(status) });
    this.apiSeconds.observe({ method }, ms / 1000);
    if (status > 0) this.lastGitHubContact = Date.now();
  }
}

/** A route as a label of few values: no host, query, owner, repository or numbers. */
export function routeLabel(url: string): string {
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0].replace(/^\/api\/v3/, '');
  return path
    .replace(/^\/repos\/[^/{]+\/[^/{]+/, '/repos/{owner}/{repo}')
    .replace(/\/\d+(?=\/|$)/g, '/{n}')
    .replace(/\/[0-9a-f]{40}(?=\/|$)/g, '/{sha}');
}
