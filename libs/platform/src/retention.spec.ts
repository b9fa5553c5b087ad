import { retentionCutoff } from './retention';

describe('retentionCutoff', () => {
  it('takes whole months on the calendar', () => {
    expect(retentionCutoff(new Date('2025-09-15T10:00:00Z'), 6).toISOString()).toBe('2025-03-15T10:00:00.000Z');
  });

  it('clamps to the end of a shorter month rather than rolling into the next', () => {
    expect(retentionCutoff(new Date('2025-08-31T12:00:00Z'), 6).toISOString()).toBe('2025-02-28T12:00:00.000Z');
    expect(retentionCutoff(new Date('2024-08-31T12:00:00Z'), 6).toISOString()).toBe('2024-02-29T12:00:00.000Z');
  });

  it('crosses a year', () => {
    expect(retentionCutoff(new Date('2025-02-10T00:00:00Z'), 6).toISOString()).toBe('2024-08-10T00:00:00.000Z');
  });

  it('counts a fraction as part of an average month', () => {
    const now = new Date('2025-06-01T00:00:00Z');
    const ms = now.getTime() - retentionCutoff(now, 0.0001).getTime();
    expect(Math.abs(ms - 0.0001 * (365.2425 / 12) * 86_400_000)).toBeLessThanOrEqual(1);
  });

  it('refuses a period that would delete everything', () => {
    expect(() => retentionCutoff(new Date(), 0)).toThrow();
    expect(() => retentionCutoff(new Date(), -1)).toThrow();
  });
});
