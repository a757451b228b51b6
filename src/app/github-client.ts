/**
 * The Octokit class the app runs with: Probot's, with its retry and throttling plugins
 * replaced by `request-policy.ts` (retry-after honoured, unknown-outcome writes left to
 * the caller, no one-write-per-second spacing).
 */
import { ProbotOctokit } from 'probot';
import { requestPolicy, type RequestPolicyOptions } from './request-policy.js';

export function appOctokit(policy: RequestPolicyOptions = {}): typeof ProbotOctokit {
  // A function, not an object: Probot hands every client throttling options of its own,
  // which would otherwise switch the plugin back on.
  return ProbotOctokit.plugin(requestPolicy(policy) as unknown as Parameters<typeof ProbotOctokit.plugin>[0]).defaults(
    (options: Record<string, any>) => ({
      ...options,
      retry: { ...options.retry, enabled: false },
      throttle: { ...options.throttle, enabled: false },
    }),
  ) as unknown as typeof ProbotOctokit;
}
