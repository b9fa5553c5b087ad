import type { Policy } from '../types';
import { dayNumberOf, localDayNumber } from './zonedTime';

/**
 * How far the locality calendar's bank-holiday list reaches, and a warning once that is less than
 * a year away. Past its last year every bank holiday counts as a working day: deadlines and
 * reminders fall on days nobody works. A year gives a safeguarding partnership time to add the
 * next years (GOV.UK publishes England and Wales bank holidays about two years ahead).
 */
export interface CalendarCoverage {
  policyVersion: string;
  /** The last year with bank holidays in the list. */
  lastYear: number;
  /** The last day the list covers (31 December of lastYear), in the calendar's time zone. */
  coveredUntil: string;
  /** Set from a year before coveredUntil (31 December of the year before): what to do, in a sentence fit for a log or a health check. */
  warning?: string;
}

export function calendarCoverage(policy: Pick<Policy, 'version' | 'calendar'>, now: Date = new Date()): CalendarCoverage {
  const years = policy.calendar.bankHolidays.map((h) => Number(h.date.slice(0, 4)));
  const lastYear = years.length ? Math.max(...years) : 0;
  const coveredUntil = `${lastYear}-12-31`;
  const coverage: CalendarCoverage = { policyVersion: policy.version, lastYear, coveredUntil };
  // Whole days in the calendar's own zone, so the warning starts on the same local day everywhere.
  const today = localDayNumber(now.getTime(), policy.calendar.timezone);
  const daysLeft = dayNumberOf(coveredUntil) - today;
  if (daysLeft < 0) {
    coverage.warning = `the bank holidays of policy ${policy.version} ran out on ${coveredUntil}: every bank holiday since counts as a working day in deadlines and reminders; add ${lastYear + 1} onwards to the policy's calendar.bankHolidays`;
  } else if (today >= dayNumberOf(`${lastYear - 1}-12-31`)) {
    coverage.warning = `the bank holidays of policy ${policy.version} run out on ${coveredUntil} (${daysLeft} days): add ${lastYear + 1}'s to the policy's calendar.bankHolidays before then`;
  }
  return coverage;
}
