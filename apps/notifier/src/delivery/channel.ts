import type { CheckAgency, NoticeChannel, NoticeDelivered, NoticeIssued, SubmittingAgency } from '@mash/contracts';
import { now as hubNow } from '@mash/platform/clock';

export type NoticeAgency = SubmittingAgency | CheckAgency;

/** A referrer's topic channel plus the agency whose notice topic it is. */
export type TopicTarget = { kind: 'topic'; agency: NoticeAgency };
/** What the webhook channel is handed: an address from the registry of agency endpoints, never a contact's. */
export type WebhookTarget = { kind: 'webhook'; url: string };
export type EmailTarget = Extract<NoticeChannel, { kind: 'email' }>;
/** The referrer's own reasons, plus a webhook asked for where ops registered no endpoint. */
export type NoChannelReason = Extract<NoticeChannel, { kind: 'none' }>['reason'] | 'no-registered-endpoint';
export type NoneTarget = { kind: 'none'; reason: NoChannelReason };
export type DeliveryTarget = WebhookTarget | EmailTarget | TopicTarget | NoneTarget;
/** A webhook notice as issued and stored: the registry key, resolved to an address at each attempt. */
export type RegisteredWebhook = { kind: 'webhook'; endpoint: string };
/** What a notice is issued to (and what its row keeps). */
export type NoticeTarget = RegisteredWebhook | EmailTarget | TopicTarget | NoneTarget;

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

/**
 * The target for a referrer channel other than a webhook (webhooks go through the registry, see
 * webhookRegistry.ts); topic channels need the agency that submitted the contact.
 */
export function targetFor(
  channel: Exclude<NoticeChannel, { kind: 'webhook' }>,
  agency: NoticeAgency,
): TopicTarget | EmailTarget | NoneTarget {
  return channel.kind === 'topic' ? { kind: 'topic', agency } : channel;
}

export type Clock = () => Date;
export const systemClock: Clock = () => hubNow();

export function failed(channel: Receipt['channel'], at: Date, detail: string, retryable: boolean): Receipt {
  return { channel, status: 'failed', at: at.toISOString(), detail: detail.slice(0, 500), retryable };
}

export function delivered(channel: Receipt['channel'], at: Date, detail?: string): Receipt {
  return detail === undefined
    ? { channel, status: 'delivered', at: at.toISOString(), retryable: false }
    : { channel, status: 'delivered', at: at.toISOString(), detail, retryable: false };
}
