import type { CaseReady, CheckAgency, ChronologyEntry, PlanItem } from '@mash/contracts';
import { replyDueBy } from '@mash/policy';

/** A reply as the hub received it. */
export interface ReceivedReply {
  agency: CheckAgency;
  /**
   * When the hub received it (the inbox's clock), not the agency's own `repliedAt`: lateness is
   * judged on one clock, and a connector with a wrong clock or a replay must not make itself on time.
   */
  receivedAt: Date | string;
}

export interface ReadinessInput {
  plan: readonly Pick<PlanItem, 'agency' | 'dueAt'>[];
  caseDeadline: Date | string;
  replies: readonly ReceivedReply[];
  now: Date;
  /**
   * When and why the case was declared ready, if it was. A plan revised after that (a consent
   * override) adds agencies the case waits on again, but the case stays ready: its decision is
   * under way, and those agencies' replies revise the picture as late replies do.
   */
  declared?: { readyAt: Date | string; reason: 'all-replied' | 'deadline-reached' };
}

export interface Readiness {
  ready: boolean;
  reason?: 'all-replied' | 'deadline-reached';
  /**
   * When the case became ready: the last first-reply if every agency answered in time, else the
   * case deadline. Derived from the inputs, not from `now`, so a replay gives the same answer
   * (except for an empty plan, which is ready whenever it is first asked).
   */
  readyAt?: Date;
  /** Every planned agency replied by the time the case became ready. */
  complete: boolean;
  /** As of `now`, in plan order; an agency counts once however many replies it sent. */
  replied: CheckAgency[];
  /** Planned agencies with no reply as of `now`. */
  missing: CheckAgency[];
  /** Agencies whose first reply came after their due time (or the case deadline, if earlier). */
  late: CheckAgency[];
  /** Planned agencies without a reply when the case became ready: what the decision lacked. */
  missingAtReady: CheckAgency[];
  /** Agencies whose first reply came after the case became ready: accepted, added and flagged. */
  repliedAfterReady: CheckAgency[];
  /** Replies from agencies the plan did not ask; never counted, reported so they can be audited. */
  unplanned: CheckAgency[];
}

const time = (d: Date | string, field: string): number => {
  const t = (typeof d === 'string' ? new Date(d) : d).getTime();
  if (Number.isNaN(t)) throw new RangeError(`${field} '${String(d)}' is not a date-time`);
  return t;
};

/** The time a planned agency's reply counts as late after (replyDueBy: never after the case). */
export function effectiveDue(item: Pick<PlanItem, 'dueAt'>, caseDeadline: Date | string): Date {
  return replyDueBy(new Date(time(item.dueAt, 'dueAt')), new Date(time(caseDeadline, 'caseDeadline')));
}

/** Whether a reply received at `receivedAt` is late for this plan item. */
export function isLate(item: Pick<PlanItem, 'dueAt'>, caseDeadline: Date | string, receivedAt: Date | string): boolean {
  return time(receivedAt, 'receivedAt') > effectiveDue(item, caseDeadline).getTime();
}

/**
 * Is the case ready for decision: every planned agency replied, or the case deadline arrived.
 * Replies received after `now` are ignored, so the same inputs can be asked about any moment.
 */
