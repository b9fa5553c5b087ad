import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Rating } from '@mash/contracts';
import { nowMs as hubNowMs } from '@mash/platform/clock';
import { boardRows } from './board.repository';

export const AGENCY_REPLY_STATUSES = ['requested', 'reminded', 'escalated', 'missing', 'replied', 'late'] as const;
export type AgencyReplyStatus = (typeof AGENCY_REPLY_STATUSES)[number];

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

const iso = (t: string | null) => (t === null ? null : new Date(t).toISOString());

/** The wall board and its counts, from one read of the open cases (boardRows.openCases). */
@Injectable()
export class BoardQuery {
  private cached?: { at: number; limit: number; board: Board };
  private readonly cacheMs = Number(process.env.MASH_BOARD_CACHE_MS ?? 1000);

  constructor(private readonly ds: DataSource) {}

  async board(limit: number): Promise<Board> {
    // Every wall screen polls every 2 s; screens asking within the same second share one query.
    const now = hubNowMs();
    if (this.cached && this.cached.limit === limit && now - this.cached.at < this.cacheMs) return this.cached.board;
    const board = await this.read(limit, now);
    this.cached = { at: now, limit, board };
    return board;
  }

  /** Every rating with its open and overdue counts (zeros included, so an alert sees 0, not no data). */
  async openByRating(now: number): Promise<{ rating: Rating; open: number; overdue: number }[]> {
    return boardRows.openByRating(this.ds, new Date(now).toISOString());
  }

  /** One case's agencies and where each reply stands (the workspace's case page). */
  async caseAgencies(caseId: string): Promise<BoardAgency[]> {
    const rows = await boardRows.caseAgencies(this.ds, caseId);
    return rows.map((a) => ({ ...a, dueAt: iso(a.dueAt), repliedAt: iso(a.repliedAt) }));
  }

  async read(limit: number, now = hubNowMs()): Promise<Board> {
    const row = await boardRows.openCases(this.ds, limit, new Date(now).toISOString());
    const byRating = { RED: 0, AMBER: 0, GREEN: 0, BLUE: 0, ...row.by_rating } as Record<Rating, number>;
    const byReplyStatus = Object.fromEntries(AGENCY_REPLY_STATUSES.map((s) => [s, row.by_status[s] ?? 0])) as Record<
      AgencyReplyStatus,
      number
    >;
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
