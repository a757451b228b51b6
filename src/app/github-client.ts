/**
 * The Octokit class the app runs with: Probot's, with its retry and throttling plugins
 * replaced by `request-policy.ts` (retry-after honoured, unknown-outcome writes left to
 * the caller, no one-write-per-second spacing).
 */
import { ProbotOctokit } from 'probot';
import { requestPolicy, type RequestPolicyOptions } from './request-policy.js';

export function appOctokit(policy: RequestPolicyOptions = {}): typeof ProbotOctokit {
  return ProbotOctokit.plugin(requestPolicy(policy) as unknown as Parameters<typeof ProbotOctokit.plugin>[0]).defaults({
    retry: { enabled: false },
    throttle: { enabled: false },
  }) as unknown as typeof ProbotOctokit;
}
