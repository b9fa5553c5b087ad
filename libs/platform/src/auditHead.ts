import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditHead, TOPICS } from '@mash/contracts';
import { Outbox } from '@mash/messaging';
import { chainHead } from './disclosureAudit.repository';
import { Ticker } from '@mash/messaging';

/**
 * Publishes the head of this service's disclosure chain (position and hash) to mash.audit.head.v1
 * whenever it has moved. Links alone cannot show that the newest rows were deleted; a head that was
 * published and is no longer in the chain does (`npm run audit:verify`). Replicas may each publish
 * the same head: a duplicate head proves the same thing twice.
 */
@Injectable()
export class AuditHeadPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private last?: string;
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

  /** The head published, or null when there is nothing new to say. */
  async publishOnce(now = new Date()): Promise<AuditHead | null> {
    return this.ds.transaction(async (m) => {
      const head = await chainHead(m, this.schema);
      if (!head || `${head.id}:${head.hash}` === this.last) return null;
      const data: AuditHead = { service: this.schema, id: head.id, hash: head.hash, at: now.toISOString() };
      await this.outbox.add(m, { topic: TOPICS.auditHead, key: this.schema, data });
      this.last = `${head.id}:${head.hash}`;
      return data;
    });
  }
}
