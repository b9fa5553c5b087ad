import { agencyCalendar, parsePolicy, PolicyError, shippedPolicy, Weekday, workingTimeBetween } from '@mash/policy';
import { elapsedTime } from './schedule';
import { policyAgencyCalendar, workingTimePoint } from './workingHours';

const calendar = shippedPolicy('london').calendar;
const point = workingTimePoint(calendar);

describe('reminder points on the working calendar', () => {
  it('puts half of an Amber day set at 16:00 on a Thursday at noon on Friday, not in the night', () => {
    const start = new Date('2026-11-26T16:00:00Z'); // Thursday, GMT
    const end = new Date('2026-11-27T16:00:00Z');
    expect(workingTimeBetween(start, end, 'working-hours', calendar)).toBe(8);
    expect(point(start, end, 0.5).toISOString()).toBe('2026-11-27T12:00:00.000Z');
    expect(elapsedTime(start, end, 0.5).toISOString()).toBe('2026-11-27T04:00:00.000Z');
  });

  it('measures a Red window over a Saturday night in elapsed time', () => {
    const start = new Date('2026-11-28T23:00:00Z');
    const end = new Date('2026-11-29T03:00:00Z');
    expect(point(start, end, 0.5).toISOString()).toBe('2026-11-29T01:00:00.000Z');
  });

  it('keeps a window of exactly one working hour on the working clock, and one just under it in elapsed time', () => {
    // Wednesday 16:00-19:00 GMT holds one working hour, 16:00-17:00. The old bisection stopped up to
    // 36 ms short of it and so called it "under an hour" (reminder at 17:30, after closing).
    const end = new Date('2026-01-14T19:00:00Z');
    expect(point(new Date('2026-01-14T16:00:00Z'), end, 0.5).toISOString()).toBe('2026-01-14T16:30:00.000Z');
    expect(point(new Date('2026-01-14T16:00:01Z'), end, 0.5).toISOString()).toBe('2026-01-14T17:30:00.500Z');
  });

  it('never puts a point after the window', () => {
    const start = new Date('2026-11-26T09:00:00Z');
    const end = new Date('2026-11-30T12:00:00Z');
    for (const f of [0.5, 0.8, 1]) expect(point(start, end, f).getTime()).toBeLessThanOrEqual(end.getTime());
  });
});

describe('each agency on its own working week', () => {
  // Lancashire police work 7 days, 8-5; the school keeps the locality's Mon-Fri 9-5.
  const london = shippedPolicy('london');
  const policy = {
    ...london,
    agencies: london.agencies.map((a) =>
      a.id === 'police'
        ? {
            ...a,
            workingTime: {
              workingDays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as Weekday[],
              workingHours: { start: '08:00', end: '17:00' },
            },
          }
        : a,
    ),
  };
  const clockFor = policyAgencyCalendar(policy);
  const start = new Date('2026-11-27T16:00:00Z'); // Friday
  const end = new Date('2026-11-30T16:00:00Z'); // Monday

  it('reminds police half way through their weekend working and the school on Monday', () => {
    expect(clockFor('police')(start, end, 0.5).toISOString()).toBe('2026-11-29T11:30:00.000Z');
    expect(clockFor('education')(start, end, 0.5).toISOString()).toBe('2026-11-30T12:00:00.000Z');
  });

  it('keeps the locality calendar for an agency without hours of its own', () => {
    expect(agencyCalendar(policy, 'health')).toBe(policy.calendar);
    expect(agencyCalendar(policy, 'police').workingDays).toHaveLength(7);
    expect(agencyCalendar(policy, 'police').bankHolidays).toBe(policy.calendar.bankHolidays);
  });

  it('is part of the validated policy file: a bad hour is a named error', () => {
    expect(parsePolicy(JSON.parse(JSON.stringify(policy))).agencies.find((a) => a.id === 'police')?.workingTime?.workingHours.start).toBe(
      '08:00',
    );
    const broken = JSON.parse(JSON.stringify(policy));
    broken.agencies.find((a: { id: string }) => a.id === 'police').workingTime.workingHours.start = '8am';
    let error: PolicyError | undefined;
    try {
      parsePolicy(broken);
    } catch (e) {
      error = e as PolicyError;
    }
    expect(error?.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: expect.stringMatching(/workingTime\/workingHours\/start$/), rule: 'pattern' }),
      ]),
    );
  });
});
