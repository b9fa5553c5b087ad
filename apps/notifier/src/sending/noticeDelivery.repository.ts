import { EntityManager } from 'typeorm';
import { dataKeys, isSealed, openedAt, openJsonb, sealedAt, sealedJsonb } from '@mash/at-rest';
import type { NoticeIssued } from '@mash/contracts';
import type { NoticeAgency, Receipt } from '../delivery/channel';
import type { NoticeRow } from './noticeSender';

/**
 * notifier.notices and notifier.delivery_attempts: each notice's row and every attempt to deliver
 * it. Every statement runs in the caller's transaction (`m`). Body and channel address are sealed
 * here and opened here (NOTIFIER_SEALED, docs/architecture.md "Encryption at rest").
 */
export const noticeDeliveryRows = {
  /** A new notice; false when its id was issued before (the row is left as it was). */
  async insertNew(
    m: EntityManager,
    notice: NoticeIssued,
    channel: { kind: string },
    agency: NoticeAgency,
    sourcePublishedAt?: string,
  ): Promise<boolean> {
    const inserted: unknown[] = await m.query(
      `INSERT INTO notifier.notices (notice_id, case_id, contact_id, kind, recipient, channel, agency, body, source_published_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (notice_id) DO NOTHING RETURNING notice_id`,
      [
        notice.noticeId,
        notice.caseId,
        notice.contactId ?? null,
        notice.kind,
        notice.recipient,
        JSON.stringify(sealedAt(channel, 'address')),
        agency,
        sealedJsonb(notice),
        sourcePublishedAt ?? null,
      ],
    );
    return inserted.length > 0;
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

  async recordAttempt(m: EntityManager, noticeId: string, attempt: number, receipt: Receipt): Promise<void> {
    await m.query(
      `INSERT INTO notifier.delivery_attempts (notice_id, attempt, channel, status, detail, at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [noticeId, attempt, receipt.channel, receipt.status, receipt.detail ?? null, receipt.at],
    );
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

  /** Delivered, or settled without a channel: the notice's last state. */
  async settle(m: EntityManager, noticeId: string, receipt: Receipt, attempt: number): Promise<void> {
    await m.query(`UPDATE notifier.notices SET status = $2, attempts = $3, delivered_at = $4, last_error = NULL WHERE notice_id = $1`, [
      noticeId,
      receipt.status,
      attempt,
      receipt.status === 'delivered' ? receipt.at : null,
    ]);
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
