import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { log } from '@mash/messaging';
import { Ticker } from '@mash/platform';
import { afterAttempt } from '../delivery/retry';
import { londonDay } from '../outcomeNotice/londonTime';
import { NoticeSender } from '../sending/noticeSender';
import { noticeDeliveryRows } from '../sending/noticeDelivery.repository';
import { digestRows } from './digests.repository';
import { dailyDigests } from './dailyDigest';
import { now as hubNow } from '@mash/platform/clock';

/** YYYY-MM-DD minus whole days, on the calendar (no clock arithmetic across a DST change). */
export function dayBefore(day: string, days = 1): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

/**
 * A notice's row time is its transaction's start, and that transaction may commit a moment after
 * the London day ends: a digest built the instant the day ends could miss it for good. A past day
 * is digested only once it has been over for this long. A day still going on (lag 0, demo and
 * tests only) is digested as it goes, with no grace.
 */
export const DIGEST_GRACE_MS = 5 * 60_000;

/** The London day whose digests are due at `now`. */
export function digestDay(now: Date, lagDays: number, graceMs = DIGEST_GRACE_MS): string {
  const settled = lagDays > 0 ? new Date(now.getTime() - graceMs) : now;
  return dayBefore(londonDay(settled), lagDays);
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
  private readonly ticker = new Ticker(
    'digest run',
    () => this.run(),
    () => this.pollMs,
  );

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

  async run(now = hubNow()): Promise<void> {
    const day = digestDay(now, this.lagDays);
    await this.build(day);
    while (await this.sendOne()) {
      /* until none is due */
    }
  }

  /** Creates the day's digests that do not exist yet, for organisations with an email address. */
  async build(day: string): Promise<number> {
    return this.ds.transaction(async (m) => {
      // A window around the London day by row time; dailyDigests then keeps the notices issued on it.
      const rows = await noticeDeliveryRows.outcomesAround(m, day);
      const addressOf = new Map<string, string>();
      for (const r of rows) if (r.address) addressOf.set(r.body.recipient, r.address); // the latest one used
      let created = 0;
      for (const digest of dailyDigests(
        rows.map((r) => r.body),
        day,
      )) {
        const address = addressOf.get(digest.organisation);
        if (!address) continue; // digests go by email only; topic and webhook referrers had each notice already
        if (
          await digestRows.insertNew(m, { organisation: digest.organisation, day, address, noticeIds: digest.noticeIds, text: digest.text })
        )
          created += 1;
      }
      if (created) log('info', 'daily digests built', { day, count: created });
      return created;
    });
  }

  private async sendOne(): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const d = await digestRows.nextDue(m);
      if (!d) return false;
      const id = `digest-${createHash('sha256')
        .update(JSON.stringify([d.organisation, d.day]))
        .digest('hex')
        .slice(0, 40)}`;
      const receipt = await this.sender.email.send(d.address, `MASH daily outcome report for ${d.day}`, d.text, id, 'digest');
      const attempt = d.attempts + 1;
      const step = afterAttempt(receipt, attempt, this.sender.config.policy);
      const status = step.action === 'done' ? 'delivered' : step.action === 'retry' ? 'pending' : 'dead-lettered';
      await digestRows.recordAttempt(m, d, {
        status,
        attempt,
        retryAt: step.action === 'retry' ? step.at : null,
        error: receipt.status === 'failed' ? (receipt.detail ?? null) : null,
        deliveredAt: status === 'delivered' ? receipt.at : null,
      });
      log(status === 'dead-lettered' ? 'error' : 'info', 'daily digest attempt', { digestId: id, day: d.day, attempt, status });
      return true;
    });
  }
}
