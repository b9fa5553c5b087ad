import fc from 'fast-check';
import type { Receipt } from './channel';
import { afterAttempt, backoffMs, DEFAULT_RETRY_POLICY, nextAttemptAt } from './retry';

const failure = (retryable: boolean): Receipt => ({
  channel: 'webhook',
  status: 'failed',
  at: '2026-11-21T10:00:00.000Z',
  detail: 'HTTP 503',
  retryable,
});
const NOW = new Date('2026-11-21T10:00:00Z');

describe('back-off', () => {
  it('doubles from the base, with the random half between half and all of the ceiling', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, 1000, 60_000, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((a) => backoffMs(a, 1000, 60_000, () => 1))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('never exceeds the cap, never falls below half of it once reached, and survives huge attempt numbers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, base, max, r) => {
          const d = backoffMs(attempt, base, max, () => r);
          const ceiling = Math.min(max, base * 2 ** Math.min(attempt - 1, 52));
          return Number.isFinite(d) && d <= Math.round(ceiling) && d >= Math.floor(ceiling / 2);
        },
      ),
    );
  });

  it('spreads notices that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffMs(5, 30_000, 1_800_000)));
    expect(delays.size).toBeGreaterThan(10);
  });

  it('refuses attempt numbers that are not positive integers', () => {
    expect(() => backoffMs(0, 1000, 2000)).toThrow(RangeError);
    expect(() => backoffMs(1.5, 1000, 2000)).toThrow(RangeError);
  });

  it('nextAttemptAt is now plus the delay', () => {
    expect(nextAttemptAt(3, 1000, 60_000, NOW, () => 1).toISOString()).toBe('2026-11-21T10:00:04.000Z');
  });
});

describe('after an attempt', () => {
  const policy = { maxAttempts: 3, baseMs: 1000, maxMs: 10_000 };

  it('is done when delivered or when there is no channel', () => {
    expect(afterAttempt({ ...failure(true), status: 'delivered' }, 1, policy, NOW)).toEqual({ action: 'done' });
    expect(afterAttempt({ channel: 'none', status: 'no-channel', at: NOW.toISOString(), retryable: false }, 1, policy, NOW)).toEqual({
      action: 'done',
    });
  });

  it('retries a retryable failure until maxAttempts, then dead-letters it', () => {
    expect(afterAttempt(failure(true), 1, policy, NOW, () => 0)).toEqual({ action: 'retry', at: new Date(NOW.getTime() + 500) });
    expect(afterAttempt(failure(true), 2, policy, NOW).action).toBe('retry');
    expect(afterAttempt(failure(true), 3, policy, NOW)).toEqual({ action: 'dead-letter', reason: 'gave up after 3 attempts: HTTP 503' });
  });

  it('dead-letters a permanent failure at once', () => {
    expect(afterAttempt(failure(false), 1, policy, NOW)).toEqual({ action: 'dead-letter', reason: 'permanent failure: HTTP 503' });
  });

  it('default policy gives up within a working day', () => {
    let total = 0;
    for (let a = 1; a < DEFAULT_RETRY_POLICY.maxAttempts; a++)
      total += backoffMs(a, DEFAULT_RETRY_POLICY.baseMs, DEFAULT_RETRY_POLICY.maxMs, () => 1);
    expect(total).toBeLessThan(4 * 3_600_000);
  });
});
