/**
 * The real Redis for tests (`REDIS_URL`, default 127.0.0.1:6379; `.ci/run` starts one),
 * under a key prefix of each test's own, removed afterwards.
 */
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.THREADLINT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let counter = 0;
export function testPrefix(): string {
  return `threadlint-test-${process.pid}-${Date.now().toString(36)}-${++counter}`;
}

/** Deletes every key under `prefix`. */
export async function removeKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function keysUnder(prefix: string): Promise<string[]> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    return await redis.keys(`${prefix}:*`);
  } finally {
    redis.disconnect();
  }
}
