import fc from 'fast-check';
import { addWorkingTime, agencyCalendar, shippedPolicy, WorkingCalendar, workingTimeBetween } from '@mash/policy';
import { elapsedTime, PointInWindow } from './schedule';
import { workingTimePoint } from './workingHours';

/**
 * The oracle: how reminder points were found before workingTimeBetween, by bisection on
 * addWorkingTime (up to 60 calls per point). Kept here only to show the direct count agrees.
 */
function bisectedHoursBetween(start: Date, end: Date, calendar: WorkingCalendar): number {
  let lo = 0;
  let hi = Math.max(0, (end.getTime() - start.getTime()) / 3_600_000);
  for (let i = 0; i < 60 && hi - lo > 1e-5; i++) {
    const mid = (lo + hi) / 2;
    if (addWorkingTime(start, mid, 'working-hours', calendar).getTime() < end.getTime()) lo = mid;
    else hi = mid;
  }
  return lo;
}

function bisectedPoint(calendar: WorkingCalendar): PointInWindow {
  return (start, end, fraction) => {
    const total = bisectedHoursBetween(start, end, calendar);
    if (total < 1) return elapsedTime(start, end, fraction);
    const point = Math.round(addWorkingTime(start, total * fraction, 'working-hours', calendar).getTime() / 60_000) * 60_000;
    return new Date(Math.min(point, end.getTime()));
  };
}

const HOUR = 3_600_000;
const TOLERANCE = 1e-5; // hours: where the bisection stopped
const london = shippedPolicy('london');
// Lancashire police on 7-day hours, 8-5, with the locality's bank holidays.
const sevenDay = agencyCalendar(
  {
    ...london,
    agencies: london.agencies.map((a) =>
      a.id === 'police'
        ? {
            ...a,
            workingTime: { workingDays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'], workingHours: { start: '08:00', end: '17:00' } },
          }
        : a,
    ),
  },
  'police',
);
const calendars = fc.constantFrom(london.calendar, sevenDay);

const edges = [
  '2026-03-29T01:00:00Z',
  '2026-10-25T01:00:00Z',
  '2027-03-28T01:00:00Z',
  '2027-10-31T01:00:00Z',
  ...london.calendar.bankHolidays.map((h) => `${h.date}T00:00:00Z`),
].map(Date.parse);
const nearEdges = fc.tuple(fc.constantFrom(...edges), fc.integer({ min: -4 * 24 * HOUR, max: 4 * 24 * HOUR }));
/** To the ms anywhere, to the ms near a clock change or bank holiday, and on the minute there (as requests are). */
const starts = fc.oneof(
  fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2028-10-31T00:00:00Z'), noInvalidDate: true }),
  nearEdges.map(([edge, offset]) => new Date(edge + offset)),
  nearEdges.map(([edge, offset]) => new Date(edge + Math.round(offset / 60_000) * 60_000)),
);
/** Windows up to ten days, to the ms or in whole minutes. */
const gaps = fc.oneof(
  fc.integer({ min: 0, max: 10 * 24 * HOUR }),
  fc.integer({ min: 0, max: 10 * 24 * 60 }).map((m) => m * 60_000),
);

describe('working hours between two instants, against the bisection it replaced', () => {
  it('agrees within the bisection tolerance, across weekends, bank holidays and both clock changes', () => {
    fc.assert(
      fc.property(starts, gaps, calendars, (start, gap, calendar) => {
        const end = new Date(start.getTime() + gap);
        return (
          // The bisection stops within its tolerance of an end that addWorkingTime rounds to the ms.
          Math.abs(workingTimeBetween(start, end, 'working-hours', calendar) - bisectedHoursBetween(start, end, calendar)) <=
          TOLERANCE + 1 / HOUR
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('puts every reminder and escalation on the same minute, except where the bisection was off by its tolerance', () => {
    // The bisection's total was up to 1e-5 h (36 ms) short of the true one. That moves a point only
    // when the exact point lies within 36 ms of a half minute (rounding then goes the other way), or
    // when the window has exactly one working hour (the bisection made it "under an hour").
    let differed = 0;
    fc.assert(
      fc.property(starts, gaps, calendars, fc.constantFrom(0.5, 0.8, 1), (start, gap, calendar, fraction) => {
        const end = new Date(start.getTime() + gap);
        const now = workingTimePoint(calendar)(start, end, fraction).getTime();
        const before = bisectedPoint(calendar)(start, end, fraction).getTime();
        if (now === before) return true;
        differed++;
        const total = workingTimeBetween(start, end, 'working-hours', calendar);
        const oneHour = Math.abs(total - 1) <= TOLERANCE && bisectedHoursBetween(start, end, calendar) < 1;
        const exact = addWorkingTime(start, total * fraction, 'working-hours', calendar).getTime();
        const halfMinute = Math.abs((exact % 60_000) - 30_000) <= TOLERANCE * HOUR + 1 && Math.abs(now - before) <= 60_000;
        return oneHour || halfMinute;
      }),
      { numRuns: 3000 },
    );
    expect(differed).toBeLessThan(3000 * 0.05);
  });
});

describe('working hours between, as the inverse of addWorkingTime', () => {
  it('gives back the working hours added, to the ms, on both calendars', () => {
    fc.assert(
      fc.property(starts, fc.integer({ min: 0, max: 120 * HOUR }), calendars, (start, ms, calendar) => {
        const h = ms / HOUR;
        return (
          Math.round(workingTimeBetween(start, addWorkingTime(start, h, 'working-hours', calendar), 'working-hours', calendar) * HOUR) ===
          ms
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('never decreases as the end moves later', () => {
    fc.assert(
      fc.property(starts, gaps, gaps, calendars, (start, g1, g2, calendar) => {
        const [a, b] = g1 <= g2 ? [g1, g2] : [g2, g1];
        const s = start.getTime();
        return (
          workingTimeBetween(start, new Date(s + a), 'working-hours', calendar) <=
          workingTimeBetween(start, new Date(s + b), 'working-hours', calendar)
        );
      }),
      { numRuns: 2000 },
    );
  });
});
