import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Contact, DeadLetter, NoticeIssued, noticeIssuedTopic, TOPICS } from '@mash/contracts';
import { log, Outbox, Outgoing, sealedRaw } from '@mash/messaging';
import { DeliveryTarget, failed, NoticeAgency, NoticeTarget, Receipt, targetFor } from '../delivery/channel';
import { deliveryRecord, NoticeDispatcher } from '../delivery/dispatch';
import { EmailChannel, emailConfigFromEnv } from '../delivery/email';
import { NoChannel } from '../delivery/noChannel';
import { afterAttempt } from '../delivery/retry';
import { TopicChannel } from '../delivery/topic';
import { WebhookChannel } from '../delivery/webhook';
import { WebhookRegistry, webhookRegistryFromEnv } from '../delivery/webhookRegistry';
import { SendingConfig, sendingConfigFromEnv, webhookSecretsFromEnv } from './config';
import { noticeMetrics } from './metrics';
import { noticeDeliveryRows } from './noticeDelivery.repository';
import { recordDisclosures } from '@mash/platform';

/** A notices row as the sender needs it. */
export interface NoticeRow {
  notice_id: string;
  body: NoticeIssued;
  /**
   * The target as stored: a registered webhook's key, an email address, no channel, or
   * { kind: 'topic' } with the agency column. Rows issued before the registry may still hold
   * { kind: 'webhook', url }: the url is never called, the agency's registry entry is.
   */
  channel: NoticeTarget | { kind: 'topic' } | { kind: 'webhook'; url: string };
  agency: NoticeAgency;
  attempts: number;
  source_published_at: Date | string | null;
}

/** A notice a case owes, where it goes and for which agency. */
export interface OwedNotice {
  notice: NoticeIssued;
  target: NoticeTarget;
  agency: NoticeAgency;
  /** When the decision it tells of was published (not for an acknowledgement). */
  sourcePublishedAt?: string;
}

export const REPLAY_HINT = (noticeId: string) => `npm run replay:notices -- --notice ${noticeId}`;

/**
 * Issues notices (one row each, id deterministic, ON CONFLICT DO NOTHING: a decision seen twice
 * issues nothing the second time) and records every attempt. Each attempt's outcome, the receipt
 * on mash.notice.delivered.v1 and any dead letter commit in the caller's transaction, through the
 * outbox: the status a row shows and the events the hub sees cannot disagree.
 */
@Injectable()
export class NoticeSender {
  readonly config: SendingConfig = sendingConfigFromEnv();
  private readonly secretOf = webhookSecretsFromEnv();
  readonly webhookRegistry: WebhookRegistry = webhookRegistryFromEnv();
  private readonly webhooks = new Map<string, WebhookChannel>();
  readonly email = new EmailChannel(emailConfigFromEnv());
  private readonly none = new NoChannel();

  constructor(private readonly outbox: Outbox) {}

  /**
   * Stores new notices, in one statement whatever their number (a decision owes one to every
   * referrer and every contributor at once), and answers how many were new. Topic and no-channel
   * notices are settled at once in this transaction (a Kafka handler's): neither does network I/O.
   * Webhook and email stay pending for the worker, because a slow receiver must never hold up a
   * Kafka consumer.
   */
  async issue(m: EntityManager, owed: OwedNotice[]): Promise<number> {
    const stored = owed.map((o) => ({
      notice: o.notice,
      channel: o.target.kind === 'topic' ? { kind: 'topic' } : o.target,
      agency: o.agency,
      sourcePublishedAt: o.sourcePublishedAt,
    }));
    const inserted = await noticeDeliveryRows.insertNew(m, stored);
    const fresh = stored.filter((s) => inserted.has(s.notice.noticeId));
    // To whom, over which channel: never the notice text.
    await recordDisclosures(
      m,
      'notifier',
      fresh.map(({ notice, channel, agency }) => ({
        principal: 'notifier',
        action: 'notice-issued',
        caseId: notice.caseId,
        contactId: notice.contactId ?? null,
        detail: { noticeId: notice.noticeId, kind: notice.kind, recipient: agency, channel: channel.kind },
      })),
    );
    for (const { notice, channel } of fresh)
      log('info', 'notice issued', { noticeId: notice.noticeId, caseId: notice.caseId, kind: notice.kind, channel: channel.kind });
    await this.attempt(
      m,
      fresh
        .filter((s) => s.channel.kind === 'topic' || s.channel.kind === 'none')
        .map((s) => ({
          notice_id: s.notice.noticeId,
          body: s.notice,
          channel: s.channel as NoticeRow['channel'],
          agency: s.agency,
          attempts: 0,
          source_published_at: s.sourcePublishedAt ?? null,
        })),
    );
    return fresh.length;
  }

  /**
   * Where a referrer's notices go. A webhook is the registry's endpoint for the submitting agency
   * (or its entry for the referrer's organisation); the address the contact names is never used,
   * and with no entry the notice has no channel (recorded and counted, not dropped).
   */
  referrerTarget(referrer: Contact['referrer'], agency: NoticeAgency): NoticeTarget {
    if (referrer.channel.kind !== 'webhook') return targetFor(referrer.channel, agency);
    const endpoint = this.webhookRegistry.resolve(agency, referrer.odsCode);
    return endpoint ? { kind: 'webhook', endpoint: endpoint.key } : { kind: 'none', reason: 'no-registered-endpoint' };
  }

