import type { ThrottlerStorage } from '@nestjs/throttler';
import { LRUCache } from 'lru-cache';

interface Counter {
  /** When the current window ends (ms since the epoch). */
  windowEnd: number;
  hits: number;
  /** Blocked until then (ms since the epoch), 0 when not blocked. */
  blockedUntil: number;
}

/** What ThrottlerStorage.increment answers (seconds). */
interface ThrottlerRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * The throttle counters when REDIS_URL is unset: one fixed window per key (a few numbers, where
 * @nestjs/throttler's own storage keeps one timestamp per hit), at most `maxKeys` keys
 * (THROTTLE_MEMORY_KEYS), least recently used evicted first. A key that is hit stays recent, so
 * only keys idle the longest are dropped; a dropped key starts a fresh window on its next request.
 */
export class BoundedThrottlerStorage implements ThrottlerStorage {
  private readonly counters: LRUCache<string, Counter>;

  constructor(
    maxKeys: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxKeys) || maxKeys < 1)
      throw new Error(`THROTTLE_MEMORY_KEYS must be a positive integer, got ${maxKeys}`);
    this.counters = new LRUCache({ max: maxKeys });
  }

  /** Keys held now (at most THROTTLE_MEMORY_KEYS). */
  get size(): number {
    return this.counters.size;
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerRecord> {
    const t = this.now();
    const id = `${throttlerName}\u0000${key}`;
    let c = this.counters.get(id);
    if (!c || (c.windowEnd <= t && c.blockedUntil <= t)) {
      c = { windowEnd: t + ttl, hits: 0, blockedUntil: 0 };
      this.counters.set(id, c);
    }
    const secs = (ms: number) => Math.max(0, Math.ceil(ms / 1000));
    if (c.blockedUntil > t) {
      return {
        totalHits: c.hits,
        timeToExpire: secs(c.windowEnd - t),
        isBlocked: true,
        timeToBlockExpire: secs(c.blockedUntil - t),
      };
    }
    if (c.windowEnd <= t) {
      c.windowEnd = t + ttl;
      c.hits = 0;
    }
    c.hits++;
    if (c.hits > limit) {
      c.blockedUntil = t + (blockDuration > 0 ? blockDuration : c.windowEnd - t);
      return {
        totalHits: c.hits,
        timeToExpire: secs(c.windowEnd - t),
        isBlocked: true,
        timeToBlockExpire: secs(c.blockedUntil - t),
      };
    }
    return { totalHits: c.hits, timeToExpire: secs(c.windowEnd - t), isBlocked: false, timeToBlockExpire: 0 };
  }
}
