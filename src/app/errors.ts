/**
 * What an error may say in a log line or a check run: its kind, message and HTTP
 * status, never the request it carried. An Octokit RequestError holds the request
 * body (a review's comments quote the repository's source) and headers (tokens);
 * logging the error object whole would write both.
 */
import { messageOf, statusOf } from './github.js';

export interface SafeError {
  type: string;
  message: string;
  status?: number;
  /** Set when a write may have taken effect although it failed (timeout, 5xx). */
  unknownOutcome?: true;
}

export function safeError(error: unknown): SafeError {
  const status = statusOf(error);
  // By name, not instanceof: errors from another realm (a worker, a VM context) are still errors.
  const name = (error as { name?: unknown } | null)?.name;
  const type = typeof name === 'string' ? name : typeof error;
  const out: SafeError = { type, message: messageOf(error).slice(0, 500) };
  if (status !== undefined) out.status = status;
  if (isUnknownOutcome(error)) out.unknownOutcome = true;
  return out;
}

/** The log fields for an error: `{ err: { type, message, status } }`. */
export function errorFields(error: unknown): { err: SafeError } {
  return { err: safeError(error) };
}

/** One line for a check run summary: "HTTP 502: Bad Gateway". */
export function describeError(error: unknown): string {
  const { status, message } = safeError(error);
  return status !== undefined && status > 0 ? `HTTP ${status}: ${message}` : message;
}

const UNKNOWN = Symbol.for('threadlint.unknownOutcome');

/** Marks a failed write whose outcome is unknown: GitHub may have carried it out. */
export function markUnknownOutcome<T>(error: T): T {
  if (typeof error === 'object' && error !== null) (error as Record<symbol, unknown>)[UNKNOWN] = true;
  return error;
}

export function isUnknownOutcome(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[UNKNOWN] === true;
}

/**
 * A failure worth trying again later (GitHub unavailable, a timeout, a rate limit, an
 * expired or refused installation token), as opposed to one that will fail the same
 * way every time (404, 422, a bug).
 */
export function isTransient(error: unknown): boolean {
  const status = statusOf(error);
  if (status === undefined) return isUnknownOutcome(error) || /timeout|aborted|ECONN|socket|network|fetch failed/i.test(messageOf(error));
  return status >= 500 || status === 401 || status === 403 || status === 408 || status === 429;
}
