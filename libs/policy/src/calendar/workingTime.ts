import type { TimeUnit, Weekday, WorkingCalendar } from '../types';
import { dayNumberOf, instantAt, localDayNumber, weekdayOf } from './zonedTime';

/**
 * How a clock counts:
 * - `hours`: elapsed time; nights, weekends and bank holidays all count (Red).
 * - `working-hours`: only time inside working hours on working days.
 * - `working-days`: working hours, a working day being one day's working hours (09:00-17:00 = 8h),
 *   so "3 working days" from Thursday 16:00 ends at 16:00 on the third working day after.
 * - `hours-on-working-days`: elapsed time, but only on working days (midnight to midnight), so
 *   "24 hours" from Friday 10:00 ends Monday 10:00, not on Saturday when nobody is there.
 */
export type ClockUnit = TimeUnit | 'hours-on-working-days';

const WEEKDAY_INDEX: Record<Weekday, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const HOUR_MS = 3_600_000;
/** No policy has ten years without a working day; stop rather than loop forever on a broken one. */
const MAX_DAYS = 3660;

interface CompiledCalendar {
  timeZone: string;
  workingWeekdays: boolean[];
  openMinute: number;
  closeMinute: number;
  bankHolidays: Set<number>;
  /** Wall-time-to-instant answers: Intl is slow and the same opening hours are asked for again and again. */
  instants: Map<number, number>;
}

const compiled = new WeakMap<WorkingCalendar, CompiledCalendar>();

function compile(calendar: WorkingCalendar): CompiledCalendar {
  let c = compiled.get(calendar);
  if (!c) {
    const minute = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
    const workingWeekdays = new Array<boolean>(7).fill(false);
    for (const d of calendar.workingDays) workingWeekdays[WEEKDAY_INDEX[d]] = true;
    c = {
      timeZone: calendar.timezone,
      workingWeekdays,
      openMinute: minute(calendar.workingHours.start),
      closeMinute: minute(calendar.workingHours.end),
      bankHolidays: new Set(calendar.bankHolidays.map((h) => dayNumberOf(h.date))),
      instants: new Map(),
    };
    compiled.set(calendar, c);
  }
  return c;
}

const MAX_CACHED = 200_000;

function at(c: CompiledCalendar, day: number, minute: number): number {
  const key = day * 1440 + minute;
  let t = c.instants.get(key);
  if (t === undefined) {
    if (c.instants.size >= MAX_CACHED) c.instants.clear();
    t = instantAt(day, minute, c.timeZone);
    c.instants.set(key, t);
  }
  return t;
}

function isWorkingDayNumber(c: CompiledCalendar, day: number): boolean {
  return c.workingWeekdays[weekdayOf(day)] && !c.bankHolidays.has(day);
}

/** Whether the calendar's local date of this instant is a working day. */
export function isWorkingDay(instant: Date, calendar: WorkingCalendar): boolean {
  const c = compile(calendar);
  return isWorkingDayNumber(c, localDayNumber(instant.getTime(), c.timeZone));
}

/** Whether this instant falls inside working hours on a working day. */
export function isWorkingTime(instant: Date, calendar: WorkingCalendar): boolean {
  const c = compile(calendar);
  const t = instant.getTime();
  const day = localDayNumber(t, c.timeZone);
  if (!isWorkingDayNumber(c, day)) return false;
  return t >= at(c, day, c.openMinute) && t < at(c, day, c.closeMinute);
}

/** Hours in one working day (8 for 09:00-17:00). */
export function workingDayHours(calendar: WorkingCalendar): number {
  const c = compile(calendar);
  return (c.closeMinute - c.openMinute) / 60;
}

/** The stretch of one day that a clock counts, as instants [open, close). */
type Window = (day: number) => [number, number];

/**
 * Visits, in order, each stretch of counted time from `startMs` on: the windows of the working days
 * from the local day of `startMs`, the first one clipped to start there. Stops when `visit` returns
 * true. addWorkingTime and workingTimeBetween both walk this, so one is the inverse of the other.
 */
function walkWindows(c: CompiledCalendar, startMs: number, window: Window, visit: (begin: number, close: number) => boolean): void {
  let day = localDayNumber(startMs, c.timeZone);
  let from = startMs;
  for (let i = 0; i < MAX_DAYS; i++, day++) {
    if (isWorkingDayNumber(c, day)) {
      const [open, close] = window(day);
      const begin = Math.max(from, open);
      if (begin < close && visit(begin, close)) return;
    }
    from = -Infinity;
  }
  throw new Error('no working time within ten years: check the calendar');
}

/** Spends `remaining` ms of counted time from `startMs`: the instant it runs out. */
function spend(c: CompiledCalendar, startMs: number, remaining: number, window: Window): number {
  let end = startMs;
  walkWindows(c, startMs, window, (begin, close) => {
    const available = close - begin;
    if (remaining <= available) {
      end = begin + remaining;
      return true;
    }
    remaining -= available;
    return false;
  });
  return end;
}

/** Ms of counted time in [startMs, endMs). */
function counted(c: CompiledCalendar, startMs: number, endMs: number, window: Window): number {
  let total = 0;
  if (endMs <= startMs) return total;
  walkWindows(c, startMs, window, (begin, close) => {
    if (begin >= endMs) return true;
    total += Math.min(close, endMs) - begin;
    return close >= endMs;
  });
  return total;
}

/** The windows each calendar-counting unit walks. */
function windowOf(c: CompiledCalendar, unit: Exclude<ClockUnit, 'hours'>): Window {
  return unit === 'hours-on-working-days'
    ? (d) => [at(c, d, 0), at(c, d + 1, 0)]
    : (d) => [at(c, d, c.openMinute), at(c, d, c.closeMinute)];
}

/** Ms of counted time in one `unit` (a working day is the calendar's working hours). */
function unitMs(c: CompiledCalendar, unit: Exclude<ClockUnit, 'hours'>): number {
  return unit === 'working-days' ? (c.closeMinute - c.openMinute) * 60_000 : HOUR_MS;
}

/**
 * The instant `amount` of `unit` after `start`, counted on the calendar. For case deadlines,
 * per-agency due times and reminder points alike.
 */
export function addWorkingTime(start: Date, amount: number, unit: ClockUnit, calendar: WorkingCalendar): Date {
  if (!(amount >= 0) || !Number.isFinite(amount)) throw new RangeError(`amount must be a finite number >= 0, got ${amount}`);
  const startMs = start.getTime();
  if (Number.isNaN(startMs)) throw new RangeError('start is not a valid date');
  if (amount === 0) return new Date(startMs);
  if (unit === 'hours') return new Date(startMs + Math.round(amount * HOUR_MS));
  const c = compile(calendar);
  return new Date(spend(c, startMs, Math.round(amount * unitMs(c, unit)), windowOf(c, unit)));
}

/**
 * How much of `unit` the calendar counts from `start` to `end` (0 if `end` is not after `start`):
 * the inverse of addWorkingTime, to the ms. Adding it back to `start` reaches `end` if `end` is in
 * counted time, else the end of the last counted stretch before it (or `start`, if none).
 */
export function workingTimeBetween(start: Date, end: Date, unit: ClockUnit, calendar: WorkingCalendar): number {
  const startMs = start.getTime();
  const endMs = end.getTime();
  if (Number.isNaN(startMs) || Number.isNaN(endMs)) throw new RangeError('start and end must be valid dates');
  if (unit === 'hours') return Math.max(0, endMs - startMs) / HOUR_MS;
  const c = compile(calendar);
  return counted(c, startMs, endMs, windowOf(c, unit)) / unitMs(c, unit);
}
