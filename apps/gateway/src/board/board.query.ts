import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Rating } from '@mash/contracts';

export const AGENCY_REPLY_STATUSES = ['requested', 'reminded', 'escalated', 'missing', 'replied', 'late'] as const;
export type AgencyReplyStatus = (typeof AGENCY_REPLY_STATUSES)[number];

/**
 * Where an agency's reply stands, most final first: a reply (on time or late) settles it; then
 * what the hub did about its absence: declared missing at readiness, escalated, reminded.
 * SQL, so that counts over every open case and the tiles use one and the same rule.
 */
const REPLY_STATUS = `CASE
  WHEN a.replied_at IS NOT NULL THEN CASE WHEN a.late OR a.replied_at > a.due_at THEN 'late' ELSE 'replied' END
  WHEN a.missing THEN 'missing'
  WHEN a.escalated_at IS NOT NULL THEN 'escalated'
  WHEN a.reminders > 0 THEN 'reminded'
  ELSE 'requested' END`;

export interface BoardAgency {
  agency: string;
  status: AgencyReplyStatus;
  dueAt: string | null;
  repliedAt: string | null;
  reminders: number;
}

export interface BoardCase {
  caseId: string;
  rating: Rating;
  deadline: string;
  /** Negative once the deadline has passed. */
  secondsLeft: number;
  readyForDecision: boolean;
  agencies: BoardAgency[];
}

/** The board: ids, ratings, times and agencies only. No names, no case content. */
export interface Board {
  generatedAt: string;
  counts: {
    open: number;
    readyForDecision: number;
    overdue: number;
    byRating: Record<Rating, number>;
    byReplyStatus: Record<AgencyReplyStatus, number>;
  };
  /** The most urgent open cases first; `shown` of `counts.open`. */
  shown: number;
  cases: BoardCase[];
}

interface Row {
  open: number;
  ready: number;
  overdue: number;
  by_rating: Record<string, number>;
  by_status: Record<string, number>;
  cases: { caseId: string; rating: Rating; deadline: string; ready: boolean; agencies: BoardAgency[] }[];
}

const iso = (t: string | null) => (t === null ? null : new Date(t).toISOString());

/**
 * One statement per board, so the counts and the tiles are one consistent picture. Open cases come
 * from the partial index on gateway.cases (no decision yet); agency rows by primary key. The
 * counts look agency rows up by an array of open case ids: as a join, the planner hashes the whole
 * table, decided cases and all (300 ms at 100,000 decided cases, against 10-30 ms this way).
 */
@Injectable()
export class BoardQuery {
  private cached?: { at: number; limit: number; board: Board };
  private readonly cacheMs = Number(process.env.MASH_BOARD_CACHE_MS ?? 1000);

  constructor(private readonly ds: DataSource) {}

  async board(limit: number): Promise<Board> {
    // Every wall screen polls every 2 s; screens asking within the same second share one query.
    const now = Date.now();
    if (this.cached && this.cached.limit === limit && now - this.cached.at < this.cacheMs) return this.cached.board;
    const board = await this.query(limit, now);
    this.cached = { at: now, limit, board };
    return board;
  }

  async query(limit: number, now = Date.now()): Promise<Board> {
    const [row]: Row[] = await this.ds.query(
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
      [limit, new Date(now).toISOString()],
    );
    const byRating = { RED: 0, AMBER: 0, GREEN: 0, BLUE: 0, ...row.by_rating } as Record<Rating, number>;
    const byReplyStatus = Object.fromEntries(AGENCY_REPLY_STATUSES.map((s) => [s, row.by_status[s] ?? 0])) as Record<AgencyReplyStatus, number>;
    return {
      generatedAt: new Date(now).toISOString(),
      counts: { open: row.open, readyForDecision: row.ready, overdue: row.overdue, byRating, byReplyStatus },
      shown: row.cases.length,
      cases: row.cases.map((c) => {
        const deadline = new Date(c.deadline);
        return {
          caseId: c.caseId,
          rating: c.rating,
          deadline: deadline.toISOString(),
          secondsLeft: Math.round((deadline.getTime() - now) / 1000),
          readyForDecision: c.ready,
          agencies: c.agencies.map((a) => ({ ...a, dueAt: iso(a.dueAt), repliedAt: iso(a.repliedAt) })),
        };
      }),
    };
  }
}
