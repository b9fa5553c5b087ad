import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DeadLetter, NoticeIssued, noticeIssuedTopic, TOPICS } from '@mash/contracts';
import { log, Outbox } from '@mash/messaging';
import { DeliveryTarget, NoticeAgency, Receipt } from '../delivery/channel';
import { deliveryRecord, NoticeDispatcher } from '../delivery/dispatch';
import { EmailChannel, emailConfigFromEnv } from '../delivery/email';
import { NoChannel } from '../delivery/noChannel';
import { afterAttempt } from '../delivery/retry';
import { TopicChannel } from '../delivery/topic';
import { WebhookChannel } from '../delivery/webhook';
import { SendingConfig, sendingConfigFromEnv, webhookSecretsFromEnv } from './config';
import { noticeMetrics } from './metrics';

/** A notices row as the sender needs it. */
export interface NoticeRow {
  notice_id: string;
  body: NoticeIssued;
  /** The delivery target as stored: a referrer channel, or { kind: 'topic' } with the agency column. */
  channel: DeliveryTarget | { kind: 'topic' };
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
  private readonly webhooks = new Map<string, WebhookChannel>();
  readonly email = new EmailChannel(emailConfigFromEnv());
  private readonly none = new NoChannel();

  constructor(private readonly outbox: Outbox) {}

  /**
   * Stores a new notice. Topic and no-channel notices are settled at once in this transaction
   * (a Kafka handler's): neither does network I/O. Webhook and email stay pending for the worker,
   * because a slow receiver must never hold up a Kafka consumer.
   */
  async issue(m: EntityManager, notice: NoticeIssued, target: DeliveryTarget, agency: NoticeAgency, sourcePublishedAt?: string): Promise<boolean> {
    const stored = target.kind === 'topic' ? { kind: 'topic' } : target;
    const inserted: unknown[] = await m.query(
      `INSERT INTO notifier.notices (notice_id, case_id, contact_id, kind, recipient, channel, agency, body, source_published_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (notice_id) DO NOTHING RETURNING notice_id`,
      [notice.noticeId, notice.caseId, notice.contactId ?? null, notice.kind, notice.recipient, JSON.stringify(stored), agency, JSON.stringify(notice), sourcePublishedAt ?? null],
    );
    if (inserted.length === 0) return false;
    log('info', 'notice issued', { noticeId: notice.noticeId, caseId: notice.caseId, kind: notice.kind, channel: target.kind });
    if (target.kind === 'topic' || target.kind === 'none') {
      await this.attempt(m, { notice_id: notice.noticeId, body: notice, channel: stored as NoticeRow['channel'], agency, attempts: 0, source_published_at: sourcePublishedAt ?? null });
    }
    return true;
  }

  /** One delivery attempt of a pending row the caller holds locked. */
  async attempt(m: EntityManager, row: NoticeRow): Promise<Receipt> {
    const target: DeliveryTarget = row.channel.kind === 'topic' ? { kind: 'topic', agency: row.agency } : row.channel;
    const receipt = await this.dispatcher(m, row.agency).deliver(row.body, target);
    await this.record(m, row, receipt, row.attempts + 1);
    return receipt;
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
    await m.query(`INSERT INTO notifier.delivery_attempts (notice_id, attempt, channel, status, detail, at) VALUES ($1, $2, $3, $4, $5, $6)`, [
      notice.noticeId,
      attempt,
      receipt.channel,
      receipt.status,
      receipt.detail ?? null,
      receipt.at,
    ]);
    noticeMetrics.attempts.inc({ channel: receipt.channel, status: receipt.status });
    const step = afterAttempt(receipt, attempt, this.config.policy);
    const ids = { noticeId: notice.noticeId, caseId: notice.caseId, kind: notice.kind, channel: receipt.channel, attempt };

    if (step.action === 'retry') {
      await m.query(`UPDATE notifier.notices SET attempts = $2, next_attempt_at = $3, last_error = $4 WHERE notice_id = $1`, [notice.noticeId, attempt, step.at, receipt.detail ?? null]);
      log('warn', 'notice delivery failed, will retry', { ...ids, detail: receipt.detail, retryAt: step.at.toISOString() });
      return;
    }

    if (step.action === 'dead-letter') {
      await m.query(`UPDATE notifier.notices SET status = 'dead-lettered', attempts = $2, last_error = $3, dead_lettered_at = now() WHERE notice_id = $1`, [
        notice.noticeId,
        attempt,
        receipt.detail ?? null,
      ]);
      const letter: DeadLetter = {
        // The notice as it would travel on its agency's notice topic: what a replay would send.
        originalTopic: noticeIssuedTopic(row.agency),
        key: notice.caseId,
        consumer: 'notifier',
        failedAt: receipt.at,
        reason: `notice ${notice.noticeId} (${notice.kind}, ${receipt.channel}) not delivered: ${step.reason}. Replay: ${REPLAY_HINT(notice.noticeId)}`,
        errors: [{ path: '/channel', rule: receipt.channel, message: receipt.detail ?? 'failed' }],
        attempts: attempt,
        rawValue: JSON.stringify(notice),
        rawEncoding: 'utf8',
      };
      await this.outbox.add(m, { topic: TOPICS.deadLetter, key: notice.caseId, data: letter });
      await this.outbox.add(m, { topic: TOPICS.noticeDelivered, key: notice.caseId, data: deliveryRecord(notice, receipt, attempt) });
      noticeMetrics.deadLettered.inc({ channel: receipt.channel });
      log('error', 'notice dead-lettered', { ...ids, detail: receipt.detail });
      return;
    }

    await m.query(`UPDATE notifier.notices SET status = $2, attempts = $3, delivered_at = $4, last_error = NULL WHERE notice_id = $1`, [
      notice.noticeId,
      receipt.status,
      attempt,
      receipt.status === 'delivered' ? receipt.at : null,
    ]);
    await this.outbox.add(m, { topic: TOPICS.noticeDelivered, key: notice.caseId, data: deliveryRecord(notice, receipt, attempt) });
    if (receipt.status === 'no-channel') {
      const reason = row.channel.kind === 'none' ? row.channel.reason : 'unknown';
      noticeMetrics.noChannel.inc({ kind: notice.kind, reason });
    } else if (row.source_published_at && notice.kind !== 'acknowledgement') {
      noticeMetrics.decisionToDelivery.observe({ channel: receipt.channel }, (Date.parse(receipt.at) - new Date(row.source_published_at).getTime()) / 1000);
    }
    log('info', 'notice receipt', { ...ids, status: receipt.status });
  }

  close(): void {
    this.email.close();
  }
}
