import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { NoticeIssued } from '@mash/contracts';
import { log } from '@mash/messaging';
import { Ticker } from '@mash/platform';
import { afterAttempt } from '../delivery/retry';
import { londonDay } from '../outcomeNotice/londonTime';
import { NoticeSender } from '../sending/noticeSender';
import { dailyDigests } from './dailyDigest';

/** YYYY-MM-DD minus whole days, on the calendar (no clock arithmetic across a DST change). */
export function dayBefore(day: string, days = 1): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

/**
 * The optional daily digest (Lewisham's daily NFA report), per referring organisation that has an
 * email channel, for the previous London day. Off unless MASH_DIGEST_ENABLED=true.
 *
 * Scheduled through Postgres, not a timer: each poll builds the digests for the day if they are
 * not there yet, and a digest row (organisation, day) is the claim that it goes out once, whatever
 * restarts or replicas. Sending takes pending rows with SKIP LOCKED and backs off like notices.
 * MASH_DIGEST_LAG_DAYS=0 digests the current day, for the demo and tests only: a day still going
 * on would be reported before it ends.
 */
@Injectable()
export class DigestJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly enabled = process.env.MASH_DIGEST_ENABLED === 'true';
  private readonly pollMs = Number(process.env.MASH_DIGEST_POLL_MS ?? 60_000);
  private readonly lagDays = Number(process.env.MASH_DIGEST_LAG_DAYS ?? 1);
  private readonly ticker = new Ticker('digest run', () => this.run(), () => this.pollMs);

  constructor(
    private readonly ds: DataSource,
    private readonly sender: NoticeSender,
  ) {}

  onApplicationBootstrap(): void {
    if (this.enabled) this.ticker.start(Math.min(this.pollMs, 1000));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.ticker.stop();
  }

  async run(now = new Date()): Promise<void> {
    const day = dayBefore(londonDay(now), this.lagDays);
    await this.build(day);
    while (await this.sendOne()) {
      /* until none is due */
    }
  }

  /** Creates the day's digests that do not exist yet, for organisations with an email address. */
  async build(day: string): Promise<number> {
    return this.ds.transaction(async (m) => {
      // A window around the London day by row time; dailyDigests then keeps the notices issued on it.
      const rows: { body: NoticeIssued; address: string | null }[] = await m.query(
        `SELECT body, CASE WHEN channel->>'kind' = 'email' THEN channel->>'address' END AS address FROM notifier.notices
         WHERE kind = 'outcome' AND created_at >= ($1::date - 1) AND created_at < ($1::date + 2) ORDER BY created_at`,
        [day],
      );
      const addressOf = new Map<string, string>();
      for (const r of rows) if (r.address) addressOf.set(r.body.recipient, r.address); // the latest one used
      let created = 0;
      for (const digest of dailyDigests(rows.map((r) => r.body), day)) {
        const address = addressOf.get(digest.organisation);
        if (!address) continue; // digests go by email only; topic and webhook referrers had each notice already
        const inserted: unknown[] = await m.query(
          `INSERT INTO notifier.digests (organisation, day, address, notice_ids, text) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING day`,
          [digest.organisation, day, address, JSON.stringify(digest.noticeIds), digest.text],
        );
        created += inserted.length;
      }
      if (created) log('info', 'daily digests built', { day, count: created });
      return created;
    });
  }

  private async sendOne(): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const [d]: { organisation: string; day: string; address: string; text: string; attempts: number }[] = await m.query(
        `SELECT organisation, to_char(day, 'YYYY-MM-DD') AS day, address, text, attempts FROM notifier.digests
         WHERE status = 'pending' AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
      );
      if (!d) return false;
      const id = `digest-${createHash('sha256').update(JSON.stringify([d.organisation, d.day])).digest('hex').slice(0, 40)}`;
      const receipt = await this.sender.email.send(d.address, `MASH daily outcome report for ${d.day}`, d.text, id, 'digest');
      const attempt = d.attempts + 1;
      const step = afterAttempt(receipt, attempt, this.sender.config.policy);
      const status = step.action === 'done' ? 'delivered' : step.action === 'retry' ? 'pending' : 'dead-lettered';
      await m.query(
        `UPDATE notifier.digests SET status = $3, attempts = $4, next_attempt_at = COALESCE($5, next_attempt_at), last_error = $6, delivered_at = $7 WHERE organisation = $1 AND day = $2`,
        [d.organisation, d.day, status, attempt, step.action === 'retry' ? step.at : null, receipt.status === 'failed' ? (receipt.detail ?? null) : null, status === 'delivered' ? receipt.at : null],
      );
      log(status === 'dead-lettered' ? 'error' : 'info', 'daily digest attempt', { digestId: id, day: d.day, attempt, status });
      return true;
    });
  }
}
