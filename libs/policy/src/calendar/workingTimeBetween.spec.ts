import fc from 'fast-check';
import { addWorkingTime, ClockUnit, workingDayHours, workingTimeBetween } from '.';
import { shippedPolicy } from '../testing';
import type { WorkingCalendar } from '../types';

const london = shippedPolicy('london').calendar;
// An agency on 7-day hours (Lancashire police, 8-5), keeping the locality's bank holidays.
const sevenDay: WorkingCalendar = {
  ...london,
  workingDays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
  workingHours: { start: '08:00', end: '17:00' },
};
const at = (iso: string) => new Date(iso);
const HOUR = 3_600_000;

/**
 * Random instants: to the ms anywhere, to the ms within four days of a clock change or a bank
 * holiday, and on the hour there (so that windows open and close exactly on them).
 */
const edges = [
  '2026-03-29T01:00:00Z',
  '2026-10-25T01:00:00Z',
  '2027-03-28T01:00:00Z',
  '2027-10-31T01:00:00Z',
  ...london.bankHolidays.map((h) => `${h.date}T00:00:00Z`),
].map(Date.parse);
const nearEdges = fc.tuple(fc.constantFrom(...edges), fc.integer({ min: -4 * 24 * HOUR, max: 4 * 24 * HOUR }));
const instants = fc.oneof(
  fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2028-10-31T00:00:00Z'), noInvalidDate: true }),
  nearEdges.map(([edge, offset]) => new Date(edge + offset)),
  nearEdges.map(([edge, offset]) => new Date(edge + Math.round(offset / HOUR) * HOUR)),
);
const amountsMs = fc.oneof(
  fc.integer({ min: 0, max: 200 * HOUR }),
  fc.integer({ min: 0, max: 200 }).map((h) => h * HOUR),
);
const calendars = fc.constantFrom(london, sevenDay);
const units = fc.constantFrom<ClockUnit>('working-hours', 'working-days', 'hours-on-working-days', 'hours');

describe('workingTimeBetween', () => {
  it('counts the working hours of an Amber day set at 16:00 on a Thursday', () => {
    expect(workingTimeBetween(at('2026-11-26T16:00:00Z'), at('2026-11-27T16:00:00Z'), 'working-hours', london)).toBe(8);
    expect(workingTimeBetween(at('2026-11-26T16:00:00Z'), at('2026-11-27T16:00:00Z'), 'working-days', london)).toBe(1);
    expect(workingTimeBetween(at('2026-11-26T16:00:00Z'), at('2026-11-27T16:00:00Z'), 'hours', london)).toBe(24);
    expect(workingTimeBetween(at('2026-11-30T09:00:00Z'), at('2026-11-30T17:00:00Z'), 'working-hours', london)).toBe(8);
  });

  it('skips weekends and bank holidays, and counts both clock changes in real hours', () => {
    // Thu 25 Mar 2027 15:00 GMT: 2h; Good Friday, weekend (clocks forward) and Easter Monday skipped; Tue 09:00-11:00 BST.
    expect(workingTimeBetween(at('2027-03-25T15:00:00Z'), at('2027-03-30T10:00:00Z'), 'working-hours', london)).toBe(4);
    // Fri 23 Oct 2026 15:00 BST: 2h; clocks go back Sunday; Mon 09:00-11:00 GMT.
    expect(workingTimeBetween(at('2026-10-23T14:00:00Z'), at('2026-10-26T11:00:00Z'), 'working-hours', london)).toBe(4);
    // Fri 10:00 to Mon 10:00, midnight to midnight on working days only.
    expect(workingTimeBetween(at('2026-11-27T10:00:00Z'), at('2026-11-30T10:00:00Z'), 'hours-on-working-days', london)).toBe(24);
    // The 7-day agency works the weekend: Fri 16:00-17:00, Sat 9h, Sun 9h, Mon 08:00-16:00.
    expect(workingTimeBetween(at('2026-11-27T16:00:00Z'), at('2026-11-30T16:00:00Z'), 'working-hours', sevenDay)).toBe(27);
  });

  it('is zero for an empty, reversed or out-of-hours window, and rejects an invalid date', () => {
    expect(workingTimeBetween(at('2026-11-30T10:00:00Z'), at('2026-11-30T10:00:00Z'), 'working-hours', london)).toBe(0);
    expect(workingTimeBetween(at('2026-11-30T10:00:00Z'), at('2026-11-30T09:00:00Z'), 'working-hours', london)).toBe(0);
    expect(workingTimeBetween(at('2026-11-30T10:00:00Z'), at('2026-11-30T09:00:00Z'), 'hours', london)).toBe(0);
    expect(workingTimeBetween(at('2026-11-28T10:00:00Z'), at('2026-11-29T22:00:00Z'), 'working-hours', london)).toBe(0);
    expect(() => workingTimeBetween(at('2026-11-30T10:00:00Z'), new Date(NaN), 'working-hours', london)).toThrow(RangeError);
  });

  it('is the inverse of addWorkingTime, to the millisecond', () => {
    fc.assert(
      fc.property(instants, amountsMs, units, calendars, (start, ms, unit, calendar) => {
        const amount = ms / HOUR;
        const back = workingTimeBetween(start, addWorkingTime(start, amount, unit, calendar), unit, calendar);
        const unitMs = (unit === 'working-days' ? workingDayHours(calendar) : 1) * HOUR;
        return Math.round(back * unitMs) === Math.round(amount * unitMs);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives back an end out of hours as the close of the last window before it, and an end in hours exactly', () => {
    fc.assert(
      fc.property(instants, instants, units, calendars, (a, b, unit, calendar) => {
        const [start, end] = a <= b ? [a, b] : [b, a];
        const h = workingTimeBetween(start, end, unit, calendar);
        const reached = addWorkingTime(start, h, unit, calendar).getTime();
        // Not past the end, and no counted time between where it stops and the end.
        return reached <= end.getTime() && workingTimeBetween(new Date(reached), end, unit, calendar) === 0;
      }),
      { numRuns: 1000 },
    );
  });

  it('adds up over consecutive windows and never decreases as the end moves later', () => {
    fc.assert(
      fc.property(instants, instants, instants, units, calendars, (x, y, z, unit, calendar) => {
        const [a, b, c] = [x, y, z].sort((p, q) => p.getTime() - q.getTime());
        const ab = workingTimeBetween(a, b, unit, calendar);
        const bc = workingTimeBetween(b, c, unit, calendar);
        const ac = workingTimeBetween(a, c, unit, calendar);
        return ab <= ac && bc <= ac && Math.abs(ab + bc - ac) * HOUR < 1e-3;
      }),
      { numRuns: 1000 },
    );
  });
});
