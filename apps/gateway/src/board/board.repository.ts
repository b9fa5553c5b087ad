import { DataSource, EntityManager } from 'typeorm';
import type { CheckAgency, CheckChased, CheckReplied, Rating } from '@mash/contracts';
import type { BoardAgency } from './board.query';

/**
 * Where an agency's reply stands, most final first: a reply (on time or late) settles it; then
 * what the hub did about its absence: declared missing at readiness, escalated, reminded.
 * SQL, so that counts over every open case and the tiles use one and the same rule.
 */
export const REPLY_STATUS = `CASE
  WHEN a.replied_at IS NOT NULL THEN CASE WHEN a.late OR a.replied_at > a.due_at THEN 'late' ELSE 'replied' END
  WHEN a.missing THEN 'missing'
  WHEN a.escalated_at IS NOT NULL THEN 'escalated'
  WHEN a.reminders > 0 THEN 'reminded'
  ELSE 'requested' END`;

/** The board's one read, as Postgres answers it. */
export interface OpenCasesRow {
  open: number;
  ready: number;
  overdue: number;
  by_rating: Record<string, number>;
  by_status: Record<string, number>;
  cases: { caseId: string; rating: Rating; deadline: string; ready: boolean; agencies: BoardAgency[] }[];
}

/** An agency a rating asks, and by when. */
export interface PlannedCheck {
  agency: CheckAgency;
  dueAt: string;
}

/** An agency's place at readiness: declared missing, and late (which, once set, stays). */
export interface AgencyAtReadiness {
  agency: CheckAgency;
  missing: boolean;
  late: boolean;
}

/**
 * The board's rows that a rating and a readiness write, as parts of the statement that writes the
 * case and its contacts (statusRows): the case row's write (the CTE named `c`, with its case_id)
 * and the board's rows in one round trip, the board's written only when the case row is. The
 * arguments name the statement's parameters: agencies and due times, or agencies and flags, as
 * arrays in the same order.
 */
export const boardWithCase = {
  planChecks: (agencies: string, dueAts: string) =>
    `INSERT INTO gateway.board_agency_status (case_id, agency, due_at)
     SELECT c.case_id, t.agency, t.due_at::timestamptz FROM c, unnest(${agencies}::text[], ${dueAts}::text[]) AS t(agency, due_at)
     ON CONFLICT (case_id, agency) DO UPDATE SET due_at = EXCLUDED.due_at, updated_at = now()`,

  readiness: (agencies: string, missing: string, late: string) =>
    `INSERT INTO gateway.board_agency_status (case_id, agency, missing, late)
     SELECT c.case_id, t.agency, t.missing, t.late FROM c, unnest(${agencies}::text[], ${missing}::boolean[], ${late}::boolean[]) AS t(agency, missing, late)
     ON CONFLICT (case_id, agency) DO UPDATE SET missing = EXCLUDED.missing,
       late = gateway.board_agency_status.late OR EXCLUDED.late, updated_at = now()`,
};

/**
 * gateway.board_agency_status (BoardProjection writes it, in the handler's transaction; the rating
 * and readiness rows with the case, boardWithCase) and the reads of the board over it and
 * gateway.cases (BoardQuery).
 */
