/** IETF-style rate-limit headers the gateway sends (docs/contract.md §8). */
export type RateLimitHeaders = Partial<Record<'ratelimit-limit' | 'ratelimit-remaining' | 'ratelimit-reset', string>>;

const WINDOW_S = 60;

function header(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Maps Planhat's `X-Rate-Limit-Limit` / `X-Rate-Limit-Remaining` to `ratelimit-*`. Planhat sends no
 * reset header (docs/planhat-api.md, "Errors and rate limits"), so the reset is estimated per account: a window of 60 s that
 * starts when the remaining count is first seen or goes up again. `X-Rate-Limit-Reset` or
 * `Retry-After`, when present, win over the estimate.
 */
export class RateLimitTracker {
  private readonly windows = new Map<string, { start: number; remaining: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  observe(key: string, h: Record<string, string | string[] | undefined>): RateLimitHeaders {
    const limit = header(h, 'x-rate-limit-limit');
    const remaining = header(h, 'x-rate-limit-remaining');
    if (limit === undefined && remaining === undefined) return {};
    const out: RateLimitHeaders = {};
    if (limit !== undefined) out['ratelimit-limit'] = limit;
    if (remaining !== undefined) out['ratelimit-remaining'] = remaining;

    const explicit = header(h, 'x-rate-limit-reset') ?? header(h, 'retry-after');
    const t = this.now();
    const rem = Number(remaining);
    const w = this.windows.get(key);
    if (!w || (Number.isFinite(rem) && rem > w.remaining) || t - w.start >= WINDOW_S * 1000) {
      this.windows.set(key, { start: t, remaining: Number.isFinite(rem) ? rem : 0 });
      if (this.windows.size > 10_000) this.windows.delete(this.windows.keys().next().value as string);
    } else if (Number.isFinite(rem)) {
      w.remaining = rem;
    }
    if (explicit !== undefined && /^\d+$/.test(explicit)) {
      out['ratelimit-reset'] = explicit;
    } else {
      const start = this.windows.get(key)!.start;
      out['ratelimit-reset'] = String(Math.max(0, Math.ceil(WINDOW_S - (t - start) / 1000)));
    }
    return out;
  }
}
