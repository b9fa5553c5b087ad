import type { CheckAgency } from '@mash/contracts';
import type { Policy, WorkingCalendar } from '../types';

/** The calendar an agency works to: the locality's, with the agency's own days and hours if set. */
export function agencyCalendar(policy: Policy, agency: CheckAgency): WorkingCalendar {
  const own = policy.agencies.find((a) => a.id === agency)?.workingTime;
  return own ? { ...policy.calendar, ...own } : policy.calendar;
}