export const boardRows = {
  async chased(m: EntityManager, e: CheckChased, counts: { reminders: number; refusedReplies: number }): Promise<void> {
    await m.query(
      `INSERT INTO gateway.board_agency_status AS s (case_id, agency, request_id, due_at, reminders, last_reminded_at, escalated_at, refused_replies)
       VALUES ($1, $2, $3, $4::timestamptz, $5::int, CASE WHEN $5::int > 0 THEN $6::timestamptz END, CASE WHEN $7::boolean THEN $6::timestamptz END, $8::int)
       ON CONFLICT (case_id, agency) DO UPDATE SET
         request_id = COALESCE(s.request_id, EXCLUDED.request_id),
         due_at = COALESCE(s.due_at, EXCLUDED.due_at),
         reminders = s.reminders + EXCLUDED.reminders,
         last_reminded_at = GREATEST(s.last_reminded_at, EXCLUDED.last_reminded_at),
         escalated_at = LEAST(s.escalated_at, EXCLUDED.escalated_at),
         refused_replies = s.refused_replies + EXCLUDED.refused_replies,
         updated_at = now()`,
      [e.caseId, e.agency, e.requestId, e.dueAt, counts.reminders, e.at, e.kind === 'escalation', counts.refusedReplies],
    );
  },

  async replied(
    m: EntityManager,
    agency: CheckAgency,
    e: Pick<CheckReplied, 'caseId' | 'requestId' | 'repliedAt' | 'known'>,
  ): Promise<void> {
    await m.query(
      `INSERT INTO gateway.board_agency_status AS s (case_id, agency, request_id, replied_at, known)
       VALUES ($1, $2, $3, $4::timestamptz, $5::boolean)
       ON CONFLICT (case_id, agency) DO UPDATE SET
         request_id = COALESCE(s.request_id, EXCLUDED.request_id),
         replied_at = LEAST(s.replied_at, EXCLUDED.replied_at),
         known = COALESCE(s.known, EXCLUDED.known),
         updated_at = now()`,
      [e.caseId, agency, e.requestId, e.repliedAt, e.known],
    );
  },

  /** Every rating with its open and overdue counts at `nowIso` (zeros included). */
  async openByRating(ds: DataSource, nowIso: string): Promise<{ rating: Rating; open: number; overdue: number }[]> {
    const rows: { rating: Rating; open: number; overdue: number }[] = await ds.query(
      `SELECT r.rating, count(c.case_id)::int AS open, count(c.case_id) FILTER (WHERE c.deadline < $1)::int AS overdue
       FROM unnest(ARRAY['RED', 'AMBER', 'GREEN', 'BLUE']) AS r(rating)
       LEFT JOIN gateway.cases c ON c.rating = r.rating AND c.decision_id IS NULL
       GROUP BY r.rating ORDER BY r.rating`,
      [nowIso],
    );
    return rows;
  },

  /** One case's agencies and where each reply stands; times as Postgres gives them. */
  async caseAgencies(ds: DataSource, caseId: string): Promise<BoardAgency[]> {
    const rows: BoardAgency[] = await ds.query(
      `SELECT a.agency, ${REPLY_STATUS} AS status, a.due_at AS "dueAt", a.replied_at AS "repliedAt", a.reminders FROM gateway.board_agency_status a WHERE a.case_id = $1 ORDER BY a.agency`,
      [caseId],
    );
    return rows;
  },

  /**
   * One statement per board, so the counts and the tiles are one consistent picture. Open cases come
   * from the partial index on gateway.cases (no decision yet); agency rows by primary key. The
   * counts look agency rows up by an array of open case ids: as a join, the planner hashes the whole
   * table, decided cases and all (300 ms at 100,000 decided cases, against 10-30 ms this way).
   */
  async openCases(ds: DataSource, limit: number, nowIso: string): Promise<OpenCasesRow> {
    const [row]: OpenCasesRow[] = await ds.query(
      `WITH open AS MATERIALIZED (
         SELECT case_id, rating, deadline, ready FROM gateway.cases WHERE decision_id IS NULL
       ), page AS (
         SELECT * FROM open ORDER BY deadline, case_id LIMIT $1
       )
       SELECT
         (SELECT count(*) FROM open)::int AS open,
         (SELECT count(*) FROM open WHERE ready)::int AS ready,
         (SELECT count(*) FROM open WHERE deadline < $2)::int AS overdue,
         (SELECT coalesce(json_object_agg(rating, n), '{}') FROM (SELECT rating, count(*)::int AS n FROM open GROUP BY rating) r) AS by_rating,
         (SELECT coalesce(json_object_agg(status, n), '{}') FROM (
            SELECT ${REPLY_STATUS} AS status, count(*)::int AS n
            FROM gateway.board_agency_status a WHERE a.case_id = ANY (ARRAY(SELECT case_id FROM open)) GROUP BY 1) s) AS by_status,
         (SELECT coalesce(json_agg(json_build_object(
             'caseId', p.case_id, 'rating', p.rating, 'deadline', p.deadline, 'ready', p.ready,
             'agencies', (SELECT coalesce(json_agg(json_build_object(
                 'agency', a.agency, 'status', ${REPLY_STATUS}, 'dueAt', a.due_at, 'repliedAt', a.replied_at, 'reminders', a.reminders) ORDER BY a.agency), '[]')
               FROM gateway.board_agency_status a WHERE a.case_id = p.case_id)
           ) ORDER BY p.deadline, p.case_id), '[]') FROM page p) AS cases`,
      [limit, nowIso],
    );
    return row;
  },
};
