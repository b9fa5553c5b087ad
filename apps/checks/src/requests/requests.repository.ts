import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CheckAgency, DataCategory } from '@mash/contracts';
import { ChaseTimer, TimerKind } from '../chasing';

/** One request to one agency for one case, as sent. */
export interface CheckRequest {
  requestId: string;
  caseId: string;
  agency: CheckAgency;
  dueAt: Date;
  repliedAt: Date | null;
}

export interface NewRequest {
  requestId: string;
  caseId: string;
  agency: CheckAgency;
  categories: readonly DataCategory[];
  requestedAt: Date;
  dueAt: Date;
  revision: number;
}

/** A pending timer taken to fire. */
export interface DueTimer {
  id: string;
  key: string;
  caseId: string;
  requestId: string | null;
  agency: CheckAgency | null;
  kind: TimerKind;
  fireAt: Date;
  dueAt: Date | null;
}

export interface RequestRow {
  request_id: string;
  case_id: string;
  agency: CheckAgency;
  due_at: Date;
  replied_at: Date | null;
}

export const toRequest = (r: RequestRow): CheckRequest => ({
  requestId: r.request_id,
  caseId: r.case_id,
  agency: r.agency,
  dueAt: new Date(r.due_at),
  repliedAt: r.replied_at && new Date(r.replied_at),
});

const PENDING = `fired_at IS NULL AND cancelled_at IS NULL`;

/**
 * checks.requests and checks.timers: what each agency was asked and when it is chased. Timers
 * live here, not in memory: they survive restarts, and are marked fired in the transaction of the
 * events they cause, so each fires once.
 */
@Injectable()
export class RequestsRepository {
  async insert(m: EntityManager, r: NewRequest, timers: readonly ChaseTimer[] = []): Promise<void> {
    await this.insertMany(m, [r], timers);
  }

  /**
   * A plan's requests and their timers in one statement: a burst of ratings asks seven agencies a
   * case. Of timers with one key the first is kept: every request of a case names the same case
   * deadline. The timers' references to their requests are checked at the statement's end, when
   * the requests are in.
   */
  async insertMany(m: EntityManager, list: readonly NewRequest[], timers: readonly ChaseTimer[] = []): Promise<void> {
    if (list.length === 0 && timers.length === 0) return;
    await m.query(
      `WITH asked AS (
         INSERT INTO checks.requests (request_id, case_id, agency, categories, requested_at, due_at, revision)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::timestamptz[], $6::timestamptz[], $7::int[]))
       INSERT INTO checks.timers (key, case_id, request_id, agency, kind, fire_at, due_at)
       SELECT * FROM unnest($8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[], $14::timestamptz[])
       ON CONFLICT (key) DO NOTHING`,
      [
        list.map((r) => r.requestId),
        list.map((r) => r.caseId),
        list.map((r) => r.agency),
        list.map((r) => JSON.stringify(r.categories)),
        list.map((r) => r.requestedAt),
        list.map((r) => r.dueAt),
        list.map((r) => r.revision),
        timers.map((t) => t.key),
        timers.map((t) => t.caseId),
        timers.map((t) => t.requestId ?? null),
        timers.map((t) => t.agency ?? null),
        timers.map((t) => t.kind),
        timers.map((t) => t.fireAt),
        timers.map((t) => t.dueAt),
      ],
    );
  }

  async find(m: EntityManager, requestId: string): Promise<CheckRequest | undefined> {
    const [row]: RequestRow[] = await m.query(
      `SELECT request_id, case_id, agency, due_at, replied_at FROM checks.requests WHERE request_id = $1`,
      [requestId],
    );
    return row && toRequest(row);
  }

  /** Records the reply's time on its request and stops the request's chasing, in one statement. */
  async markReplied(m: EntityManager, requestId: string, repliedAt: Date, late: boolean): Promise<void> {
    await m.query(
      `WITH stopped AS (UPDATE checks.timers SET cancelled_at = clock_timestamp() WHERE request_id = $1 AND ${PENDING})
       UPDATE checks.requests SET replied_at = $2, late = $3 WHERE request_id = $1`,
      [requestId, repliedAt, late],
    );
  }

