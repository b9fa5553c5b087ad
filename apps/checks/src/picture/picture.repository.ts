import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { openJsonb, sealedJsonb } from '@mash/at-rest';
import { CheckAgency, CheckReplied } from '@mash/contracts';
import { CheckRequest } from '../requests/requests.repository';

/** A reply as stored, with the due time of the request it answered. */
export interface StoredReply {
  caseId: string;
  agency: CheckAgency;
  receivedAt: Date;
  body: CheckReplied;
  dueAt: Date;
}

/** What a case's picture is built from: the request that counts for each agency, and every reply. */
export interface StoredPicture {
  requests: CheckRequest[];
  replies: StoredReply[];
}

/** One row of either kind: requests and replies come back in one result. */
interface PictureRow {
  kind: 'request' | 'reply';
  case_id: string;
  request_id: string;
  agency: CheckAgency;
  due_at: Date;
  replied_at: Date | null;
  received_at: Date | null;
  body: unknown;
}

/** The request that counts for each agency is its latest: a revised plan asks an agency again. */
const CURRENT_REQUESTS = `SELECT DISTINCT ON (case_id, agency) 'request' AS kind, case_id, request_id, agency, due_at, replied_at,
  NULL::timestamptz AS received_at, NULL::jsonb AS body`;

const REPLIES = `SELECT 'reply', p.case_id, p.request_id, p.agency, r.due_at, NULL, p.received_at, p.body
  FROM checks.replies p JOIN checks.requests r USING (request_id)`;

function toPicture(rows: PictureRow[]): StoredPicture {
  const out: StoredPicture = { requests: [], replies: [] };
  for (const r of rows) {
    if (r.kind === 'request')
      out.requests.push({
        requestId: r.request_id,
        caseId: r.case_id,
        agency: r.agency,
        dueAt: new Date(r.due_at),
        repliedAt: r.replied_at && new Date(r.replied_at),
      });
    else
      out.replies.push({
        caseId: r.case_id,
        agency: r.agency,
        receivedAt: new Date(r.received_at!),
        body: openJsonb<CheckReplied>(r.body),
        dueAt: new Date(r.due_at),
      });
  }
  return out;
}

/**
 * checks.requests and checks.replies as a case's picture sees them, each read or change in one
 * statement: a reply is the message checks handles most, and every statement costs CPU on both
 * sides. Callers hold the cases' rows locked and send these only after taking them.
 */
@Injectable()
export class PictureRepository {
  /** The pictures of these cases, in one statement whatever their number. */
  async ofCases(m: EntityManager, caseIds: string[]): Promise<StoredPicture> {
    const rows: PictureRow[] = await m.query(
      `(${CURRENT_REQUESTS} FROM checks.requests WHERE case_id = ANY($1) ORDER BY case_id, agency, revision DESC)
       UNION ALL ${REPLIES} WHERE p.case_id = ANY($1)`,
      [caseIds],
    );
    return toPicture(rows);
  }

  /**
   * Records a reply: its time (and whether it was late) on its request, the request's chasing
   * stopped and what the agency said stored, sealed at rest (docs/architecture.md, "Encryption at
   * rest"); gives back the case's picture with the reply in it. One statement: its parts all read
   * the snapshot from before it (Postgres, "Data-Modifying Statements in WITH"), so the reply's
   * request and the reply itself come from what the writes return, the rest from the tables.
   */
  async recordReply(m: EntityManager, reply: CheckReplied, receivedAt: Date, late: boolean): Promise<StoredPicture> {
    const rows: PictureRow[] = await m.query(
      `WITH stopped AS (
         UPDATE checks.timers SET cancelled_at = clock_timestamp() WHERE request_id = $1 AND fired_at IS NULL AND cancelled_at IS NULL),
       replied AS (
         UPDATE checks.requests SET replied_at = $4, late = $6 WHERE request_id = $1
         RETURNING case_id, request_id, agency, due_at, replied_at, revision),
       stored AS (
         INSERT INTO checks.replies (request_id, case_id, agency, received_at, body) VALUES ($1, $2, $3, $4, $5)
         RETURNING case_id, request_id, agency, received_at, body)
       (${CURRENT_REQUESTS} FROM (
          SELECT case_id, request_id, agency, due_at, replied_at, revision FROM checks.requests WHERE case_id = $2 AND request_id <> $1
          UNION ALL SELECT case_id, request_id, agency, due_at, replied_at, revision FROM replied) q
        ORDER BY case_id, agency, revision DESC)
       UNION ALL ${REPLIES} WHERE p.case_id = $2
       UNION ALL SELECT 'reply', s.case_id, s.request_id, s.agency, q.due_at, NULL, s.received_at, s.body FROM stored s JOIN replied q USING (request_id)`,
      [reply.requestId, reply.caseId, reply.agency, receivedAt, sealedJsonb(reply), late],
    );
    return toPicture(rows);
  }
}
