import { EntityManager } from 'typeorm';
import { dataKeys, isSealed, openedAt, openJsonb, sealedAt, sealedJsonb, partsAsCtes, StatementPart } from '@mash/at-rest';
import type { NoticeIssued } from '@mash/contracts';
import type { NoticeAgency, Receipt } from '../delivery/channel';
import type { NoticeRow } from './noticeSender';

/**
 * notifier.notices and notifier.delivery_attempts: each notice's row and every attempt to deliver
 * it. Every statement runs in the caller's transaction (`m`). Body and channel address are sealed
 * here and opened here (NOTIFIER_SEALED, docs/architecture.md "Encryption at rest").
 */
export const noticeDeliveryRows = {
  /**
   * New notices in one statement; answers the ids written now. An id issued before is left as it was
   * and is not among them.
   */
  async insertNew(
    m: EntityManager,
    rows: { notice: NoticeIssued; channel: { kind: string }; agency: NoticeAgency; sourcePublishedAt?: string }[],
  ): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const inserted: { notice_id: string }[] = await m.query(
      `INSERT INTO notifier.notices (notice_id, case_id, contact_id, kind, recipient, channel, agency, body, source_published_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $8::jsonb[], $9::timestamptz[])
       ON CONFLICT (notice_id) DO NOTHING RETURNING notice_id`,
      [
        rows.map((r) => r.notice.noticeId),
        rows.map((r) => r.notice.caseId),
        rows.map((r) => r.notice.contactId ?? null),
        rows.map((r) => r.notice.kind),
        rows.map((r) => r.notice.recipient),
        rows.map((r) => JSON.stringify(sealedAt(r.channel, 'address'))),
        rows.map((r) => r.agency),
        rows.map((r) => sealedJsonb(r.notice)),
        rows.map((r) => r.sourcePublishedAt ?? null),
      ],
    );
    return new Set(inserted.map((r) => r.notice_id));
  },

  /** Whether a pending notice is due: one look, outside any transaction, that locks nothing. */
  async anyDue(q: { query: EntityManager['query'] }): Promise<boolean> {
    const rows: unknown[] = await q.query(`SELECT 1 FROM notifier.notices WHERE status = 'pending' AND next_attempt_at <= now() LIMIT 1`);
    return rows.length > 0;
  },

  /** The pending notice due first, locked for this transaction (others skip it); undefined when none is due. */
  async nextDue(m: EntityManager): Promise<NoticeRow | undefined> {
    const rows: NoticeRow[] = await m.query(
      `SELECT notice_id, body, channel, agency, attempts, source_published_at FROM notifier.notices
       WHERE status = 'pending' AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
    );
    const row = rows[0];
    return row && { ...row, body: openJsonb<NoticeRow['body']>(row.body), channel: openedAt(row.channel, 'address') };
  },

  async retryAt(m: EntityManager, noticeId: string, attempt: number, at: Date, error: string | null): Promise<void> {
    await m.query(`UPDATE notifier.notices SET attempts = $2, next_attempt_at = $3, last_error = $4 WHERE notice_id = $1`, [
      noticeId,
      attempt,
      at,
      error,
    ]);
  },

  async deadLetter(m: EntityManager, noticeId: string, attempt: number, error: string | null): Promise<void> {
    await m.query(
      `UPDATE notifier.notices SET status = 'dead-lettered', attempts = $2, last_error = $3, dead_lettered_at = now() WHERE notice_id = $1`,
      [noticeId, attempt, error],
    );
  },

  /**
   * Every attempt's receipt, the last state of each notice delivered or settled without a channel,
   * and `withIt`'s rows (the receipts' events), in one statement.
   */
  async recordAttempts(
    m: EntityManager,
    attempts: { noticeId: string; attempt: number; receipt: Receipt }[],
    settled: { noticeId: string; receipt: Receipt; attempt: number }[],
    withIt: StatementPart[] = [],
  ): Promise<void> {
    if (attempts.length === 0) return;
    const params: unknown[] = [
      attempts.map((a) => a.noticeId),
      attempts.map((a) => a.attempt),
      attempts.map((a) => a.receipt.channel),
      attempts.map((a) => a.receipt.status),
      attempts.map((a) => a.receipt.detail ?? null),
      attempts.map((a) => a.receipt.at),
      settled.map((s) => s.noticeId),
      settled.map((s) => s.receipt.status),
      settled.map((s) => s.attempt),
      settled.map((s) => (s.receipt.status === 'delivered' ? s.receipt.at : null)),
    ];
    await m.query(
      `WITH a AS (
         INSERT INTO notifier.delivery_attempts (notice_id, attempt, channel, status, detail, at)
         SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
       ), s AS (
         UPDATE notifier.notices n SET status = u.status, attempts = u.attempt, delivered_at = u.delivered_at, last_error = NULL
         FROM unnest($7::text[], $8::text[], $9::int[], $10::timestamptz[]) AS u(notice_id, status, attempt, delivered_at)
         WHERE n.notice_id = u.notice_id
       )${partsAsCtes(params, withIt, 'true')}
       SELECT 1`,
      params,
    );
  },

  /**
   * Outcome notices written in a window around the London day `day` (by row time; dailyDigests keeps
   * the ones issued on it), oldest first, opened, each with its email address if it went by email.
   */
  async outcomesAround(m: EntityManager, day: string): Promise<{ body: NoticeIssued; address: string | null }[]> {
    const stored: { body: unknown; address: string | null }[] = await m.query(
      `SELECT body, CASE WHEN channel->>'kind' = 'email' THEN channel->>'address' END AS address FROM notifier.notices
       WHERE kind = 'outcome' AND created_at >= ($1::date - 1) AND created_at < ($1::date + 2) ORDER BY created_at`,
      [day],
    );
    // The channel's address is sealed in the row (sealedAt, NOTIFIER_SEALED).
    return stored.map((r) => ({
      body: openJsonb<NoticeIssued>(r.body),
      address: isSealed(r.address) ? dataKeys().openJson<string>(r.address) : r.address,
    }));
  },
};
