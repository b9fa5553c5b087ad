import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface OpsFigures {
  quarantine: { channel: string; reason: string; count: number; last: string }[];
  notices: { failed: number; noChannel: number; delivered: number };
  overdueAgencies: { agency: string; overdue: number; oldestDueAt: string }[];
}

/** What the ops view counts from the gateway's own tables: ids, counts and times, no case content. */
@Injectable()
export class OpsRepository {
  constructor(private readonly ds: DataSource) {}

  async figures(): Promise<OpsFigures> {
    const [quarantine, [notices], overdue] = await Promise.all([
      this.ds.query(`SELECT channel, left(reason, 200) AS reason, count(*)::int AS count, max(received_at) AS last FROM gateway.quarantine
                     WHERE received_at > now() - interval '7 days' GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 50`),
      this.ds
        .query(`SELECT count(*) FILTER (WHERE notice_status = 'failed')::int AS failed, count(*) FILTER (WHERE notice_status = 'no-channel')::int AS "noChannel",
                            count(*) FILTER (WHERE notice_status = 'delivered')::int AS delivered FROM gateway.contact_status WHERE notice_status IS NOT NULL`),
      this.ds.query(`SELECT a.agency, count(*)::int AS overdue, min(a.due_at) AS "oldestDueAt" FROM gateway.board_agency_status a
                     WHERE a.case_id = ANY (ARRAY(SELECT case_id FROM gateway.cases WHERE decision_id IS NULL))
                       AND a.replied_at IS NULL AND a.due_at < now() GROUP BY a.agency ORDER BY 2 DESC, 1`),
    ]);
    const iso = (t: string | Date) => new Date(t).toISOString();
    return {
      quarantine: quarantine.map((q: OpsFigures['quarantine'][number]) => ({ ...q, last: iso(q.last) })),
      notices,
      overdueAgencies: overdue.map((o: OpsFigures['overdueAgencies'][number]) => ({ ...o, oldestDueAt: iso(o.oldestDueAt) })),
    };
  }
}
