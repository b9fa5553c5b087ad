import type { ClientBase } from 'pg';

export interface ReplayRequest {
  /** Dead-lettered notices to replay; ignored when `allDead` is set. */
  noticeIds: string[];
  allDead: boolean;
  /** Who asked, for the audit row: an operator name, never a referrer's. */
  requestedBy: string;
  reason?: string;
}

export interface ReplayResult {
  replayed: string[];
  /** Asked for but not dead-lettered (unknown, pending, delivered...): nothing was changed for them. */
  refused: { noticeId: string; status: string }[];
}

export interface DeadNotice {
  notice_id: string;
  case_id: string;
  kind: string;
  channel: string;
  attempts: number;
  last_error: string | null;
  dead_lettered_at: Date;
}

export async function listDeadLettered(db: ClientBase, limit = 200): Promise<DeadNotice[]> {
  const { rows } = await db.query<DeadNotice>(
    `SELECT notice_id, case_id, kind, channel->>'kind' AS channel, attempts, last_error, dead_lettered_at
     FROM notifier.notices WHERE status = 'dead-lettered' ORDER BY dead_lettered_at LIMIT $1`,
    [limit],
  );
  return rows;
}

/**
 * Puts dead-lettered notices back to pending, due now, with a fresh series of attempts (the
 * attempts already made stay in delivery_attempts); the delivery worker does the rest. Only
 * dead-lettered rows move: a replay can never resend a notice that was delivered, nor one whose
 * body retention has already removed (it would send an empty notice).
 */
export async function replayNotices(db: ClientBase, req: ReplayRequest): Promise<ReplayResult> {
  await db.query('BEGIN');
  try {
    const { rows } = await db.query<{ notice_id: string }>(
      `UPDATE notifier.notices SET status = 'pending', attempts = 0, next_attempt_at = now(), dead_lettered_at = NULL, replays = replays + 1
       WHERE status = 'dead-lettered' AND pruned_at IS NULL AND ($2 OR notice_id = ANY($1::text[])) RETURNING notice_id`,
      [req.noticeIds, req.allDead],
    );
    const replayed = rows.map((r) => r.notice_id).sort();
    if (replayed.length) {
      await db.query(`INSERT INTO notifier.replays (notice_id, requested_by, reason) SELECT unnest($1::text[]), $2, $3`, [
        replayed,
        req.requestedBy,
        req.reason ?? null,
      ]);
    }
    const done = new Set(replayed);
    const others = req.allDead ? [] : req.noticeIds.filter((id) => !done.has(id));
    const { rows: found } = await db.query<{ notice_id: string; status: string }>(
      `SELECT notice_id, status FROM notifier.notices WHERE notice_id = ANY($1::text[])`,
      [others],
    );
    const status = new Map(found.map((f) => [f.notice_id, f.status]));
    await db.query('COMMIT');
    return { replayed, refused: others.map((noticeId) => ({ noticeId, status: status.get(noticeId) ?? 'unknown' })) };
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