  /** The latest request to this agency for this case, if any. */
  async latest(m: EntityManager, caseId: string, agency: CheckAgency): Promise<CheckRequest | undefined> {
    const [row]: RequestRow[] = await m.query(
      `SELECT request_id, case_id, agency, due_at, replied_at FROM checks.requests WHERE case_id = $1 AND agency = $2 ORDER BY revision DESC LIMIT 1`,
      [caseId, agency],
    );
    return row && toRequest(row);
  }

  /** An agency asked again is chased for its new request only. */
  async cancelAgencyTimers(m: EntityManager, caseId: string, agencies: CheckAgency[]): Promise<void> {
    await m.query(
      `UPDATE checks.timers SET cancelled_at = clock_timestamp() WHERE case_id = $1 AND agency = ANY($2) AND request_id IS NOT NULL AND ${PENDING}`,
      [caseId, agencies],
    );
  }

  /** A case deadline brought forward: its timer, and no escalation after it. */
  async bringForward(m: EntityManager, caseId: string, deadline: Date, deadlineKey: string): Promise<void> {
    await m.query(`UPDATE checks.timers SET fire_at = $2, due_at = $2 WHERE key = $1 AND ${PENDING}`, [deadlineKey, deadline]);
    await m.query(
      `UPDATE checks.timers SET fire_at = LEAST(fire_at, $2), due_at = LEAST(due_at, $2) WHERE case_id = $1 AND kind = 'escalation' AND ${PENDING}`,
      [caseId, deadline],
    );
  }

  /**
   * Takes up to `batch` pending timers due by `now` (absent: the database's clock as the statement
   * starts), skipping those another replica holds.
   */
  async takeDue(m: EntityManager, now: Date | undefined, batch: number): Promise<DueTimer[]> {
    const rows: {
      id: string;
      key: string;
      case_id: string;
      request_id: string | null;
      agency: CheckAgency | null;
      kind: TimerKind;
      fire_at: Date;
      due_at: Date | null;
    }[] = await m.query(
      `SELECT id, key, case_id, request_id, agency, kind, fire_at, due_at FROM checks.timers
       WHERE ${PENDING} AND fire_at <= coalesce($1::timestamptz, statement_timestamp()) ORDER BY fire_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now ?? null, batch],
    );
    return rows.map((r) => ({
      id: r.id,
      key: r.key,
      caseId: r.case_id,
      requestId: r.request_id,
      agency: r.agency,
      kind: r.kind,
      fireAt: new Date(r.fire_at),
      dueAt: r.due_at && new Date(r.due_at),
    }));
  }

  /** Marks taken timers fired (even if readiness cancelled them meanwhile: they fired). */
  async markFired(m: EntityManager, ids: string[]): Promise<{ id: string; kind: TimerKind; fireAt: Date }[]> {
    if (ids.length === 0) return [];
    // TypeORM answers an UPDATE ... RETURNING with [rows, count].
    const [rows]: [{ id: string; kind: TimerKind; fire_at: Date }[], number] = await m.query(
      `UPDATE checks.timers SET fired_at = clock_timestamp(), cancelled_at = NULL WHERE id = ANY($1::bigint[]) RETURNING id, kind, fire_at`,
      [ids],
    );
    return rows.map((r) => ({ id: r.id, kind: r.kind, fireAt: new Date(r.fire_at) }));
  }

  /** Cancels taken timers that must not fire. */
  async cancelTimers(m: EntityManager, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await m.query(`UPDATE checks.timers SET cancelled_at = clock_timestamp() WHERE id = ANY($1::bigint[])`, [ids]);
  }

  /** When the next pending timer is due, if any, and the database's clock as it looked. */
  async nextDue(m: EntityManager): Promise<{ next: Date | null; now: Date }> {
    const [{ next, now }]: { next: Date | null; now: Date }[] = await m.query(
      `SELECT min(fire_at) AS next, clock_timestamp() AS now FROM checks.timers WHERE ${PENDING}`,
    );
    return { next: next && new Date(next), now: new Date(now) };
  }
}
