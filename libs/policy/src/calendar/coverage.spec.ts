import { shippedPolicy } from '../testing';
import { calendarCoverage } from './coverage';

describe('calendar coverage: a warning a year before the bank holidays run out', () => {
  const london = shippedPolicy('london');
  const at = (iso: string) => new Date(iso);

  it('every shipped policy lists bank holidays through 2028', () => {
    for (const name of ['london', 'sandwell', 'sefton'] as const)
      expect(calendarCoverage(shippedPolicy(name), at('2026-11-30T00:00:00Z'))).toMatchObject({
        lastYear: 2028,
        coveredUntil: '2028-12-31',
      });
  });

  it("is quiet until a year before the end, on the calendar's local day", () => {
    expect(calendarCoverage(london, at('2026-11-30T12:00:00Z')).warning).toBeUndefined();
    // 23:59 on 30 December 2027 in London is still more than a year before 31 December 2028.
    expect(calendarCoverage(london, at('2027-12-30T23:59:00Z')).warning).toBeUndefined();
  });

  it('warns from 31 December of the year before, saying when and what to add', () => {
    const w = calendarCoverage(london, at('2027-12-31T00:30:00Z')).warning;
    expect(w).toBe(
      `the bank holidays of policy ${london.version} run out on 2028-12-31 (366 days): add 2029's to the policy's calendar.bankHolidays before then`,
    );
    expect(calendarCoverage(london, at('2028-06-01T12:00:00Z')).warning).toMatch(/run out on 2028-12-31 \(213 days\)/);
    expect(calendarCoverage(london, at('2028-12-31T23:00:00Z')).warning).toMatch(/\(0 days\)/);
  });

  it("counts days in the calendar's own zone", () => {
    const tokyo = { ...london, calendar: { ...london.calendar, timezone: 'Asia/Tokyo' } };
    // 15:30 UTC on 30 December is already 31 December in Tokyo, still 30 December in London.
    expect(calendarCoverage(tokyo, at('2027-12-30T15:30:00Z')).warning).toMatch(/\(366 days\)/);
    expect(calendarCoverage(london, at('2027-12-30T15:30:00Z')).warning).toBeUndefined();
  });

  it('says so plainly once the list has run out', () => {
    expect(calendarCoverage(london, at('2029-01-01T00:00:00Z')).warning).toMatch(
      /ran out on 2028-12-31: every bank holiday since counts as a working day/,
    );
  });
});
