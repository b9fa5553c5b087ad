import { shippedPolicy } from '@mash/policy';
import { elapsedTime } from './schedule';
import { workingHoursBetween, workingTimePoint } from './workingHours';

const calendar = shippedPolicy('london').calendar;
const point = workingTimePoint(calendar);

describe('reminder points on the working calendar', () => {
  it('puts half of an Amber day set at 16:00 on a Thursday at noon on Friday, not in the night', () => {
    const start = new Date('2026-11-26T16:00:00Z'); // Thursday, GMT
    const end = new Date('2026-11-27T16:00:00Z');
    expect(workingHoursBetween(start, end, calendar)).toBeCloseTo(8, 1);
    expect(point(start, end, 0.5).toISOString()).toBe('2026-11-27T12:00:00.000Z');
    expect(elapsedTime(start, end, 0.5).toISOString()).toBe('2026-11-27T04:00:00.000Z');
  });

  it('measures a Red window over a Saturday night in elapsed time', () => {
    const start = new Date('2026-11-28T23:00:00Z');
    const end = new Date('2026-11-29T03:00:00Z');
    expect(point(start, end, 0.5).toISOString()).toBe('2026-11-29T01:00:00.000Z');
  });

  it('never puts a point after the window', () => {
    const start = new Date('2026-11-26T09:00:00Z');
    const end = new Date('2026-11-30T12:00:00Z');
    for (const f of [0.5, 0.8, 1]) expect(point(start, end, f).getTime()).toBeLessThanOrEqual(end.getTime());
  });
});
