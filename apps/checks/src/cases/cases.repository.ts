import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Rating } from '@mash/contracts';
import { heldSql } from '@mash/platform';
import { affectedRows } from '@mash/at-rest';
import { CheckRequest, RequestRow, toRequest } from '../requests/requests.repository';

export type ReadyReason = 'all-replied' | 'deadline-reached';

/** A case as checks keeps it. */
export interface CheckCase {
  caseId: string;
  deadline: Date;
  readyAt: Date | null;
  readyReason: ReadyReason | null;
  /** 0 = not ready yet; 1 = the picture at readiness; each reply after that adds one. */
  revision: number;
  /** The highest plan revision applied (a replayed revision asks nobody again). */
  planRevision: number;
  /** Set once retention stripped the case's content. */
  prunedAt: Date | null;
}

interface CaseRow {
  case_id: string;
  deadline: Date;
  ready_at: Date | null;
  ready_reason: ReadyReason | null;
  revision: number;
  plan_revision: number;
  pruned_at: Date | null;
}

const COLUMNS = `case_id, deadline, ready_at, ready_reason, revision, plan_revision, pruned_at`;

const toCase = (r: CaseRow): CheckCase => ({
  caseId: r.case_id,
  deadline: new Date(r.deadline),
  readyAt: r.ready_at && new Date(r.ready_at),
  readyReason: r.ready_reason,
  revision: r.revision,
  planRevision: r.plan_revision,
  prunedAt: r.pruned_at && new Date(r.pruned_at),
});

/**
 * checks.cases: the case row is the lock every change to a case takes first, so the replies of
 * several agencies (on several topics, handled in parallel), plan revisions and timers never
 * interleave on one case. Every time a handler judges by is read after that lock (present).
 */
@Injectable()
export class CasesRepository {
  /**
   * Opens a case; null when it was open already. The insert takes the row, and its time is read
   * inside it: `at` (tests) stands in for the database's clock.
   */
  async open(
    m: EntityManager,
    c: { caseId: string; contactId: string; rating: Rating; deadline: Date; planRevision?: number },
    at?: Date,
  ): Promise<Date | null> {
    const rows: { opened_at: Date }[] = await m.query(
      `INSERT INTO checks.cases (case_id, contact_id, rating, deadline, opened_at, plan_revision)
       VALUES ($1, $2, $3, $4, coalesce($5::timestamptz, clock_timestamp()), $6) ON CONFLICT (case_id) DO NOTHING RETURNING opened_at`,
      [c.caseId, c.contactId, c.rating, c.deadline, at ?? null, c.planRevision ?? 1],
    );
    return rows.length ? new Date(rows[0].opened_at) : null;
  }

  /** Takes the case's row lock (waiting for it) and reads the case as it is once held. */
  async lock(m: EntityManager, caseId: string): Promise<CheckCase | undefined> {
    const [row]: CaseRow[] = await m.query(`SELECT ${COLUMNS} FROM checks.cases WHERE case_id = $1 FOR UPDATE`, [caseId]);
    return row && toCase(row);
  }

  /**
   * The case's row lock if nobody else holds it now, without waiting; `held` when another
   * transaction does (a handler in a run then steps out, WouldWait), undefined when there is no case.
   */
  async lockIfFree(m: EntityManager, caseId: string): Promise<CheckCase | 'held' | undefined> {
    const [row]: CaseRow[] = await m.query(`SELECT ${COLUMNS} FROM checks.cases WHERE case_id = $1 FOR UPDATE SKIP LOCKED`, [caseId]);
    if (row) return toCase(row);
    const [there] = await m.query(`SELECT 1 FROM checks.cases WHERE case_id = $1`, [caseId]);
    return there ? 'held' : undefined;
  }

  /** Locks those of these cases nobody else holds now, without waiting; the rest are left out. */
  async lockFree(m: EntityManager, caseIds: string[]): Promise<CheckCase[]> {
    const rows: CaseRow[] = await m.query(`SELECT ${COLUMNS} FROM checks.cases WHERE case_id = ANY($1) FOR UPDATE SKIP LOCKED`, [caseIds]);
    return rows.map(toCase);
  }

  /**
   * The present, as a handler holding a case's row lock must see it. Read after the lock, never
   * before: a handler that took its time before waiting for the lock could stamp its reply earlier
   * than one committed while it waited, and then judge readiness "as of" a moment that excludes the
   * reply it waited for (a case stranded with every agency answered). Postgres' clock is one clock
   * for every replica; and the present of a case never goes back past a time already recorded on
   * it (a request sent, a reply received, readiness), so a skewed clock cannot hide what is
   * committed. `reading` (tests) stands in for the clock; the case's own times still bound it.
   */
  async present(m: EntityManager, caseId: string, reading?: Date): Promise<Date> {
    const [row]: { now: Date }[] = await m.query(
      `SELECT greatest(coalesce($2::timestamptz, clock_timestamp()), c.opened_at, c.ready_at,
         (SELECT max(greatest(r.requested_at, r.replied_at)) FROM checks.requests r WHERE r.case_id = c.case_id)) AS now
       FROM checks.cases c WHERE c.case_id = $1`,
      [caseId, reading ?? null],
    );
    if (!row) throw new Error(`case ${caseId} has no row to take its time from`);
    return new Date(row.now);
  }

