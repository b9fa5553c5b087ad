import { Partitioners } from 'kafkajs';

/**
 * What a batch send must prove before the outbox marks its rows sent: every partition it wrote to
 * was acknowledged.
 *
 * kafkajs 2.2.4 sends a batch as one request per partition leader and, on a retry, skips every
 * broker that already answered. When a leader dies mid-batch and its partitions move to a broker
 * that had answered for its own partitions, the moved partitions' messages are never sent again,
 * and the send still resolves (docs/observability.md "Partly acknowledged batches"). The broker
 * kill test lost a contact that way. So the port places each message on its partition itself, and
 * sends again whatever partitions the answer does not list as written.
 */

export interface PlacedMessage {
  key: string;
  value: string;
  partition: number;
  headers?: Record<string, string>;
}

/** Messages of one batch by `topic` and partition: the unit the broker acknowledges. */
export type PartitionBatches = Map<string, { topic: string; partition: number; messages: PlacedMessage[] }>;

const keyed = Partitioners.DefaultPartitioner();

/**
 * The partition kafkajs's default partitioner gives a keyed message on a topic of `partitions`
 * partitions (murmur2 of the key, as the Java client): placing it ourselves keeps each key on the
 * partition it always had, so a case's events stay in order across this change.
 */
export function partitionOf(topic: string, key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  return keyed({ topic, partitionMetadata, message: { key, value: null } });
}

export function byPartition(messages: { topic: string; message: PlacedMessage }[]): PartitionBatches {
  const out: PartitionBatches = new Map();
  for (const { topic, message } of messages) {
    const id = `${topic}/${message.partition}`;
    const batch = out.get(id) ?? { topic, partition: message.partition, messages: [] };
    batch.messages.push(message);
    out.set(id, batch);
  }
  return out;
}

/** The batches whose partition the broker's answer does not show as written (error code 0). */
export function unacknowledged(
  sent: PartitionBatches,
  answer: { topicName: string; partition: number; errorCode: number }[],
): PartitionBatches {
  const written = new Set(answer.filter((a) => a.errorCode === 0).map((a) => `${a.topicName}/${a.partition}`));
  return new Map([...sent].filter(([id]) => !written.has(id)));
}

/** The batches as kafkajs's sendBatch takes them. */
export function topicMessagesOf(batches: PartitionBatches): { topic: string; messages: PlacedMessage[] }[] {
  const byTopic = new Map<string, PlacedMessage[]>();
  for (const b of batches.values()) byTopic.set(b.topic, [...(byTopic.get(b.topic) ?? []), ...b.messages]);
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
