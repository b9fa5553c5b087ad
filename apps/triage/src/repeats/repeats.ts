import type { RepeatTrigger } from '@mash/policy';

export interface RepeatAssessment {
  /** Contacts about this child inside the window, this one included. */
  count: number;
  fires: boolean;
  windowStart: Date;
  trigger: RepeatTrigger;
  reason: string;
}

/** The same day `months` calendar months earlier, clamped to the month's end (31 May -> 28/29 Feb). */
export function monthsBefore(d: Date, months: number): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() - months;
  const target = new Date(Date.UTC(y, m, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return target;
}

/**
 * Whether this contact is a repeat that should escalate: the child's earlier contacts inside the
 * policy window, plus this one, against the trigger (default 3 in 12 months, Sefton L218-225).
 */
export function assessRepeats(priorContactDates: readonly (Date | string)[], now: Date, trigger: RepeatTrigger): RepeatAssessment {
  const windowStart = monthsBefore(now, trigger.windowMonths);
  const from = windowStart.getTime();
  const to = now.getTime();
  const prior = priorContactDates.map((d) => (d instanceof Date ? d.getTime() : Date.parse(d)));
  const bad = prior.findIndex((t) => Number.isNaN(t));
  if (bad >= 0) throw new RangeError(`priorContactDates[${bad}] is not a date`);
  // A later contact cannot make this one a repeat: only those up to now count.
  const inWindow = prior.filter((t) => t >= from && t <= to).length;
  const count = inWindow + 1;
  const fires = count >= trigger.count;
  const window = `${trigger.windowMonths} months since ${windowStart.toISOString().slice(0, 10)}`;
  const reason = fires
    ? `${count} contacts in ${window}: at or over the trigger of ${trigger.count}`
    : `${count} contact${count === 1 ? '' : 's'} in ${window}: under the trigger of ${trigger.count}`;
  return { count, fires, windowStart, trigger, reason };
}
