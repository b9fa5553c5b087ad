import type { CheckAgency } from '@mash/contracts';
import { addWorkingTime, agencyCalendar, Policy, WorkingCalendar, workingTimeBetween } from '@mash/policy';
import { POLICY } from '../policy.provider';
import { elapsedTime, PointInWindow } from './schedule';

/**
 * Agencies work different hours (Lancashire police 7 days 8-5), so "half way to due"
 * is measured in working time: a reminder half way through an Amber day set at 16:00 lands at
 * noon the next working day, not at 4 am. Each agency's clock is the locality calendar with the
 * agency's own days and hours where the policy gives them.
 */
export const AGENCY_CALENDAR = Symbol('AGENCY_CALENDAR');

/** The clock a request's reminders are measured on, per agency. */
export type AgencyCalendar = (agency: CheckAgency) => PointInWindow;

export const elapsedTimeForEveryAgency: AgencyCalendar = () => elapsedTime;

/**
 * A point in a window on the working calendar. A window with under an hour of working time (a Red
 * case over a weekend night) is a clock that runs out of hours, and is measured in elapsed time.
 */
export function workingTimePoint(calendar: WorkingCalendar): PointInWindow {
  return (start, end, fraction) => {
    const total = workingTimeBetween(start, end, 'working-hours', calendar);
    if (total < 1) return elapsedTime(start, end, fraction);
    // Whole minutes: a reminder at 11:59:56 says nothing that 12:00 does not.
    const point = Math.round(addWorkingTime(start, total * fraction, 'working-hours', calendar).getTime() / 60_000) * 60_000;
    return new Date(Math.min(point, end.getTime()));
  };
}

/** One reminder clock per agency, built once from the policy. */
export function policyAgencyCalendar(policy: Policy): AgencyCalendar {
  const points = new Map(policy.agencies.map((a) => [a.id, workingTimePoint(agencyCalendar(policy, a.id))]));
  const locality = workingTimePoint(policy.calendar);
  return (agency) => points.get(agency) ?? locality;
}

/** Built from the one injected policy (policy.provider.ts). */
export const agencyCalendarProvider = {
  provide: AGENCY_CALENDAR,
  useFactory: (policy: Policy): AgencyCalendar => policyAgencyCalendar(policy),
  inject: [POLICY],
};
