/**
 * The HTTP side: webhooks, `/healthz`, `/metrics`, `/ping`. A webhook is refused
 * before it is read whole when it is too large (by `content-length`, then by counting
 * while reading), its signature is checked before anything else looks at it, and its
 * log line names the delivery, event and answer, never the payload.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger, Probot } from 'probot';
import { describeError } from './errors.js';
import type { AppMetrics } from './metrics.js';
import type { ReviewQueue } from './queue.js';

export interface HttpOptions {
  probot: Probot;
  queue: ReviewQueue;
  metrics: AppMetrics;
  log: Logger;
  webhookPath: string;
  maxBodyBytes: number;
  /** False while draining: /healthz answers 503 so a balancer sends webhooks elsewhere. */
  accepting: () => boolean;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The body, or an HttpError 413 as soon as it grows past `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new HttpError(413, `body of ${declared} bytes is over the ${limit}-byte limit`));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, `body is over the ${limit}-byte limit`));
        req.removeAllListeners('data');
        req.resume(); // discard the rest without keeping it
        return;
      }
      parts.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  if (res.headersSent) return;
  const headers: Record<string, string | number> = { 'content-type': type, 'content-length': Buffer.byteLength(body) };
  if (status === 413) headers.connection = 'close'; // the rest of the body is not wanted
  res.writeHead(status, headers).end(body);
}

async function handleWebhook(req: IncomingMessage, res: ServerResponse, options: HttpOptions): Promise<void> {
  const started = Date.now();
  const delivery = header(req, 'x-github-delivery') ?? '';
  const event = header(req, 'x-github-event') ?? '';
  const signature = header(req, 'x-hub-signature-256') ?? '';
  const log = options.log.child({ delivery: delivery || undefined, event: event || undefined });
  let status = 200;
  let message = 'ok';
  try {
    if (!options.accepting()) throw new HttpError(503, 'shutting down');
    if (!delivery || !event || !signature) throw new HttpError(400, 'x-github-delivery, x-github-event and x-hub-signature-256 are required');
    const body = await readBody(req, options.maxBodyBytes);
    if (!(await options.probot.webhooks.verify(body, signature).catch(() => false))) throw new HttpError(401, 'signature does not match');
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      throw new HttpError(400, 'body is not JSON');
    }
    try {
      await options.probot.receive({ id: delivery, name: event, payload } as never);
    } catch (error) {
      const inner = error instanceof AggregateError ? error.errors : [error];
      throw new HttpError(500, inner.map(describeError).join('; '));
    }
  } catch (error) {
    status = error instanceof HttpError ? error.status : 500;
    message = error instanceof HttpError ? error.message : describeError(error);
  }
  send(res, status, status === 200 ? 'ok\n' : `${message}\n`);
  const ms = Date.now() - started;
  options.metrics.webhook(event || 'unknown', status, ms);
  const line = { status, ms };
  if (status >= 500) log.error({ ...line, error: message }, 'threadlint: webhook failed');
  else if (status >= 400) log.warn({ ...line, error: message }, 'threadlint: webhook refused');
  else log.info(line, 'threadlint: webhook answered');
}

async function health(options: HttpOptions): Promise<{ status: number; body: Record<string, unknown> }> {
  const queueProblem = await options.queue.health();
  const counts = await options.queue.counts().catch(() => undefined);
  const last = options.metrics.lastGitHubContact;
  const ok = !queueProblem && options.accepting();
  return {
    status: ok ? 200 : 503,
    body: {
      status: ok ? 'ok' : options.accepting() ? 'degraded' : 'draining',
      queue: options.queue.kind,
      ...(queueProblem ? { problem: queueProblem } : {}),
      ...(counts ? { jobs: counts } : {}),
      lastGitHubContact: last ? new Date(last).toISOString() : null,
      uptimeSeconds: Math.round(process.uptime()),
    },
  };
}

/** A client must send its headers within this long and its whole request within `REQUEST_TIMEOUT_MS`. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

export function createHttpServer(options: HttpOptions): Server {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = async (): Promise<void> => {
      if (req.method === 'POST' && path === options.webhookPath) return handleWebhook(req, res, options);
      if (req.method === 'GET' && path === '/healthz') {
        const { status, body } = await health(options);
        return send(res, status, `${JSON.stringify(body)}\n`, 'application/json');
      }
      if (req.method === 'GET' && path === '/metrics') {
        return send(res, 200, await options.metrics.registry.metrics(), options.metrics.registry.contentType);
      }
      if (req.method === 'GET' && path === '/ping') return send(res, 200, 'PONG');
      send(res, 404, 'not found\n');
    };
    route().catch((error: unknown) => {
      options.log.error({ path, error: describeError(error) }, 'threadlint: request failed');
      send(res, 500, 'internal error\n');
    });
  });
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  return server;
}
