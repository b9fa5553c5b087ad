import type { Rating } from '@mash/contracts';
import type { Policy } from '../types';
import { addWorkingTime, ClockUnit } from './workingTime';

/** The clock a rating's timescale runs on. */
export function clockFor(rating: Rating, policy: Policy): { amount: number; unit: ClockUnit } {
  const rp = policy.ratings[rating];
  const { amount, unit } = rp.timescale;
  // "24 hours" for a clock that stops out of hours means hours on working days, not elapsed time.
  if (unit === 'hours' && !rp.clockRunsOutOfHours) return { amount, unit: 'hours-on-working-days' };
  return { amount, unit };
}

/** When the MASH product for a case of this rating is due. */
export function deadlineFor(rating: Rating, receivedAt: Date, policy: Policy): Date {
  const { amount, unit } = clockFor(rating, policy);
  return addWorkingTime(receivedAt, amount, unit, policy.calendar);
}

/**
 * The point `fraction` of the way through a rating's timescale from `start`, on the same clock:
 * agency reply due times (e.g. 0.75) and reminder points (e.g. 0.5).
 */
export function pointInTimescale(rating: Rating, start: Date, fraction: number, policy: Policy): Date {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`fraction must be within 0..1, got ${fraction}`);
  const { amount, unit } = clockFor(rating, policy);
  return addWorkingTime(start, amount * fraction, unit, policy.calendar);
}
