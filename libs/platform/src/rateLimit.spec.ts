import { RateLimiter } from './rateLimit';

describe('RateLimiter', () => {
  it('allows the burst, then refuses until tokens refill', () => {
    const r = new RateLimiter(1, 2);
    expect([r.take('a', 0), r.take('a', 0), r.take('a', 0)]).toEqual([true, true, false]);
    expect(r.take('a', 1000)).toBe(true);
    expect(r.take('b', 1000)).toBe(true);
  });

  it('keeps at most maxKeys buckets however many senders there are', () => {
    const r = new RateLimiter(1, 5, 100);
    for (let i = 0; i < 10_000; i++) r.take(`10.0.${i >> 8}.${i & 255}`, 0);
    expect(r.size).toBeLessThanOrEqual(100);
  });

  it('drops refilled buckets first, then the least recently used, never the flooder just seen', () => {
    const r = new RateLimiter(1, 2, 4);
    r.take('old', 0);
    r.take('x', 5000);
    r.take('y', 5000);
    for (let i = 0; i < 2; i++) r.take('flooder', 5000);
    r.take('z', 5000); // five buckets: 'old' has refilled and goes, then 'x', the least recently used
    expect(r.size).toBe(3);
    expect(r.take('flooder', 5000)).toBe(false);
  });
});
