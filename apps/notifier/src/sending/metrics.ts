import { Counter, Histogram } from 'prom-client';

/** Registered once per process in prom-client's default registry, which /metrics serves. */
export const noticeMetrics = {
  // "Not told" must show in the figures (docs/domain.md: anonymous, NHS 111 are no silent drop).
  noChannel: new Counter({
    name: 'mash_notices_no_channel_total',
    help: 'Notices recorded for referrers with no channel (anonymous, unknown, no contact details, no registered webhook endpoint), by kind and reason.',
    labelNames: ['kind', 'reason'],
  }),
  attempts: new Counter({
    name: 'mash_notice_delivery_attempts_total',
    help: 'Delivery attempts of notices, by channel and status (delivered, failed, no-channel).',
    labelNames: ['channel', 'status'],
  }),
  deadLettered: new Counter({
    name: 'mash_notices_dead_lettered_total',
    help: 'Notices parked in the dead-letter topic after their last attempt, by channel.',
    labelNames: ['channel'],
  }),
  decisionToDelivery: new Histogram({
    name: 'mash_notice_decision_to_delivery_seconds',
    help: 'From the decision event to the delivered outcome or closing notice, by channel.',
    labelNames: ['channel'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30, 300, 3600, 86400],
  }),
};
