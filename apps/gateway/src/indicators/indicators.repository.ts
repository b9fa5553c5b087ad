import { Injectable } from '@nestjs/common';
import { dataKeys, openJsonb } from '@mash/at-rest';
import type { Contact, DecisionRecorded, NoticeChannel } from '@mash/contracts';
import { DataSource } from 'typeorm';
import { subjectKeys } from './repeatContacts';

/** A half-open period [from, to) of contacts received. */
export interface Period {
  from: Date;
  to: Date;
}

type Counts = Record<string, number>;

const toCounts = (rows: { k: string | null; n: number }[]): Counts => Object.fromEntries(rows.map((r) => [r.k ?? 'unknown', r.n]));

/** A contact as the figures count it: no names, identifiers or narrative, only codes and keyed digests of the subjects' match keys. */
export interface ContactFacts {
  contactId: string;
  receivedAt: Date;
  source: string | null;
  /** Presenting issue codes, each once. */
  issues: string[];
  channelKind: string | null;
  noChannelReason: string | null;
  /** Keyed digests of the match keys of the children and unborn subjects (repeatContacts.ts); held in memory only. */
  keys: string[];
}

/** A case of the period as the figures count it. */
export interface CaseFacts {
  receivedAt: Date;
  start: string | null;
  deadline: Date;
  decision?: { finalRating: string; decidedAt: Date; outcomes: string[] };
}

/**
 * The partnership's figures from the gateway's own records: contacts as received (body, source,
 * referrer's channel), cases with their rating at the start of checks and decision, each agency's
 * request and reply times, and each referrer's notice receipt (the notifier's receipts, projected
 * here from mash.notice.delivered.v1). A contact counts in the period it was received; a case in the
 * period its first contact was received. Contact and decision bodies are sealed at rest, so SQL reads
 * them whole and they are opened here (docs/indicators.md); SQL only filters and joins on plain
 * columns. Rows in, domain values out.
 */
@Injectable()
export class IndicatorsRepository {
  constructor(private readonly ds: DataSource) {}

  private q<T>(sql: string, p: Period, extra: unknown[] = []): Promise<T[]> {
    return this.ds.query(sql, [p.from, p.to, ...extra]);
  }

  /**
   * The contacts received in [from, to), each opened (docs/indicators.md) and reduced at once to
   * the non-personal facts the figures count and keyed digests of the subject match keys for the
   * repeat count; the bodies are read in pages so a long period never holds them all at once.
   */
  async contactsReceived(from: Date, to: Date, page = 500): Promise<ContactFacts[]> {
    const out: ContactFacts[] = [];
    let after: { at: Date; id: string } | undefined;
    for (;;) {
      const rows: { contact_id: string; received_at: Date; body: unknown }[] = await this.ds.query(
        `SELECT contact_id, received_at, body FROM gateway.contacts
         WHERE received_at >= $1 AND received_at < $2 AND ($3::timestamptz IS NULL OR (received_at, contact_id) > ($3::timestamptz, $4::text))
         ORDER BY received_at, contact_id LIMIT $5`,
        [from, to, after?.at ?? null, after?.id ?? null, page],
      );
      for (const r of rows) {
        const body = openJsonb<Partial<Contact>>(r.body) ?? {};
        const channel: Partial<NoticeChannel> = body.referrer?.channel ?? {};
        out.push({
          contactId: r.contact_id,
          receivedAt: new Date(r.received_at),
          source: body.referrer?.source ?? null,
          issues: [...new Set((body.presentingIssues ?? []).map((i) => i?.code).filter((c): c is string => typeof c === 'string'))],
          channelKind: channel.kind ?? null,
          noChannelReason: channel.kind === 'none' ? (channel.reason ?? null) : null,
          // Keyed digests (the at-rest lookup HMAC), so the facts held for the count name nobody.
          keys: subjectKeys(body.subjects).map((k) => dataKeys().lookup('indicator-subject', k)),
        });
      }
      if (rows.length < page) return out;
      const last = rows[rows.length - 1];
      after = { at: last.received_at, id: last.contact_id };
    }
  }

  /**
   * The cases whose first contact was received in the period: rating at the start of checks (the
   * case's rating where no start stage was recorded), the deadline, the first contact's time, and
   * the decision (final rating, time, outcomes) opened from its sealed body.
   */
  async casesOf(p: Period): Promise<CaseFacts[]> {
    const rows: { received_at: Date; start: string | null; deadline: Date; decision: unknown }[] = await this.q(
      `SELECT c.received_at, coalesce(k.rating_start->>'rating', k.rating) AS start, k.deadline, d.body AS decision
       FROM gateway.cases k JOIN gateway.contacts c ON c.contact_id = k.contact_id
       LEFT JOIN gateway.decisions d ON d.case_id = k.case_id
       WHERE c.received_at >= $1 AND c.received_at < $2`,
      p,
    );
    return rows.map((r) => {
      const d = r.decision === null || r.decision === undefined ? undefined : openJsonb<Partial<DecisionRecorded>>(r.decision);
      const decided =
        d && typeof d.decidedAt === 'string' && typeof d.finalRating === 'string'
          ? {
              finalRating: d.finalRating as string,
              decidedAt: new Date(d.decidedAt),
              outcomes: Array.isArray(d.outcomes) ? (d.outcomes as unknown[]).filter((o): o is string => typeof o === 'string') : [],
            }
          : undefined;
      return { receivedAt: new Date(r.received_at), start: r.start, deadline: new Date(r.deadline), decision: decided };
    });
  }

  /** Each agency's checks for the cases of the period: replied by the due time, replied after it, no reply. */
  async partnerReplies(p: Period): Promise<{ agency: string; requested: number; onTime: number; late: number; noReply: number }[]> {
    return this.q(
      `SELECT a.agency, count(*)::int AS requested,
              count(*) FILTER (WHERE a.replied_at IS NOT NULL AND NOT a.late AND (a.due_at IS NULL OR a.replied_at <= a.due_at))::int AS "onTime",
              count(*) FILTER (WHERE a.replied_at IS NOT NULL AND (a.late OR a.replied_at > a.due_at))::int AS late,
              count(*) FILTER (WHERE a.replied_at IS NULL)::int AS "noReply"
       FROM gateway.board_agency_status a JOIN gateway.cases k ON k.case_id = a.case_id JOIN gateway.contacts c ON c.contact_id = k.contact_id
       WHERE c.received_at >= $1 AND c.received_at < $2 GROUP BY a.agency ORDER BY a.agency`,
      p,
    );
  }

  /** Outcome notices to the referrers of the period's contacts, by the notifier's last receipt. */
  async notices(p: Period): Promise<Counts> {
    return toCounts(
      await this.q(
        `SELECT s.notice_status AS k, count(*)::int AS n FROM gateway.contact_status s JOIN gateway.contacts c USING (contact_id)
       WHERE c.received_at >= $1 AND c.received_at < $2 AND s.notice_status IS NOT NULL GROUP BY 1 ORDER BY 1`,
        p,
      ),
    );
  }
}
