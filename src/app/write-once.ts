/**
 * A write GitHub may have carried out although it failed (a `502` after the review was
 * stored, a timeout after the check run was created) is repeated only after looking
 * whether it took effect: `find` looks for the thing the write creates (a review by the
 * marker in its body, a check run by its `external_id`).
 */
import { isUnknownOutcome } from './errors.js';

export interface WriteOnceOptions {
  /** Attempts in all. Default 3. */
  attempts?: number;
  /** Pause before looking, doubled each time (GitHub may take a moment to list it). Default 500 ms. */
  delayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function writeOnce<T>(write: () => Promise<T>, find: () => Promise<T | undefined>, options: WriteOnceOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 3;
  const delay = options.delayMs ?? 500;
  const sleep = options.sleep ?? sleepFor;
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isUnknownOutcome(error)) throw error;
      await sleep(delay * 2 ** (attempt - 1));
      const existing = await find();
      if (existing !== undefined) return existing;
      if (attempt >= attempts) throw error;
    }
  }
}
