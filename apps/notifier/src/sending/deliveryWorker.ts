import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isInfrastructureError, log, Outbox } from '@mash/messaging';
import { NoticeSender } from './noticeSender';
import { noticeDeliveryRows } from './noticeDelivery.repository';

/**
 * Delivers pending notices from Postgres, like checks' timers: no schedule lives in memory, so a
 * restart loses nothing and several replicas never deliver the same row at once.
 *
 * One transaction per notice, holding its row (FOR UPDATE SKIP LOCKED) while the receiver answers:
 * the attempt, its receipt and any dead letter then commit together. The price is one pooled
 * connection per delivery in flight, bounded by MASH_NOTICE_CONCURRENCY and the webhook timeout.
 * A crash after the receiver accepted but before the commit sends the notice again; receivers
 * drop it by its X-Mash-Notice-Id (the id is deterministic), as the delivery contract says.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  private wake?: () => void;

  constructor(
    private readonly ds: DataSource,
    private readonly outbox: Outbox,
    private readonly sender: NoticeSender,
  ) {}

  onApplicationBootstrap(): void {
    for (let i = 0; i < this.sender.config.concurrency; i++) this.loops.push(this.loop());
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await Promise.all(this.loops);
    this.sender.close();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let worked = false;
      try {
        worked = await this.deliverOne();
      } catch (err) {
        log(isInfrastructureError(err) ? 'warn' : 'error', 'notice delivery poll failed', { error: (err as Error).message });
      }
      if (worked) {
        this.outbox.nudge();
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.sender.config.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /**
   * Takes the most overdue pending notice, if any, and makes one attempt. Most polls find none:
   * they look first, in one statement outside a transaction, and open one only when a notice is due.
   */
  async deliverOne(): Promise<boolean> {
    if (!(await noticeDeliveryRows.anyDue(this.ds))) return false;
    return this.ds.transaction(async (m) => {
      const row = await noticeDeliveryRows.nextDue(m);
      if (!row) return false;
      await this.sender.attempt(m, [row]);
      return true;
    });
  }
}
