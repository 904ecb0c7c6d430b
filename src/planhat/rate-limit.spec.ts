import { RateLimitTracker } from './rate-limit';

describe('RateLimitTracker', () => {
  it('maps X-Rate-Limit-* to ratelimit-* and estimates the reset within a 60 s window', () => {
    let now = 1_000_000;
    const t = new RateLimitTracker(() => now);
    expect(t.observe('a', { 'x-rate-limit-limit': '200', 'x-rate-limit-remaining': '199' })).toEqual({
      'ratelimit-limit': '200',
      'ratelimit-remaining': '199',
      'ratelimit-reset': '60',
    });
    now += 15_000;
    expect(t.observe('a', { 'x-rate-limit-limit': '200', 'x-rate-limit-remaining': '150' })['ratelimit-reset']).toBe(
      '45',
    );
    now += 1_000;
    // remaining went up: a new window started
    expect(t.observe('a', { 'x-rate-limit-limit': '200', 'x-rate-limit-remaining': '199' })['ratelimit-reset']).toBe(
      '60',
    );
  });

  it('prefers an explicit reset or retry-after, and sends nothing when Planhat sent nothing', () => {
    const t = new RateLimitTracker(() => 0);
    expect(t.observe('b', { 'x-rate-limit-remaining': '0', 'retry-after': '17' })['ratelimit-reset']).toBe('17');
    expect(t.observe('c', {})).toEqual({});
  });
});

describe('RateLimitTracker bound', () => {
  it('keeps at most maxAccounts windows (least recently used evicted) and starts a fresh window for an evicted account', () => {
    let now = 0;
    const t = new RateLimitTracker(() => now, 3);
    const h = { 'x-rate-limit-limit': '200', 'x-rate-limit-remaining': '150' };
    for (const k of ['a', 'b', 'c', 'd', 'e']) t.observe(k, h);
    expect(t.size).toBe(3);
    now = 20_000;
    // 'e' is still tracked: 40 s left in its window
    expect(t.observe('e', { ...h, 'x-rate-limit-remaining': '100' })['ratelimit-reset']).toBe('40');
    // 'a' was evicted: its answer starts a new window
    expect(t.observe('a', { ...h, 'x-rate-limit-remaining': '100' })['ratelimit-reset']).toBe('60');
    expect(t.size).toBe(3);
  });
});
