import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Contact, DeadLetter, NoticeIssued, noticeIssuedTopic, TOPICS } from '@mash/contracts';
import { log, Outbox, sealedRaw } from '@mash/messaging';
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
import { recordDisclosure } from '@mash/platform';

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
   * Stores a new notice. Topic and no-channel notices are settled at once in this transaction
   * (a Kafka handler's): neither does network I/O. Webhook and email stay pending for the worker,
   * because a slow receiver must never hold up a Kafka consumer.
   */
  async issue(
    m: EntityManager,
    notice: NoticeIssued,
    target: NoticeTarget,
    agency: NoticeAgency,
    sourcePublishedAt?: string,
  ): Promise<boolean> {
    const stored = target.kind === 'topic' ? { kind: 'topic' } : target;
    if (!(await noticeDeliveryRows.insertNew(m, notice, stored, agency, sourcePublishedAt))) return false;
    // To whom, over which channel: never the notice text.
    await recordDisclosure(m, 'notifier', {
      principal: 'notifier',
      action: 'notice-issued',
      caseId: notice.caseId,
      contactId: notice.contactId ?? null,
      detail: { noticeId: notice.noticeId, kind: notice.kind, recipient: agency, channel: target.kind },
    });
    log('info', 'notice issued', { noticeId: notice.noticeId, caseId: notice.caseId, kind: notice.kind, channel: target.kind });
    if (target.kind === 'topic' || target.kind === 'none') {
      await this.attempt(m, {
        notice_id: notice.noticeId,
        body: notice,
        channel: stored as NoticeRow['channel'],
        agency,
        attempts: 0,
        source_published_at: sourcePublishedAt ?? null,
      });
    }
    return true;
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

  /** One delivery attempt of a pending row the caller holds locked. */
  async attempt(m: EntityManager, row: NoticeRow): Promise<Receipt> {
    const target = this.deliveryTarget(row);
    const receipt = 'receipt' in target ? target.receipt : await this.dispatcher(m, row.agency).deliver(row.body, target);
    await this.record(m, row, receipt, row.attempts + 1);
    return receipt;
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

  private dispatcher(m: EntityManager, agency: NoticeAgency): NoticeDispatcher {
    // The topic channel writes to the outbox in the attempt's own transaction.
    const topic = new TopicChannel(async (msg) => {
      await this.outbox.add(m, msg);
    });
    return new NoticeDispatcher({ webhook: this.webhookFor(agency), email: this.email, topic, none: this.none });
  }

  private webhookFor(agency: NoticeAgency): WebhookChannel {
    let channel = this.webhooks.get(agency);
    if (!channel) {
      channel = new WebhookChannel({ secretFor: () => this.secretOf(agency), timeoutMs: this.config.webhookTimeoutMs });
      this.webhooks.set(agency, channel);
    }
    return channel;
  }

  private async record(m: EntityManager, row: NoticeRow, receipt: Receipt, attempt: number): Promise<void> {
    const notice = row.body;
    await noticeDeliveryRows.recordAttempt(m, notice.noticeId, attempt, receipt);
    noticeMetrics.attempts.inc({ channel: receipt.channel, status: receipt.status });
    const step = afterAttempt(receipt, attempt, this.config.policy);
    const ids = { noticeId: notice.noticeId, caseId: notice.caseId, kind: notice.kind, channel: receipt.channel, attempt };

    if (step.action === 'retry') {
      await noticeDeliveryRows.retryAt(m, notice.noticeId, attempt, step.at, receipt.detail ?? null);
      log('warn', 'notice delivery failed, will retry', { ...ids, detail: receipt.detail, retryAt: step.at.toISOString() });
      return;
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
      await this.outbox.add(m, { topic: TOPICS.deadLetter, key: notice.caseId, data: letter });
      await this.outbox.add(m, { topic: TOPICS.noticeDelivered, key: notice.caseId, data: deliveryRecord(notice, receipt, attempt) });
      noticeMetrics.deadLettered.inc({ channel: receipt.channel });
      log('error', 'notice dead-lettered', { ...ids, detail: receipt.detail });
      return;
    }

    await noticeDeliveryRows.settle(m, notice.noticeId, receipt, attempt);
    await this.outbox.add(m, { topic: TOPICS.noticeDelivered, key: notice.caseId, data: deliveryRecord(notice, receipt, attempt) });
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

  close(): void {
    this.email.close();
  }
}