  /**
   * A reply's request and the present (see `present`) in one statement, read after the case's
   * lock was taken: a reply is the message checks handles most, and each round trip counts.
   */
  async presentWithRequest(
    m: EntityManager,
    caseId: string,
    requestId: string,
    reading?: Date,
  ): Promise<{ now: Date; request?: CheckRequest }> {
    const [row]: (Partial<RequestRow> & { now: Date })[] = await m.query(
      `SELECT r.request_id, r.case_id, r.agency, r.due_at, r.replied_at,
         greatest(coalesce($2::timestamptz, clock_timestamp()), c.opened_at, c.ready_at,
           (SELECT max(greatest(x.requested_at, x.replied_at)) FROM checks.requests x WHERE x.case_id = c.case_id)) AS now
       FROM checks.cases c LEFT JOIN checks.requests r ON r.request_id = $3
       WHERE c.case_id = $1`,
      [caseId, reading ?? null, requestId],
    );
    if (!row) throw new Error(`case ${caseId} has no row to take its time from`);
    return { now: new Date(row.now), request: row.request_id ? toRequest(row as RequestRow) : undefined };
  }

  /** The database's clock, for work not bound to one case (a batch of timers). */
  async clock(m: EntityManager): Promise<Date> {
    const [row]: { now: Date }[] = await m.query(`SELECT clock_timestamp() AS now`);
    return new Date(row.now);
  }

  async setPlanRevision(m: EntityManager, caseId: string, planRevision: number): Promise<void> {
    await m.query(`UPDATE checks.cases SET plan_revision = $2 WHERE case_id = $1`, [caseId, planRevision]);
  }

  async setDeadline(m: EntityManager, caseId: string, deadline: Date): Promise<void> {
    await m.query(`UPDATE checks.cases SET deadline = $2 WHERE case_id = $1`, [caseId, deadline]);
  }

  /**
   * Records readiness (revision 1 of the picture) for cases the caller holds, and cancels their
   * pending timers (nobody is chased for a case at decision), in one statement. Timers another
   * transaction holds are skipped, not waited for: the timer loop holds timers of many cases while
   * it declares some ready, and two loops waiting on each other's would deadlock. A skipped timer
   * is cancelled when next taken (TimersService.fireDue).
   */
  async markReady(m: EntityManager, ready: { caseId: string; readyAt: Date; reason: ReadyReason }[]): Promise<void> {
    if (ready.length === 0) return;
    await m.query(
      `WITH stopped AS (
         UPDATE checks.timers SET cancelled_at = clock_timestamp() WHERE id IN (
           SELECT id FROM checks.timers WHERE case_id = ANY($1) AND fired_at IS NULL AND cancelled_at IS NULL FOR UPDATE SKIP LOCKED))
       UPDATE checks.cases c SET ready_at = u.ready_at, ready_reason = u.reason, revision = 1
       FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS u(case_id, ready_at, reason) WHERE c.case_id = u.case_id`,
      [ready.map((x) => x.caseId), ready.map((x) => x.readyAt), ready.map((x) => x.reason)],
    );
  }

  async setRevision(m: EntityManager, caseId: string, revision: number): Promise<void> {
    await m.query(`UPDATE checks.cases SET revision = $2 WHERE case_id = $1`, [caseId, revision]);
  }

  /**
   * Which of these cases are ready. Needs no lock to be trusted: readiness, once recorded, is never
   * undone.
   */
  async readyAmong(m: EntityManager, caseIds: string[]): Promise<Set<string>> {
    if (caseIds.length === 0) return new Set();
    const rows: { case_id: string }[] = await m.query(`SELECT case_id FROM checks.cases WHERE case_id = ANY($1) AND ready_at IS NOT NULL`, [
      caseIds,
    ]);
    return new Set(rows.map((r) => r.case_id));
  }

  /** When the case was decided: the clock retention runs from. The first decision counts. */
  async markDecided(m: EntityManager, caseId: string, decidedAt: Date): Promise<void> {
    await m.query(`UPDATE checks.cases SET decided_at = $2 WHERE case_id = $1 AND decided_at IS NULL`, [caseId, decidedAt]);
  }

  /**
   * Marks up to `batch` cases decided before `cutoff` and not under a legal hold as pruned, taking their rows (skipping any a
   * reply holds right now: the next run takes them), so a reply either committed before (and its
   * body is deleted with the rest) or sees the case pruned. Returns how many.
   */
  async prune(m: EntityManager, cutoff: Date, batch: number): Promise<number> {
    return affectedRows(
      await m.query(
        `UPDATE checks.cases SET pruned_at = clock_timestamp() WHERE case_id IN (
           SELECT case_id FROM checks.cases WHERE decided_at < $1 AND pruned_at IS NULL AND NOT ${heldSql('checks', 'checks.cases.case_id')}
           ORDER BY decided_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [cutoff, batch],
      ),
    );
  }
}
