import { KafkaPort, RawRecord } from '@mash/messaging';

/**
 * Redelivery, as a consumer that lost its offsets or a producer that retried would cause it: every
 * message already on the given topics is read back and produced again, byte for byte the same
 * envelope (same id), with the same key. Consumers must absorb all of it.
 */
export async function redeliverAll(
  port: KafkaPort,
  topics: string[],
  label: string,
): Promise<{ perTopic: Record<string, number>; total: number }> {
  const records = await readAll(port, topics, label);
  for (let i = 0; i < records.length; i += 500) await port.sendRaw(records.slice(i, i + 500));
  const perTopic: Record<string, number> = {};
  for (const r of records) perTopic[r.topic] = (perTopic[r.topic] ?? 0) + 1;
  return { perTopic, total: records.length };
}

/** Every message on the topics right now, read with a fresh consumer group of the suite's own. */
export async function readAll(port: KafkaPort, topics: string[], label: string): Promise<RawRecord[]> {
  const admin = await port.adminClient();
  const ends = new Map<string, number>();
  let expected = 0;
  for (const t of topics) {
    const offsets = await admin.fetchTopicOffsets(port.physical(t));
    for (const o of offsets) {
      const n = Number(o.high) - Number(o.low);
      if (n > 0) {
        ends.set(`${t}|${o.partition}`, Number(o.high) - 1);
        expected += n;
      }
    }
  }
  const records: RawRecord[] = [];
  const reached = new Set<string>();
  const sub = await port.subscribe({
    group: `fault-suite-redeliver-${label}-${Date.now()}`,
    topics,
    concurrency: 8,
    handle: async (msg) => {
      const k = `${msg.topic}|${msg.partition}`;
      const end = ends.get(k);
      if (end === undefined || Number(msg.offset) > end) return;
      records.push({ topic: msg.topic, key: msg.envelope.key, value: JSON.stringify(msg.envelope) });
      if (Number(msg.offset) === end) reached.add(k);
    },
  });
  const deadline = Date.now() + 120_000;
  while (reached.size < ends.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await sub.stop();
  if (reached.size < ends.size) throw new Error(`reading ${label}: read ${records.length} of ${expected} messages in 120 s`);
  return records;
}
