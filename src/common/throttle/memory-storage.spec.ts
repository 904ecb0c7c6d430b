import { BoundedThrottlerStorage } from './memory-storage';

describe('BoundedThrottlerStorage', () => {
  it('counts per key in a window, blocks beyond the limit until the block ends, then starts a new window', async () => {
    let now = 1_000_000;
    const s = new BoundedThrottlerStorage(10, () => now);
    for (let i = 1; i <= 3; i++) expect((await s.increment('a', 60_000, 3, 60_000, 'token')).isBlocked).toBe(false);
    const blocked = await s.increment('a', 60_000, 3, 60_000, 'token');
    expect(blocked).toMatchObject({ isBlocked: true, timeToBlockExpire: 60 });
    now += 30_000;
    expect(await s.increment('a', 60_000, 3, 60_000, 'token')).toMatchObject({
      isBlocked: true,
      timeToBlockExpire: 30,
    });
    // another budget with the same id counts apart
    expect((await s.increment('a', 60_000, 3, 60_000, 'account')).isBlocked).toBe(false);
    now += 30_000;
    expect(await s.increment('a', 60_000, 3, 60_000, 'token')).toMatchObject({ isBlocked: false, totalHits: 1 });
  });

  it('keeps at most maxKeys counters: the least recently used go first, a hit key stays blocked', async () => {
    const now = 0;
    const s = new BoundedThrottlerStorage(3, () => now);
    for (let i = 0; i < 2; i++) await s.increment('flooder', 60_000, 1, 60_000, 'address');
    expect((await s.increment('flooder', 60_000, 1, 60_000, 'address')).isBlocked).toBe(true);
    for (let i = 0; i < 50; i++) {
      await s.increment(`random-${i}`, 60_000, 1, 60_000, 'address');
      // the blocked client keeps calling: it stays recent, so it stays blocked
      if (i % 2 === 0) expect((await s.increment('flooder', 60_000, 1, 60_000, 'address')).isBlocked).toBe(true);
      expect(s.size).toBeLessThanOrEqual(3);
    }
    // an evicted key starts afresh
    expect(await s.increment('random-0', 60_000, 1, 60_000, 'address')).toMatchObject({
      isBlocked: false,
      totalHits: 1,
    });
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new BoundedThrottlerStorage(0)).toThrow(/THROTTLE_MEMORY_KEYS/);
    expect(() => new BoundedThrottlerStorage(Number.NaN)).toThrow(/THROTTLE_MEMORY_KEYS/);
  });
});
