import fc from 'fast-check';
import { addWorkingTime, deadlineFor, isWorkingTime, pointInTimescale, workingDayHours } from '.';
import { shippedPolicy } from '../testing';
import { instantAt, dayNumberOf, offsetMinutes } from './zonedTime';

const london = shippedPolicy('london');
const sandwell = shippedPolicy('sandwell');
const sefton = shippedPolicy('sefton');
const cal = london.calendar;
const at = (iso: string) => new Date(iso);

describe('zoned time (Europe/London through Intl)', () => {
  it('knows GMT in winter and BST in summer', () => {
    expect(offsetMinutes(Date.parse('2027-01-15T12:00:00Z'), 'Europe/London')).toBe(0);
    expect(offsetMinutes(Date.parse('2027-07-15T12:00:00Z'), 'Europe/London')).toBe(60);
  });
  it('resolves a wall time on either side of both clock changes', () => {
    // 28 March 2027: clocks go forward at 01:00 GMT; 31 October 2027: back at 01:00 GMT.
    expect(new Date(instantAt(dayNumberOf('2027-03-28'), 9 * 60, 'Europe/London')).toISOString()).toBe('2027-03-28T08:00:00.000Z');
    expect(new Date(instantAt(dayNumberOf('2027-03-27'), 9 * 60, 'Europe/London')).toISOString()).toBe('2027-03-27T09:00:00.000Z');
    expect(new Date(instantAt(dayNumberOf('2027-10-31'), 9 * 60, 'Europe/London')).toISOString()).toBe('2027-10-31T09:00:00.000Z');
    expect(new Date(instantAt(dayNumberOf('2027-10-30'), 9 * 60, 'Europe/London')).toISOString()).toBe('2027-10-30T08:00:00.000Z');
  });
  it('moves a wall time in the spring gap forward and takes the second of an autumn repeat', () => {
    expect(new Date(instantAt(dayNumberOf('2027-03-28'), 90, 'Europe/London')).toISOString()).toBe('2027-03-28T01:30:00.000Z');
    expect(new Date(instantAt(dayNumberOf('2027-10-31'), 90, 'Europe/London')).toISOString()).toBe('2027-10-31T01:30:00.000Z');
  });
});

describe('deadlineFor on the London template (L4190-4196)', () => {
  it('Green at 16:00 on the Thursday before Easter 2027 lands after Easter Monday, in BST', () => {
    const d = deadlineFor('GREEN', at('2027-03-25T16:00:00Z'), london);
    // Thu 1h, Good Friday and Easter Monday skipped, Tue 8h, Wed 8h, Thu 7h -> Thu 1 April 16:00 BST.
    expect(d.toISOString()).toBe('2027-04-01T15:00:00.000Z');
    expect(d.getTime()).toBeGreaterThan(Date.parse('2027-03-29T23:00:00Z'));
  });
  it('Red at 23:00 on a Saturday runs through the night: 4 elapsed hours (L4192)', () => {
    expect(deadlineFor('RED', at('2026-11-28T23:00:00Z'), london).toISOString()).toBe('2026-11-29T03:00:00.000Z');
  });
  it('Red across the spring clock change is 4 real hours, 5 on the wall clock', () => {
    expect(deadlineFor('RED', at('2027-03-28T00:00:00Z'), london).toISOString()).toBe('2027-03-28T04:00:00.000Z');
  });
  it('Amber from Friday 16:00 is due Monday 16:00 (1 working day, L4194)', () => {
    expect(deadlineFor('AMBER', at('2026-11-27T16:00:00Z'), london).toISOString()).toBe('2026-11-30T16:00:00.000Z');
  });
  it('Amber received on a Saturday starts counting at Monday 09:00', () => {
    expect(deadlineFor('AMBER', at('2026-11-28T10:00:00Z'), london).toISOString()).toBe('2026-11-30T17:00:00.000Z');
  });
  it('Amber skips the Early May bank holiday 2026', () => {
    // Fri 1 May 10:00 BST: 7h on Friday, Monday 4 May is a bank holiday, 1h on Tuesday.
    expect(deadlineFor('AMBER', at('2026-05-01T09:00:00Z'), london).toISOString()).toBe('2026-05-05T09:00:00.000Z');
  });
  it('Green over Christmas 2027 skips both substitute days', () => {
    // Fri 24 Dec 12:00: 5h; 27 and 28 Dec are substitute days; Wed 8h, Thu 8h, Fri 31 Dec 3h.
    expect(deadlineFor('GREEN', at('2027-12-24T12:00:00Z'), london).toISOString()).toBe('2027-12-31T12:00:00.000Z');
  });
});

