/**
 * A review job as it is stored (in Redis or in the journal): plain data naming what to
 * review and where its check run is, nothing that cannot survive a restart.
 */
export interface ReviewJobData {
  /** `owner/repo#number@sha`, plus `~<delivery>` for a re-run: the job id and the check run's `external_id`. */
  key: string;
  /** `owner/repo#number`. */
  pullKey: string;
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
  installationId: number;
  /** The webhook delivery that asked for it; every log line of the job carries it. */
  deliveryId: string;
  /** Set once the check run exists. */
  checkRunId?: number;
  /** When the webhook was accepted (ms since the epoch). */
  acceptedAt: number;
}

export function pullKeyOf(owner: string, repo: string, pullNumber: number): string {
  return `${owner}/${repo}#${pullNumber}`;
}

/** A job key without characters a queue or GitHub's `external_id` may not take. */
export function jobKeyOf(pullKey: string, headSha: string, rerunOf?: string): string {
  const key = `${pullKey}@${headSha}${rerunOf ? `~${rerunOf}` : ''}`;
  return key.replace(/[^A-Za-z0-9._\-/#@~]/g, '_');
}

/** Job data read back from storage, checked field by field: a damaged entry is refused, not run. */
export function parseJobData(value: unknown): ReviewJobData | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const strings = ['key', 'pullKey', 'owner', 'repo', 'headSha', 'deliveryId'] as const;
  if (!strings.every((k) => typeof v[k] === 'string' && (v[k] as string).length > 0)) return undefined;
  if (!Number.isInteger(v.pullNumber) || !Number.isInteger(v.installationId) || typeof v.acceptedAt !== 'number') return undefined;
  if (v.checkRunId !== undefined && !Number.isInteger(v.checkRunId)) return undefined;
  return v as unknown as ReviewJobData;
}