export function assessReadiness(input: ReadinessInput): Readiness {
  const now = input.now.getTime();
  const deadline = time(input.caseDeadline, 'caseDeadline');
  const planned = new Map<CheckAgency, Pick<PlanItem, 'agency' | 'dueAt'>>();
  for (const item of input.plan) {
    if (planned.has(item.agency)) throw new Error(`plan names ${item.agency} twice`);
    planned.set(item.agency, item);
  }

  // First receipt per agency: later replies from the same agency add to the chronology but do not
  // make an agency that was late on time, nor one that was on time late.
  const first = new Map<CheckAgency, number>();
  const unplanned = new Set<CheckAgency>();
  for (const r of input.replies) {
    const at = time(r.receivedAt, 'receivedAt');
    if (at > now) continue;
    if (!planned.has(r.agency)) {
      unplanned.add(r.agency);
      continue;
    }
    const seen = first.get(r.agency);
    if (seen === undefined || at < seen) first.set(r.agency, at);
  }

  const agencies = [...planned.keys()];
  const replied = agencies.filter((a) => first.has(a));
  const missing = agencies.filter((a) => !first.has(a));
  const late = replied.filter((a) => isLate(planned.get(a)!, input.caseDeadline, new Date(first.get(a)!)));

  // All replied in time (at or before the deadline) wins over the deadline; an empty plan is
  // complete at once, since there is nothing to wait for.
  const lastFirst = Math.max(Number.NEGATIVE_INFINITY, ...replied.map((a) => first.get(a)!));
  let reason: Readiness['reason'];
  let readyAt: number | undefined;
  if (missing.length === 0 && lastFirst <= deadline) {
    reason = 'all-replied';
    readyAt = replied.length ? lastFirst : Math.min(now, deadline);
  } else if (now >= deadline) {
    reason = 'deadline-reached';
    readyAt = deadline;
  }

  if (input.declared) {
    reason = input.declared.reason;
    readyAt = time(input.declared.readyAt, 'declared.readyAt');
  }
  const ready = readyAt !== undefined;
  const missingAtReady = ready ? agencies.filter((a) => !first.has(a) || first.get(a)! > readyAt!) : [];
  return {
    ready,
    reason,
    readyAt: ready ? new Date(readyAt!) : undefined,
    complete: ready && missingAtReady.length === 0,
    replied,
    missing,
    late,
    missingAtReady,
    repliedAfterReady: ready ? replied.filter((a) => first.get(a)! > readyAt!) : [],
    unplanned: [...unplanned].sort(),
  };
}

/**
 * The mash.case.ready.v1 body for the moment the case became ready: what replied then, what was
 * missing then. Pass the chronology of the replies received by `readyAt`; replies after that are
 * not in this message (see repliedAfterReady).
 */
export function caseReadyMessage(caseId: string, readiness: Readiness, chronology: ChronologyEntry[]): CaseReady {
  if (!readiness.ready || !readiness.readyAt || !readiness.reason) throw new Error(`case ${caseId} is not ready`);
  const readyAt = readiness.readyAt;
  const after = new Set(readiness.repliedAfterReady);
  const late = readiness.late.filter((a) => !after.has(a));
  return {
    caseId,
    readyAt: readyAt.toISOString(),
    complete: readiness.complete,
    reason: readiness.reason,
    replied: readiness.replied.filter((a) => !after.has(a)),
    missing: readiness.missingAtReady,
    ...(late.length ? { late } : {}),
    chronology,
  };
}

/**
 * A later revision of mash.case.ready.v1: a reply accepted after the case became ready is added to
 * the chronology (its entries flagged late) and the whole picture is published again, so the
 * decision maker's view updates. It describes `now`: `missing` is who is still outstanding, and
 * `repliedAfterReady` says who was missing at readiness but has answered since. `readyAt`,
 * `reason` and `complete` keep describing the moment of readiness.
 */
export function revisedCaseReadyMessage(
  caseId: string,
  readiness: Readiness,
  chronology: ChronologyEntry[],
  revision: number,
  revisedAt: Date,
): CaseReady {
  if (!readiness.ready || !readiness.readyAt || !readiness.reason) throw new Error(`case ${caseId} is not ready`);
  if (!Number.isInteger(revision) || revision < 2) throw new RangeError(`revision ${revision}: a revision follows the first picture`);
  return {
    caseId,
    readyAt: readiness.readyAt.toISOString(),
    complete: readiness.complete,
    reason: readiness.reason,
    replied: readiness.replied,
    missing: readiness.missing,
    ...(readiness.late.length ? { late: readiness.late } : {}),
    chronology,
    revision,
    revisedAt: revisedAt.toISOString(),
    repliedAfterReady: readiness.repliedAfterReady,
  };
}
