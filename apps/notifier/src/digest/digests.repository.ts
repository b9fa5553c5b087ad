import { EntityManager } from 'typeorm';
import { dataKeys, isSealed } from '@mash/at-rest';

/** A digest due for sending, opened. */
export interface DueDigest {
  organisation: string;
  day: string;
  address: string;
  text: string;
  attempts: number;
}

/**
 * notifier.digests: one daily outcome report per organisation and day, address and text sealed
 * here (NOTIFIER_SEALED). Every statement runs in the caller's transaction (`m`).
 */
export const digestRows = {
  /** False when the organisation's digest for that day exists already (it is left as it was). */
  async insertNew(
    m: EntityManager,
    d: { organisation: string; day: string; address: string; noticeIds: string[]; text: string },
  ): Promise<boolean> {
    const inserted: unknown[] = await m.query(
      `INSERT INTO notifier.digests (organisation, day, address, notice_ids, text) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING day`,
      [d.organisation, d.day, dataKeys().seal(d.address), JSON.stringify(d.noticeIds), dataKeys().seal(d.text)],
    );
    return inserted.length > 0;
  },

  /** The pending digest due first, locked for this transaction (others skip it). */
  async nextDue(m: EntityManager): Promise<DueDigest | undefined> {
    const [d]: DueDigest[] = await m.query(
      `SELECT organisation, to_char(day, 'YYYY-MM-DD') AS day, address, text, attempts FROM notifier.digests
       WHERE status = 'pending' AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
    );
    return d && { ...d, address: isSealed(d.address) ? dataKeys().open(d.address) : d.address, text: dataKeys().open(d.text) };
  },

  async recordAttempt(
    m: EntityManager,
    d: { organisation: string; day: string },
    a: { status: string; attempt: number; retryAt: Date | null; error: string | null; deliveredAt: string | null },
  ): Promise<void> {
    await m.query(
      `UPDATE notifier.digests SET status = $3, attempts = $4, next_attempt_at = COALESCE($5, next_attempt_at), last_error = $6, delivered_at = $7 WHERE organisation = $1 AND day = $2`,
      [d.organisation, d.day, a.status, a.attempt, a.retryAt, a.error, a.deliveredAt],
    );
  },
};
