import type { CheckAgency, CheckChased, CheckRequested } from '@mash/contracts';
import { replyDueBy } from '@mash/policy';

/**
 * When to chase an agency for its reply, so that no case gets "lost": reminders to the agency
 * before its reply is due, an escalation to the MASH manager when it is due, and the case
 * deadline at which the case goes to decision with or without every reply.
 */
export type TimerKind = 'reminder' | 'escalation' | 'case-deadline';

export interface ChaseTimer {
  kind: TimerKind;
  fireAt: Date;
  caseId: string;
  /** Absent on the case deadline, which belongs to the case, not to one request. */
  requestId?: string;
  agency?: CheckAgency;
  /** The due time the agency was given (or the case deadline, if that comes first). */
  dueAt: Date;
  /**
   * Stable identity of the timer. Every request of a case yields the same case-deadline key, so a
   * store with a unique key can insert each request's schedule and keep one case deadline; a
   * redelivered request re-inserts nothing.
   */
  key: string;
}

/** Points in a request's response window, as fractions of it (0 = requested, 1 = due). */
export interface ChasePolicy {
  reminderAt: readonly number[];
  escalateAt: number;
}

export const DEFAULT_CHASE_POLICY: ChasePolicy = { reminderAt: [1 / 2, 4 / 5], escalateAt: 1 };

/**
 * The instant `fraction` of the way from `start` to `end`. Agencies work different hours
 * (Lancashire police 7 days 8-5), so "half way to due" must be measurable in working time; the
 * working calendar plugs in here. It needs `end` as well as `start`: a fraction of a window means
 * nothing without the window.
 */
export type PointInWindow = (start: Date, end: Date, fraction: number) => Date;

/** Default: plain elapsed time, to the millisecond. */
export const elapsedTime: PointInWindow = (start, end, fraction) =>
  new Date(start.getTime() + Math.round((end.getTime() - start.getTime()) * fraction));

export interface ChaseOptions {
  policy?: ChasePolicy;
  pointInWindow?: PointInWindow;
}

export type ChaseRequest = Pick<CheckRequested, 'caseId' | 'requestId' | 'agency' | 'requestedAt' | 'dueAt' | 'caseDeadline'>;

function checkPolicy(policy: ChasePolicy): void {
  for (const f of policy.reminderAt) {
    // A reminder at or after the due time is an escalation by another name.
    if (!(f > 0 && f < 1)) throw new RangeError(`reminder point ${f} must be strictly between 0 and 1`);
  }
  if (!(policy.escalateAt > 0 && policy.escalateAt <= 1)) {
    throw new RangeError(`escalation point ${policy.escalateAt} must be in (0, 1]`);
  }
}

function parse(field: string, value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new RangeError(`${field} '${value}' is not a date-time`);
  return d;
}

/**
 * Every timer one check request needs, in firing order. Pure: the lead stores them (Postgres, so
 * they survive restarts) and cancels the request's timers (those with its requestId) on its reply.
 *
 * Rules:
 * - a due time after the case deadline is treated as the case deadline (replyDueBy): the case
 *   goes to decision then, so chasing later would chase nobody's decision;
 * - a window that is empty or negative (due at or before the request) gets no reminders, only the
 *   escalation (at once);
 * - reminders falling on the same instant (a calendar can map two fractions to one opening time)
 *   are kept once.
 */
export function chaseSchedule(request: ChaseRequest, options: ChaseOptions = {}): ChaseTimer[] {
  const policy = options.policy ?? DEFAULT_CHASE_POLICY;
  const point = options.pointInWindow ?? elapsedTime;
  checkPolicy(policy);

  const requestedAt = parse('requestedAt', request.requestedAt);
  const deadline = parse('caseDeadline', request.caseDeadline);
  const dueAt = replyDueBy(parse('dueAt', request.dueAt), deadline);
  const base = { caseId: request.caseId, requestId: request.requestId, agency: request.agency, dueAt };

  const timers: ChaseTimer[] = [];
  if (dueAt > requestedAt) {
    const seen = new Set<number>();
    [...policy.reminderAt]
      .sort((a, b) => a - b)
      .forEach((fraction) => {
        const fireAt = point(requestedAt, dueAt, fraction);
        // A calendar may push a point onto the request or due instant; neither is a useful reminder.
        if (seen.has(fireAt.getTime()) || fireAt <= requestedAt || fireAt >= dueAt) return;
        seen.add(fireAt.getTime());
        timers.push({ ...base, kind: 'reminder', fireAt, key: `${request.requestId}:reminder:${seen.size}` });
      });
  }
  const escalateAt = dueAt > requestedAt ? point(requestedAt, dueAt, policy.escalateAt) : dueAt;
  timers.push({ ...base, kind: 'escalation', fireAt: escalateAt, key: `${request.requestId}:escalation` });
  timers.push({
    kind: 'case-deadline',
    fireAt: deadline,
    caseId: request.caseId,
    dueAt: deadline,
    key: `${request.caseId}:case-deadline`,
  });
  return timers.sort((a, b) => a.fireAt.getTime() - b.fireAt.getTime());
}

/** The message a fired reminder or escalation publishes on mash.check.chased.v1. */
export function chasedMessage(timer: ChaseTimer, firedAt: Date): CheckChased {
  if (timer.kind === 'case-deadline' || !timer.requestId || !timer.agency) {
    throw new Error(`timer ${timer.key} is a case deadline, not a chase of an agency`);
  }
  return {
    caseId: timer.caseId,
    requestId: timer.requestId,
    agency: timer.agency,
    kind: timer.kind,
    at: firedAt.toISOString(),
    dueAt: timer.dueAt.toISOString(),
  };
}