describe('addWorkingTime', () => {
  it('counts working hours across the autumn clock change', () => {
    // Fri 23 Oct 2026 15:00 BST: 2h on Friday; clocks go back Sunday 25th; 2h on Monday -> 11:00 GMT.
    expect(addWorkingTime(at('2026-10-23T14:00:00Z'), 4, 'working-hours', cal).toISOString()).toBe('2026-10-26T11:00:00.000Z');
  });
  it('counts working hours across the spring clock change', () => {
    // Fri 26 Mar 2027 is Good Friday; Thu 25th 15:00 GMT: 2h; Tue 30th (BST) 09:00 + 2h = 11:00 BST.
    expect(addWorkingTime(at('2027-03-25T15:00:00Z'), 4, 'working-hours', cal).toISOString()).toBe('2027-03-30T10:00:00.000Z');
  });
  it('ends exactly at close when the hours run out at 17:00', () => {
    expect(addWorkingTime(at('2026-11-30T09:00:00Z'), 8, 'working-hours', cal).toISOString()).toBe('2026-11-30T17:00:00.000Z');
  });
  it("counts a working day as the calendar's working hours", () => {
    expect(workingDayHours(cal)).toBe(8);
    expect(addWorkingTime(at('2026-11-30T13:00:00Z'), 0.5, 'working-days', cal).toISOString()).toBe('2026-11-30T17:00:00.000Z');
  });
  it('counts hours on working days from midnight to midnight, skipping the weekend', () => {
    expect(addWorkingTime(at('2026-11-27T10:00:00Z'), 24, 'hours-on-working-days', cal).toISOString()).toBe('2026-11-30T10:00:00.000Z');
  });
  it('returns the start for a zero amount and rejects a negative one', () => {
    expect(addWorkingTime(at('2026-11-28T10:00:00Z'), 0, 'working-hours', cal).toISOString()).toBe('2026-11-28T10:00:00.000Z');
    expect(() => addWorkingTime(at('2026-11-28T10:00:00Z'), -1, 'working-hours', cal)).toThrow(RangeError);
  });
  it('knows working time at the edges of the day', () => {
    expect(isWorkingTime(at('2026-11-30T09:00:00Z'), cal)).toBe(true);
    expect(isWorkingTime(at('2026-11-30T08:59:59Z'), cal)).toBe(false);
    expect(isWorkingTime(at('2026-11-30T17:00:00Z'), cal)).toBe(false);
    expect(isWorkingTime(at('2026-12-25T12:00:00Z'), cal)).toBe(false);
    expect(isWorkingTime(at('2026-07-01T08:30:00Z'), cal)).toBe(true); // 09:30 BST
  });

  const instants = fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2028-10-31T00:00:00Z'), noInvalidDate: true });
  it('adds working hours in parts the same as all at once', () => {
    fc.assert(
      fc.property(instants, fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), (s, a, b) => {
        const stepwise = addWorkingTime(addWorkingTime(s, a, 'working-hours', cal), b, 'working-hours', cal);
        const whole = addWorkingTime(s, a + b, 'working-hours', cal);
        // From a 17:00 end point, the next hour starts the next working morning: equal unless b = 0.
        return b === 0 || stepwise.getTime() === whole.getTime();
      }),
    );
  });
  it('never moves a later start to an earlier deadline, and lands in working time', () => {
    fc.assert(
      fc.property(instants, fc.integer({ min: 1, max: 3_600_000 * 72 }), fc.integer({ min: 1, max: 40 }), (s, gap, h) => {
        const later = new Date(s.getTime() + gap);
        const d1 = addWorkingTime(s, h, 'working-hours', cal);
        const d2 = addWorkingTime(later, h, 'working-hours', cal);
        const justBefore = new Date(d1.getTime() - 1);
        return d2 >= d1 && d1 > s && isWorkingTime(justBefore, cal);
      }),
    );
  });
});

describe('other localities', () => {
  it('Sandwell Amber (24h, L5795) from Thursday before Easter 2027 counts only working days', () => {
    // Thu 16:00-24:00 = 8h; Good Friday, weekend and Easter Monday skipped; Tue 30 Mar 16:00 BST.
    expect(deadlineFor('AMBER', at('2027-03-25T16:00:00Z'), sandwell).toISOString()).toBe('2027-03-30T15:00:00.000Z');
  });
  it('Sandwell Red is 4 elapsed hours (L5795)', () => {
    expect(deadlineFor('RED', at('2026-12-25T22:00:00Z'), sandwell).toISOString()).toBe('2026-12-26T02:00:00.000Z');
  });
  it('Sefton Red 2h and Amber 6 working hours (L280-283)', () => {
    expect(deadlineFor('RED', at('2026-11-28T23:00:00Z'), sefton).toISOString()).toBe('2026-11-29T01:00:00.000Z');
    expect(deadlineFor('AMBER', at('2026-11-27T15:00:00Z'), sefton).toISOString()).toBe('2026-11-30T13:00:00.000Z');
  });
  it('a point part-way through the timescale uses the same clock', () => {
    // London Green is 24 working hours; half is 12: Mon 09:00 -> Tue 13:00.
    expect(pointInTimescale('GREEN', at('2026-11-30T09:00:00Z'), 0.5, london).toISOString()).toBe('2026-12-01T13:00:00.000Z');
    expect(() => pointInTimescale('GREEN', at('2026-11-30T09:00:00Z'), 1.5, london)).toThrow(RangeError);
  });
});
