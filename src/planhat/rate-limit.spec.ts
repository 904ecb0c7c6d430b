import { RateLimitTracker } from './rate-limit';

describe('RateLimitTracker', () => {
  it('maps X-Rate-Limit-* to ratelimit-* and estimates the reset within a 60 s window', () => {
    let now = 1_000_000;
    const t = new RateLimitTracker(() => now);
    expect(t.observe('a', { 'x-rate-limit-limit': '200', 'x-rate-limit-remaining': '199' })).toEqual({
      'ratelimit-limit': '200', 'ratelimit-remaining': '199', 'ratelimit-reset': '60' });
    now += 15_000;
    expect(t.observe('a', { 'x-rate-limit-limit': '200', 'x-rate-limit-remaining': '150' })['ratelimit-reset']).toBe('45');
    now += 1_000;
    // remaining went up: a new window started
    expect(t.observe('a', { 'x-rate-limit-limit': '200', 'x-rate-limit-remaining': '199' })['ratelimit-reset']).toBe('60');
  });

  it('prefers an explicit reset or retry-after, and sends nothing when Planhat sent nothing', () => {
    const t = new RateLimitTracker(() => 0);
    expect(t.observe('b', { 'x-rate-limit-remaining': '0', 'retry-after': '17' })['ratelimit-reset']).toBe('17');
    expect(t.observe('c', {})).toEqual({});
  });
});
