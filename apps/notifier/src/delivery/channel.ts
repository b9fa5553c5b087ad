import type { CheckAgency, NoticeChannel, NoticeDelivered, NoticeIssued, SubmittingAgency } from '@mash/contracts';

export type NoticeAgency = SubmittingAgency | CheckAgency;

/** A referrer's topic channel plus the agency whose notice topic it is. */
export type TopicTarget = { kind: 'topic'; agency: NoticeAgency };
export type WebhookTarget = Extract<NoticeChannel, { kind: 'webhook' }>;
export type EmailTarget = Extract<NoticeChannel, { kind: 'email' }>;
export type NoneTarget = Extract<NoticeChannel, { kind: 'none' }>;
export type DeliveryTarget = WebhookTarget | EmailTarget | TopicTarget | NoneTarget;

/** The outcome of one attempt on one channel. */
export interface Receipt {
  channel: NoticeDelivered['channel'];
  status: NoticeDelivered['status'];
  at: string;
  /** For operators: a status code or error class, never the notice text or a personal address. */
  detail?: string;
  /** A failure that may succeed later (timeout, 5xx, refused connection) rather than one that will not (4xx, bad config). */
  retryable: boolean;
}

export interface Channel<T extends DeliveryTarget = DeliveryTarget> {
  readonly kind: T['kind'];
  deliver(notice: NoticeIssued, target: T): Promise<Receipt>;
}

/** The target for a contact's referrer channel; topic channels need the agency that submitted it. */
export function targetFor(channel: NoticeChannel, agency: NoticeAgency): DeliveryTarget {
  return channel.kind === 'topic' ? { kind: 'topic', agency } : channel;
}

export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

export function failed(channel: Receipt['channel'], at: Date, detail: string, retryable: boolean): Receipt {
  return { channel, status: 'failed', at: at.toISOString(), detail: detail.slice(0, 500), retryable };
}

export function delivered(channel: Receipt['channel'], at: Date, detail?: string): Receipt {
  return detail === undefined
    ? { channel, status: 'delivered', at: at.toISOString(), retryable: false }
    : { channel, status: 'delivered', at: at.toISOString(), detail, retryable: false };
}
