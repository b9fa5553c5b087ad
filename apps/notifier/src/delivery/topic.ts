import { NoticeIssued, noticeIssuedTopic } from '@mash/contracts';
import { Channel, Clock, delivered, failed, NoticeAgency, Receipt, systemClock, TopicTarget } from './channel';

/** What to publish (through the outbox) for an agency whose channel is its own notice topic. */
export interface NoticeMessage {
  topic: string;
  /** The case id, so the notice stays in order with everything else about the case. */
  key: string;
  data: NoticeIssued;
}

export function noticeMessage(notice: NoticeIssued, agency: NoticeAgency): NoticeMessage {
  return { topic: noticeIssuedTopic(agency), key: notice.caseId, data: notice };
}

/**
 * Adapts the outbox to the Channel interface. "Delivered" here means committed to the outbox:
 * from there Kafka delivery is the messaging library's guarantee, not a notifier retry.
 */
export class TopicChannel implements Channel<TopicTarget> {
  readonly kind = 'topic' as const;
  constructor(
    private readonly publish: (message: NoticeMessage) => Promise<void>,
    private readonly clock: Clock = systemClock,
  ) {}

  async deliver(notice: NoticeIssued, target: TopicTarget): Promise<Receipt> {
    const message = noticeMessage(notice, target.agency);
    try {
      await this.publish(message);
      return delivered('topic', this.clock(), message.topic);
    } catch (e) {
      return failed('topic', this.clock(), `publish failed: ${(e as Error).name}`, true);
    }
  }
}
