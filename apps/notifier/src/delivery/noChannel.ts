import type { NoticeIssued } from '@mash/contracts';
import { Channel, Clock, NoChannelReason, NoneTarget, Receipt, systemClock } from './channel';

/**
 * Anonymous referrers, NHS 111 and the like cannot be told anything, nor can a referrer who asked
 * for a webhook where ops registered no endpoint. That is recorded as a receipt of its own, and counted, so "not told" is visible in the figures rather than looking
 * like a notice that was sent.
 */
export class NoChannel implements Channel<NoneTarget> {
  readonly kind = 'none' as const;
  private readonly tally: Record<NoChannelReason, number> = {
    anonymous: 0,
    unknown: 0,
    'no-contact-details': 0,
    'no-registered-endpoint': 0,
  };

  constructor(private readonly clock: Clock = systemClock) {}

  async deliver(_notice: NoticeIssued, target: NoneTarget): Promise<Receipt> {
    this.tally[target.reason] += 1;
    return {
      channel: 'none',
      status: 'no-channel',
      at: this.clock().toISOString(),
      detail: `no channel: ${target.reason}`,
      retryable: false,
    };
  }

  /** Notices recorded without a channel since start, by reason (for the metrics endpoint). */
  counts(): Readonly<Record<NoChannelReason, number>> {
    return { ...this.tally };
  }
}
