import { assessRepeats, monthsBefore } from '.';
import { shippedPolicy } from '@mash/policy';

const now = new Date('2026-11-30T10:00:00Z');
const trigger = shippedPolicy('sefton').repeatTrigger;

describe('assessRepeats (Sefton L218-225: three contacts in 12 months)', () => {
  it('fires on the third contact within 12 months, counting this one', () => {
    const r = assessRepeats(['2026-01-15T09:00:00Z', '2026-06-01T09:00:00Z'], now, trigger);
    expect(r).toMatchObject({ count: 3, fires: true });
    expect(r.reason).toMatch(/3 contacts in 12 months since 2025-11-30: at or over the trigger of 3/);
  });
  it('does not fire on the second', () => {
    expect(assessRepeats([new Date('2026-06-01T09:00:00Z')], now, trigger)).toMatchObject({ count: 2, fires: false });
  });
  it('ignores contacts older than the window and after now', () => {
    const r = assessRepeats(['2025-11-29T23:59:59Z', '2024-01-01T00:00:00Z', '2026-12-01T00:00:00Z', '2026-03-01T00:00:00Z'], now, trigger);
    expect(r.count).toBe(2);
    expect(r.fires).toBe(false);
  });
  it('counts a contact exactly at the window start', () => {
    expect(assessRepeats(['2025-11-30T10:00:00Z', '2026-02-01T00:00:00Z'], now, trigger).fires).toBe(true);
  });
  it('follows the policy: a trigger of 4 in 6 months', () => {
    const r = assessRepeats(['2026-07-01T00:00:00Z', '2026-08-01T00:00:00Z', '2026-09-01T00:00:00Z', '2026-04-01T00:00:00Z'], now, {
      count: 4,
      windowMonths: 6,
    });
    expect(r).toMatchObject({ count: 4, fires: true });
  });
  it('rejects a prior date that is not a date', () => {
    expect(() => assessRepeats(['yesterday'], now, trigger)).toThrow(/priorContactDates\[0\]/);
  });
  it('clamps month arithmetic at the end of a month', () => {
    expect(monthsBefore(new Date('2028-05-31T12:00:00Z'), 3).toISOString()).toBe('2028-02-29T12:00:00.000Z');
    expect(monthsBefore(new Date('2027-01-15T00:00:00Z'), 12).toISOString()).toBe('2026-01-15T00:00:00.000Z');
  });
});