  /**
   * One delivery attempt of each row (pending rows the caller holds locked, or notices just
   * issued), its receipt recorded and its events written: a statement or two for all of them.
   */
  async attempt(m: EntityManager, rows: NoticeRow[]): Promise<Receipt[]> {
    if (rows.length === 0) return [];
    // The topic channel's messages go to the outbox with the receipts' events, in this transaction.
    const events: Outgoing<unknown>[] = [];
    const dispatcher = (agency: NoticeAgency) =>
      new NoticeDispatcher({
        webhook: this.webhookFor(agency),
        email: this.email,
        topic: new TopicChannel(async (msg) => void events.push(msg)),
        none: this.none,
      });
    const receipts: Receipt[] = [];
    for (const row of rows) {
      const target = this.deliveryTarget(row);
      receipts.push('receipt' in target ? target.receipt : await dispatcher(row.agency).deliver(row.body, target));
    }
    await this.record(
      m,
      rows.map((row, i) => ({ row, receipt: receipts[i], attempt: row.attempts + 1 })),
      events,
    );
    return receipts;
  }

  /** The stored target made deliverable; a webhook's address is looked up in the registry now. */
  private deliveryTarget(row: NoticeRow): DeliveryTarget | { receipt: Receipt } {
    const c = row.channel;
    if (c.kind === 'topic') return { kind: 'topic', agency: row.agency };
    if (c.kind !== 'webhook') return c;
    const endpoint = 'endpoint' in c ? c.endpoint : row.agency;
    const url = this.webhookRegistry.urlOf(endpoint);
    if (!url)
      return {
        receipt: failed('webhook', new Date(), `webhook endpoint '${endpoint}' is not in the registry (MASH_WEBHOOK_ENDPOINTS)`, false),
      };
    return { kind: 'webhook', url };
  }

  private webhookFor(agency: NoticeAgency): WebhookChannel {
    let channel = this.webhooks.get(agency);
    if (!channel) {
      channel = new WebhookChannel({ secretFor: () => this.secretOf(agency), timeoutMs: this.config.webhookTimeoutMs });
      this.webhooks.set(agency, channel);
    }
    return channel;
  }

  /**
   * The attempts' receipts, each notice's next state and the events they make: one statement, and
   * one more for each notice to retry or dead-letter.
   */
  private async record(
    m: EntityManager,
    tried: { row: NoticeRow; receipt: Receipt; attempt: number }[],
    events: Outgoing<unknown>[],
  ): Promise<void> {
    const settled: { noticeId: string; receipt: Receipt; attempt: number }[] = [];
    for (const { row, receipt, attempt } of tried) {
      const notice = row.body;
      noticeMetrics.attempts.inc({ channel: receipt.channel, status: receipt.status });
      const step = afterAttempt(receipt, attempt, this.config.policy);
      const ids = { noticeId: notice.noticeId, caseId: notice.caseId, kind: notice.kind, channel: receipt.channel, attempt };

      if (step.action === 'retry') {
        await noticeDeliveryRows.retryAt(m, notice.noticeId, attempt, step.at, receipt.detail ?? null);
        log('warn', 'notice delivery failed, will retry', { ...ids, detail: receipt.detail, retryAt: step.at.toISOString() });
        continue;
      }

      if (step.action === 'dead-letter') {
        await noticeDeliveryRows.deadLetter(m, notice.noticeId, attempt, receipt.detail ?? null);
        const letter: DeadLetter = {
          // The notice as it would travel on its agency's notice topic: what a replay would send.
          originalTopic: noticeIssuedTopic(row.agency),
          key: notice.caseId,
          consumer: 'notifier',
          failedAt: receipt.at,
          reason: `notice ${notice.noticeId} (${notice.kind}, ${receipt.channel}) not delivered: ${step.reason}. Replay: ${REPLAY_HINT(notice.noticeId)}`,
          errors: [{ path: '/channel', rule: receipt.channel, message: receipt.detail ?? 'failed' }],
          attempts: attempt,
          ...sealedRaw(JSON.stringify(notice)),
        };
        events.push({ topic: TOPICS.deadLetter, key: notice.caseId, data: letter });
        events.push({ topic: TOPICS.noticeDelivered, key: notice.caseId, data: deliveryRecord(notice, receipt, attempt) });
        noticeMetrics.deadLettered.inc({ channel: receipt.channel });
        log('error', 'notice dead-lettered', { ...ids, detail: receipt.detail });
        continue;
      }

      settled.push({ noticeId: notice.noticeId, receipt, attempt });
      events.push({ topic: TOPICS.noticeDelivered, key: notice.caseId, data: deliveryRecord(notice, receipt, attempt) });
      if (receipt.status === 'no-channel') {
        const reason = row.channel.kind === 'none' ? row.channel.reason : 'unknown';
        noticeMetrics.noChannel.inc({ kind: notice.kind, reason });
      } else if (row.source_published_at && notice.kind !== 'acknowledgement') {
        noticeMetrics.decisionToDelivery.observe(
          { channel: receipt.channel },
          (Date.parse(receipt.at) - new Date(row.source_published_at).getTime()) / 1000,
        );
      }
      log('info', 'notice receipt', { ...ids, status: receipt.status });
    }
    await noticeDeliveryRows.recordAttempts(
      m,
      tried.map(({ row, receipt, attempt }) => ({ noticeId: row.notice_id, attempt, receipt })),
      settled,
      events.length > 0 ? [this.outbox.addPart(m, events).part] : [],
    );
  }

  close(): void {
    this.email.close();
  }
}
