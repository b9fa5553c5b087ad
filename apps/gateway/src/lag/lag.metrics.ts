import { Gauge, register } from 'prom-client';
import { GROUP_LAG_STATUS_CODE } from '@mash/messaging';
import type { LagSnapshot } from './lag.sampler';

let source: (() => LagSnapshot) | undefined;

/**
 * Filled from the last sample at scrape time, so a partition or group that disappeared leaves no
 * stale series behind. Registered once per process in the default registry that /metrics serves.
 */
function gauge(name: string, help: string, labelNames: string[], fill: (g: Gauge, s: LagSnapshot) => void): Gauge {
  const existing = register.getSingleMetric(name) as Gauge | undefined;
  if (existing) return existing;
  return new Gauge({
    name,
    help,
    labelNames,
    collect() {
      this.reset();
      if (source) fill(this, source());
    },
  });
}

export function registerLagMetrics(snapshot: () => LagSnapshot): void {
  source = snapshot;
  gauge(
    'mash_consumer_lag_messages',
    'Messages a consumer group has yet to handle, per topic and partition.',
    ['group', 'topic', 'partition'],
    (g, s) => {
      for (const r of s.groups)
        for (const p of r.partitions) g.set({ group: r.group, topic: p.topic, partition: String(p.partition) }, p.lag);
    },
  );
  gauge(
    'mash_consumer_lag_seconds',
    'Estimated age of the oldest message a group has yet to handle (lower bound, sampling precision).',
    ['group', 'topic', 'partition'],
    (g, s) => {
      for (const r of s.groups)
        for (const p of r.partitions) g.set({ group: r.group, topic: p.topic, partition: String(p.partition) }, p.lagSeconds);
    },
  );
  gauge(
    'mash_consumer_group_status',
    'Consumer group status after Burrow-style rules: 0 ok, 1 warning, 2 error, 3 stalled.',
    ['group'],
    (g, s) => {
      for (const r of s.groups) g.set({ group: r.group }, GROUP_LAG_STATUS_CODE[r.status]);
    },
  );
}
