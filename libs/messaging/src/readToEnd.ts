import { randomUUID } from 'node:crypto';
import { KafkaPort, Received } from './kafkaPort';

/** Leadership moves (a new topic, a broker restart) answer "not the leader" for a moment. */
async function retrying<T>(fn: () => Promise<T>, attempts = 20): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !(err as { retriable?: boolean }).retriable) throw err;
      await new Promise((r) => setTimeout(r, 250 * i));
    }
  }
}

/**
 * Every message a topic holds now, read from the beginning in a consumer group of its own (ops
 * tools: dead-letter replay, the audit verifier). Messages that arrive while it reads may or may not
 * be included. A topic that does not exist yet holds nothing.
 */
export async function readTopicToEnd(port: KafkaPort, topic: string): Promise<Received[]> {
  const admin = await port.adminClient();
  if (!(await admin.listTopics()).includes(port.physical(topic))) return [];
  const ends = await retrying(() => admin.fetchTopicOffsets(port.physical(topic)));
  const remaining = new Map(ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, BigInt(e.high)]));
  const got: Received[] = [];
  if (remaining.size === 0) return got;
  let sub: { stop(): Promise<void> } | undefined;
  await new Promise<void>((resolve, reject) => {
    port
      .subscribe({
        group: `ops-read-${randomUUID()}`,
        topics: [topic],
        concurrency: 1,
        handle: async (m) => {
          if (!remaining.has(m.partition)) return;
          got.push(m);
          if (BigInt(m.offset) + 1n >= remaining.get(m.partition)!) remaining.delete(m.partition);
          if (remaining.size === 0) resolve();
        },
      })
      .then((s) => (sub = s), reject);
  });
  await sub?.stop();
  return got;
}
