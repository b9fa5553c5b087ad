/**
 * Wall-clock time in an IANA zone using only Intl, so no time-zone package is needed. Dates in a
 * zone are handled as day numbers (days since 1970-01-01) to keep calendar arithmetic exact
 * across clock changes.
 */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function wallTime(instant: number, timeZone: string): WallTime {
  const parts = formatter(timeZone).formatToParts(new Date(instant));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** Minutes the zone is ahead of UTC at this instant (London: 0 in winter, 60 in summer). */
export function offsetMinutes(instant: number, timeZone: string): number {
  const w = wallTime(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const wholeSeconds = Math.floor(instant / 1000) * 1000;
  return Math.round((asUtc - wholeSeconds) / 60_000);
}

/** The zone's calendar date of an instant, as a day number. */
export function localDayNumber(instant: number, timeZone: string): number {
  const w = wallTime(instant, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day) / DAY_MS;
}

export function dayNumberOf(isoDate: string): number {
  return Date.parse(`${isoDate}T00:00:00Z`) / DAY_MS;
}

export function isoDateOf(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

/**
 * The instant at which the zone's clock shows `minutes` past midnight on that day. A wall time
 * that does not exist (the hour skipped in spring) resolves to the instant just after the gap; a
 * wall time that happens twice (autumn) resolves to its second occurrence.
 */
export function instantAt(dayNumber: number, minutes: number, timeZone: string): number {
  const naive = dayNumber * DAY_MS + minutes * 60_000;
  const o1 = offsetMinutes(naive, timeZone);
  const t1 = naive - o1 * 60_000;
  const o2 = offsetMinutes(t1, timeZone);
  if (o2 === o1) return t1;
  const t2 = naive - o2 * 60_000;
  if (offsetMinutes(t2, timeZone) === o2) return t2;
  // In the gap: no instant shows this wall time; move forward by the length of the gap.
  return Math.max(t1, t2);
}
