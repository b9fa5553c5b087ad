import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditHead, TOPICS } from '@mash/contracts';
import { Outbox } from '@mash/messaging';
import { chainHeads } from './disclosureAudit.repository';
import { Ticker } from '@mash/messaging';

/**
 * Publishes the head of each of this service's disclosure chains (chain, position and hash) to
 * mash.audit.head.v1 whenever it has moved. Links alone cannot show that the newest rows were
 * deleted; a head that was published and is no longer in its chain does (`npm run audit:verify`).
 * Replicas may each publish the same head: a duplicate head proves the same thing twice.
 */
@Injectable()
export class AuditHeadPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  /** The head last published, by chain. */
  private readonly last = new Map<number, string>();
  private readonly ticker = new Ticker(
    'audit head',
    async () => void (await this.publishOnce()),
    () => this.everyMs,
  );

  constructor(
    private readonly ds: DataSource,
    private readonly outbox: Outbox,
    private readonly schema: string,
    private readonly everyMs: number,
  ) {}

  onApplicationBootstrap(): void {
    this.ticker.start(this.everyMs);
  }

  onApplicationShutdown(): Promise<void> {
    return this.ticker.stop();
  }

  /** The heads published: those of the chains that moved since the last time. */
  async publishOnce(now = new Date()): Promise<AuditHead[]> {
    return this.ds.transaction(async (m) => {
      const moved = (await chainHeads(m, this.schema)).filter((h) => this.last.get(h.chain) !== `${h.id}:${h.hash}`);
      const data = moved.map((h): AuditHead => ({ service: this.schema, chain: h.chain, id: h.id, hash: h.hash, at: now.toISOString() }));
      if (data.length)
        await this.outbox.addMany(
          m,
          data.map((d) => ({ topic: TOPICS.auditHead, key: this.schema, data: d })),
        );
      for (const h of moved) this.last.set(h.chain, `${h.id}:${h.hash}`);
      return data;
    });
  }
}
