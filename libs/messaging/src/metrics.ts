import { Counter, Histogram } from 'prom-client';

/** Registered once per process in prom-client's default registry, which /metrics serves. */
export const messagingMetrics = {
  consumed: new Counter({
    name: 'mash_messages_consumed_total',
    help: 'Messages handled, by topic and outcome (handled, duplicate).',
    labelNames: ['topic', 'outcome'],
  }),
  deadLettered: new Counter({
    name: 'mash_messages_dead_lettered_total',
    help: 'Messages parked in the dead-letter topic, by original topic.',
    labelNames: ['topic'],
  }),
  consumerReplaced: new Counter({
    name: 'mash_kafka_consumer_replaced_total',
    help: 'Consumers kafkajs stopped for good and the port replaced with a fresh one, by group.',
    labelNames: ['group'],
  }),
  partlyAcknowledged: new Counter({
    name: 'mash_kafka_batches_partly_acknowledged_total',
    help: 'Batch sends whose answer left partitions out (sent again), see docs/observability.md.',
  }),
  deferred: new Counter({
    name: 'mash_messages_deferred_total',
    help: 'Messages set aside because what they build on had not arrived, by topic (docs/architecture.md).',
    labelNames: ['topic'],
  }),
  handleSeconds: new Histogram({
    name: 'mash_message_handle_seconds',
    help: 'Time to handle one message: alone, its transaction; in a run, its handler.',
    labelNames: ['topic'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  }),
  runs: new Histogram({
    name: 'mash_message_run_size',
    help: 'Messages handled together in one transaction (a run of one partition).',
    labelNames: ['topic'],
    buckets: [1, 2, 5, 10, 25, 50, 100],
  }),
  runSeconds: new Histogram({
    name: 'mash_message_run_seconds',
    help: 'Time to handle a run of messages in one transaction, commit included.',
    labelNames: ['topic'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  }),
  runsHandledSingly: new Counter({
    name: 'mash_message_runs_handled_singly_total',
    help: 'Runs whose joint transaction failed (a message not ready, a handler error, a deadlock): the failing message is handled alone, the rest in runs again.',
    labelNames: ['topic'],
  }),
};
