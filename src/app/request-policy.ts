/**
 * How every request to GitHub behaves, as one Octokit plugin in place of Probot's
 * retry and throttling plugins (the app turns those off):
 *
 * - every request, the installation token's included, has a timeout (`timedFetch`);
 * - a `403` secondary rate limit and a `429` wait for `retry-after` (a primary rate
 *   limit for `x-ratelimit-reset`) and try again, when the wait is short enough;
 *   GitHub refused those requests, so repeating them is always safe;
 * - a `5xx`, a timeout or a broken connection is retried with backoff for requests that
 *   are safe to repeat (reads, PATCH, GraphQL, tokens); a POST that creates something
 *   (a review, a check run) is not repeated blindly: its error is marked
 *   "unknown outcome" and the caller checks whether it took effect (`write-once.ts`);
 * - each answer is reported (`onResponse`), for metrics and the health check.
 *
 * Writes are not spaced a second apart per process (Probot's throttling does that,
 * which serialises 50 pull requests into minutes): GitHub's secondary limits are met
 * by honouring `retry-after` instead.
 */
import { markUnknownOutcome } from './errors.js';
import { statusOf } from './github.js';

export interface RequestPolicyOptions {
  /** Tries after the first for a retryable answer. Default 4. */
  retries?: number;
  /** Backoff base for 5xx and timeouts, doubled each try. Default 1000 ms. */
  baseDelayMs?: number;
  /** A `retry-after` longer than this is not waited for here: the error goes up. Default 60 s. */
  maxWaitMs?: number;
  /** Called after every answer: the route template, method and status (0 = no answer). */
  onResponse?: (info: { method: string; route: string; status: number; ms: number }) => void;
  /** Called before waiting to retry. */
  onRetry?: (info: { method: string; route: string; status: number; waitMs: number; reason: string }) => void;
  sleep?: (ms: number) => Promise<void>;
}

interface RequestOptions {
  method: string;
  url: string;
  request?: { retries?: number };
  [key: string]: unknown;
}

type RequestFn = (options: RequestOptions) => Promise<unknown>;

interface HookHost {
  hook: { wrap(name: 'request', wrapper: (request: RequestFn, options: RequestOptions) => Promise<unknown>): void };
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const pathOf = (url: string): string => {
  try {
    return new URL(url, 'http://github.invalid').pathname;
  } catch {
    return url;
  }
};

/** A POST that creates something and cannot be repeated without checking first. */
export function createsSomething(method: string, url: string): boolean {
  if (method !== 'POST') return false;
  const path = pathOf(url);
  return !/\/graphql$/.test(path) && !/\/app\/installations\/[^/]+\/access_tokens$/.test(path);
}

function headerOf(error: unknown, name: string): string | undefined {
  const headers = (error as { response?: { headers?: Record<string, string | number | undefined> } })?.response?.headers;
  const value = headers?.[name];
  return value === undefined ? undefined : String(value);
}

/** How long GitHub asks us to wait, or undefined when the answer is not a rate limit. */
export function rateLimitWaitMs(error: unknown, now = Date.now()): number | undefined {
  const status = statusOf(error);
  if (status !== 403 && status !== 429) return undefined;
  const retryAfter = Number(headerOf(error, 'retry-after'));
  if (Number.isFinite(retryAfter) && retryAfter >= 0 && headerOf(error, 'retry-after') !== undefined) return retryAfter * 1000;
  if (headerOf(error, 'x-ratelimit-remaining') === '0') {
    const reset = Number(headerOf(error, 'x-ratelimit-reset'));
    if (Number.isFinite(reset)) return Math.max(0, reset * 1000 - now) + 1000;
  }
  const message = error instanceof Error ? error.message : '';
  if (status === 429 || /secondary rate limit/i.test(message)) return 60_000; // GitHub's advice without a header
  return undefined;
}

/** A failure with no answer, or one GitHub says is on its side. */
function isServerSide(error: unknown): boolean {
  const status = statusOf(error);
  return status === undefined || status >= 500;
}

export function requestPolicy(options: RequestPolicyOptions = {}) {
  const retries = options.retries ?? 4;
  const base = options.baseDelayMs ?? 1000;
  const maxWait = options.maxWaitMs ?? 60_000;
  const sleep = options.sleep ?? sleepFor;
  return (octokit: HookHost): Record<string, never> => {
    octokit.hook.wrap('request', async (request, requestOptions) => {
      const method = requestOptions.method;
      const route = String(requestOptions.url);
      const limit = requestOptions.request?.retries ?? retries;
      for (let attempt = 0; ; attempt++) {
        const started = Date.now();
        try {
          const response = await request(requestOptions);
          options.onResponse?.({ method, route, status: (response as { status?: number }).status ?? 200, ms: Date.now() - started });
          return response;
        } catch (error) {
          const status = statusOf(error) ?? 0;
          options.onResponse?.({ method, route, status: status === 500 && !(error as { response?: unknown }).response ? 0 : status, ms: Date.now() - started });
          const wait = rateLimitWaitMs(error);
          if (wait !== undefined) {
            if (attempt >= limit || wait > maxWait) throw error;
            options.onRetry?.({ method, route, status, waitMs: wait, reason: 'rate limited' });
            await sleep(wait);
            continue;
          }
          if (!isServerSide(error)) throw error;
          if (createsSomething(method, route)) throw markUnknownOutcome(error);
          if (attempt >= limit) throw error;
          const backoff = base * 2 ** attempt * (0.75 + Math.random() / 2);
          options.onRetry?.({ method, route, status, waitMs: Math.round(backoff), reason: status ? `HTTP ${status}` : 'no answer' });
          await sleep(backoff);
        }
      }
    });
    return {};
  };
}

/**
 * `fetch` with a deadline for the whole exchange, headers and body: the body is read
 * within the deadline too (Octokit would turn a body cut short into empty data), so a
 * request that never answers, or stops half way, fails after `timeoutMs`.
 */
export function timedFetch(timeoutMs: number, base: typeof fetch = (...args) => globalThis.fetch(...args)): typeof fetch {
  return async (input, init = {}) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    try {
      const response = await base(input, { ...init, signal });
      const body = await response.arrayBuffer();
      const empty = body.byteLength === 0 || [204, 205, 304].includes(response.status);
      const buffered = new Response(empty ? null : body, { status: response.status, statusText: response.statusText, headers: response.headers });
      // Pagination reads the answer's URL; a constructed Response has none of its own.
      return Object.defineProperty(buffered, 'url', { value: response.url });
    } catch (error) {
      if (deadline.aborted) throw Object.assign(new Error(`GitHub did not answer within ${timeoutMs} ms`), { name: 'TimeoutError', cause: error });
      throw error;
    }
  };
}
