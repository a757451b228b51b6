/**
 * "Seen before?" with an expiry: webhook delivery ids, and heads already accepted (a
 * payload redelivered under a new delivery id is still the same head). In Redis when
 * there is one (`SET NX EX`, so every instance agrees), else in this process.
 */
import type { Redis } from 'ioredis';

export interface SeenKeys {
  /** True the first time `key` is claimed within `ttlSeconds`. */
  claim(key: string, ttlSeconds: number): Promise<boolean>;
  /** Forgets a claim (the work it stood for could not be accepted after all). */
  release(key: string): Promise<void>;
}

export class MemorySeenKeys implements SeenKeys {
  private readonly expiry = new Map<string, number>();
  constructor(
    private readonly max = 20_000,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const now = this.now();
    const until = this.expiry.get(key);
    if (until !== undefined && until > now) return false;
    this.expiry.delete(key);
    this.expiry.set(key, now + ttlSeconds * 1000);
    // Oldest first in a Map: drop expired or overflowing entries from the front.
    for (const [k, t] of this.expiry) {
      if (this.expiry.size <= this.max && t > now) break;
      this.expiry.delete(k);
    }
    return true;
  }

  async release(key: string): Promise<void> {
    this.expiry.delete(key);
  }
}

export class RedisSeenKeys implements SeenKeys {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}:seen:${key}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
  }

  async release(key: string): Promise<void> {
    await this.redis.del(`${this.prefix}:seen:${key}`);
  }
}
