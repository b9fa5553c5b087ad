import type { NoticeDelivered, NoticeIssued } from '@mash/contracts';
import {
  Channel,
  Clock,
  DeliveryTarget,
  EmailTarget,
  failed,
  NoneTarget,
  Receipt,
  systemClock,
  TopicTarget,
  WebhookTarget,
} from './channel';

export interface Channels {
  webhook?: Channel<WebhookTarget>;
  email?: Channel<EmailTarget>;
  topic?: Channel<TopicTarget>;
  none: Channel<NoneTarget>;
}

/** Routes a notice to the channel its target names; a channel that is not configured is a failure to fix, not a skip. */
export class NoticeDispatcher {
  constructor(
    private readonly channels: Channels,
    private readonly clock: Clock = systemClock,
  ) {}

  async deliver(notice: NoticeIssued, target: DeliveryTarget): Promise<Receipt> {
    try {
      switch (target.kind) {
        case 'webhook':
          return this.channels.webhook ? await this.channels.webhook.deliver(notice, target) : this.unconfigured('webhook');
        case 'email':
          return this.channels.email ? await this.channels.email.deliver(notice, target) : this.unconfigured('email');
        case 'topic':
          return this.channels.topic ? await this.channels.topic.deliver(notice, target) : this.unconfigured('topic');
        case 'none':
          return await this.channels.none.deliver(notice, target);
      }
    } catch (e) {
      // Channels report failures as receipts; a throw is a bug, kept retryable so it is not lost.
      return failed(target.kind, this.clock(), `channel error: ${(e as Error).name}`, true);
    }
  }

  private unconfigured(kind: Receipt['channel']): Receipt {
    return failed(kind, this.clock(), `${kind} channel not configured`, false);
  }
}

/** The mash.notice.delivered.v1 record of an attempt. */
export function deliveryRecord(notice: NoticeIssued, receipt: Receipt, attempts: number): NoticeDelivered {
  const record: NoticeDelivered = {
    noticeId: notice.noticeId,
    caseId: notice.caseId,
    kind: notice.kind,
    recipient: notice.recipient,
    channel: receipt.channel,
    status: receipt.status,
    attempts,
    at: receipt.at,
  };
  if (notice.contactId !== undefined) record.contactId = notice.contactId;
  if (receipt.detail !== undefined) record.detail = receipt.detail;
  return record;
}
