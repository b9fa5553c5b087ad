import { shippedPolicy } from '@mash/policy';
import { parseAgencyBehaviour, replyTime } from '../../scripts/simulate/actors';
import { prng } from '@mash/contracts/examples/seededRandom';
import { arrivalTimes, PROFILES } from '../../scripts/simulate/profiles';
import { figures, SimRecords, workingDaysBetween } from '../../scripts/simulate/report';

/**
 * The report's arithmetic against figures worked out by hand (docs/simulation.md). London calendar:
 * 09:00-17:00 Europe/London on weekdays; Monday 31 August 2026 is a bank holiday; BST is UTC+1.
 */
const london = shippedPolicy('london').calendar;
const t = (iso: string) => Date.parse(iso);

describe('simulation report', () => {
  it('counts working days as the reports do: nights, weekends and bank holidays do not count', () => {
    // Friday 15:00 to Tuesday 15:00 across the bank holiday: Friday 2 h + Tuesday 6 h = one working day.
    expect(workingDaysBetween(t('2026-08-28T14:00:00Z'), t('2026-09-01T14:00:00Z'), london)).toBeCloseTo(1, 6);
    // Sunday 02:00 to 06:00: no working time at all.
    expect(workingDaysBetween(t('2026-08-30T01:00:00Z'), t('2026-08-30T05:00:00Z'), london)).toBe(0);
    // Monday 09:00 to 13:00: half a day.
    expect(workingDaysBetween(t('2026-06-01T08:00:00Z'), t('2026-06-01T12:00:00Z'), london)).toBeCloseTo(0.5, 6);
  });

  it('gives each figure by rating and for all cases', () => {
    const records: SimRecords = {
      policy: 'policies/london.json',
      calendar: london,
      cases: [
        // Red at 02:00 on a Sunday: ready at its 06:00 deadline with health missing, decided at 06:40.
        {
          caseId: 'R1',
          rating: 'RED',
          receivedAt: t('2026-08-30T01:00:00Z'),
          deadline: t('2026-08-30T05:00:00Z'),
          readyAt: t('2026-08-30T05:00:00Z'),
          missingAtReady: ['health'],
          decidedAt: t('2026-08-30T05:40:00Z'),
        },
        // Red on a Monday at 09:00: ready at 10:00, decided at 10:30 (1.5 working hours).
        {
          caseId: 'R2',
          rating: 'RED',
          receivedAt: t('2026-06-01T08:00:00Z'),
          deadline: t('2026-06-01T12:00:00Z'),
          readyAt: t('2026-06-01T09:00:00Z'),
          missingAtReady: [],
          decidedAt: t('2026-06-01T09:30:00Z'),
        },
        // Amber on Friday 15:00 before the bank holiday, decided exactly at its Tuesday 15:00 deadline.
        {
          caseId: 'A1',
          rating: 'AMBER',
          receivedAt: t('2026-08-28T14:00:00Z'),
          deadline: t('2026-09-01T14:00:00Z'),
          readyAt: t('2026-08-28T16:00:00Z'),
          missingAtReady: [],
          decidedAt: t('2026-09-01T14:00:00Z'),
        },
        { caseId: 'G1', rating: 'GREEN', receivedAt: t('2026-06-02T08:00:00Z'), deadline: t('2026-06-05T08:00:00Z') },
      ],
      requests: [
        {
          requestId: 'r1',
          caseId: 'R1',
          agency: 'health',
          requestedAt: t('2026-08-30T01:00:00Z'),
          dueAt: t('2026-08-30T04:00:00Z'),
          reminders: [t('2026-08-30T02:30:00Z')],
        },
        {
          requestId: 'r2',
          caseId: 'R1',
          agency: 'police',
          requestedAt: t('2026-08-30T01:00:00Z'),
          dueAt: t('2026-08-30T04:00:00Z'),
          repliedAt: t('2026-08-30T03:00:00Z'),
          reminders: [],
        },
        {
          requestId: 'r3',
          caseId: 'A1',
          agency: 'police',
          requestedAt: t('2026-08-28T14:00:00Z'),
          dueAt: t('2026-08-28T15:30:00Z'),
          repliedAt: t('2026-08-28T15:45:00Z'),
          reminders: [],
        },
        // Not overdue: its case was ready before the request fell due.
        {
          requestId: 'r4',
          caseId: 'R2',
          agency: 'education',
          requestedAt: t('2026-06-01T08:00:00Z'),
          dueAt: t('2026-06-01T11:00:00Z'),
          reminders: [],
        },
      ],
      referrers: [
        { contactId: 'c1', caseId: 'R1', hasChannel: true, outcomeStatus: 'delivered', outcomeAt: t('2026-08-30T05:40:30Z') },
        { contactId: 'c2', caseId: 'R2', hasChannel: true, outcomeStatus: 'delivered', outcomeAt: t('2026-06-01T09:32:00Z') },
        { contactId: 'c3', caseId: 'A1', hasChannel: false, outcomeStatus: 'no-channel', outcomeAt: t('2026-09-01T14:00:00Z') },
        { contactId: 'c4', caseId: 'G1', hasChannel: true },
        // A second report of R1 sent an hour after its decision, told 30 s after it arrived: in time.
        {
          contactId: 'c5',
          caseId: 'R1',
          hasChannel: true,
          sentAt: t('2026-08-30T06:40:00Z'),
          outcomeStatus: 'delivered',
          outcomeAt: t('2026-08-30T06:40:30Z'),
        },
      ],
    };
    const [red, amber, green, all] = figures(records);
    expect(red).toEqual({
      rating: 'RED',
      cases: 2,
      readyInTime: 2,
      decidedInTime: 1,
      decided: 2,
      medianWorkingDays: 0,
      p90WorkingDays: expect.closeTo(1.5 / 8, 6),
      overdueRequests: 1,
      chasedBeforeDue: 1,
      ready: 2,
      readyWithMissing: 1,
      referrersWithChannel: 3,
      toldWithinMinute: 2,
      noChannel: 0,
    });
    expect(amber).toEqual({
      rating: 'AMBER',
      cases: 1,
      readyInTime: 1,
      decidedInTime: 1,
      decided: 1,
      medianWorkingDays: expect.closeTo(1, 6),
      p90WorkingDays: expect.closeTo(1, 6),
      overdueRequests: 1,
      chasedBeforeDue: 0,
      ready: 1,
      readyWithMissing: 0,
      referrersWithChannel: 0,
      toldWithinMinute: 0,
      noChannel: 1,
    });
    expect(green).toEqual({
      rating: 'GREEN',
      cases: 1,
      readyInTime: 0,
      decidedInTime: 0,
      decided: 0,
      medianWorkingDays: null,
      p90WorkingDays: null,
      overdueRequests: 0,
      chasedBeforeDue: 0,
      ready: 0,
      readyWithMissing: 0,
      referrersWithChannel: 0,
      toldWithinMinute: 0,
      noChannel: 0,
    });
    expect(all).toEqual({
      rating: 'ALL',
      cases: 4,
      readyInTime: 3,
      decidedInTime: 2,
      decided: 3,
      medianWorkingDays: expect.closeTo(1.5 / 8, 6),
      p90WorkingDays: expect.closeTo(1, 6),
      overdueRequests: 2,
      chasedBeforeDue: 1,
      ready: 3,
      readyWithMissing: 1,
      referrersWithChannel: 3,
      toldWithinMinute: 2,
      noChannel: 1,
    });
  });

  it('draws a month of Blackburn within its 550-950 contacts, weekdays busier than weekends', () => {
    const start = new Date('2026-06-01T00:00:00Z');
    const times = arrivalTimes(PROFILES.blackburn!, start, 30, prng(11));
    expect(times.length).toBeGreaterThanOrEqual(550);
    expect(times.length).toBeLessThanOrEqual(950);
    expect(times.every((x, i) => x >= start.getTime() && x < start.getTime() + 30 * 86_400_000 && (i === 0 || x >= times[i - 1]!))).toBe(
      true,
    );
    const day = (x: number) => new Date(x).getUTCDay();
    const weekend = times.filter((x) => day(x) === 0 || day(x) === 6).length / 8; // 8 weekend days in June 2026 from the 1st for 30 days
    const weekday = times.filter((x) => day(x) !== 0 && day(x) !== 6).length / 22;
    expect(weekday).toBeGreaterThan(1.5 * weekend);
  });

  it('makes agencies silent, late or on time in the shares asked, and refuses a bad share naming it', () => {
    const rng = prng(5);
    const b = parseAgencyBehaviour('health=silence:0.3/late:0.2', { silence: 0, late: 0 });
    expect(b('police')).toEqual({ silence: 0, late: 0 });
    const outcomes = Array.from({ length: 4000 }, () => replyTime(0, 3_600_000, b('health'), rng));
    const silent = outcomes.filter((x) => x === null).length / outcomes.length;
    const late = outcomes.filter((x) => x !== null && x > 3_600_000).length / outcomes.length;
    expect(silent).toBeGreaterThan(0.26);
    expect(silent).toBeLessThan(0.34);
    expect(late).toBeGreaterThan(0.16);
    expect(late).toBeLessThan(0.24);
    expect(outcomes.filter((x) => x !== null && x <= 3_600_000).every((x) => x! >= 0.2 * 3_600_000)).toBe(true);
    expect(() => parseAgencyBehaviour('health=silence:2', { silence: 0, late: 0 })).toThrow(
      /'silence:2' for health must be silence:<0..1>/,
    );
  });
});
