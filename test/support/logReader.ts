import { Consumer, Kafka, logLevel } from 'kafkajs';
import type { Envelope } from '@mash/contracts';
import { kafkaCredentialsFromEnv } from '@mash/messaging';

export interface LoggedMessage {
  topic: string;
  partition: number;
  offset: string;
  envelope: Envelope;
}

/**
 * Reads a run's (prefixed) topics from the beginning and keeps every record once per log position
 * (topic, partition, offset). Its own consumer may see a record twice after a broker failure or a
 * rebalance; keyed by position, that never looks like a second record. Two positions holding the
 * same envelope id is a message written twice to the log; two envelope ids for the same effect
 * (say two requests to one agency for one case) is a duplicate effect.
 */
export class LogReader {
  private readonly byPosition = new Map<string, LoggedMessage>();
  private consumer?: Consumer;
  private stopped = false;

  constructor(
    private readonly brokers: string,
    private readonly prefix: string,
  ) {}

  async read(topics: string[]): Promise<void> {
    const sasl = kafkaCredentialsFromEnv(process.env);
    const kafka = new Kafka({
      clientId: 'test-log-reader',
      brokers: this.brokers.split(','),
      logLevel: logLevel.NOTHING,
      retry: { retries: 20 },
      ...(sasl ? { sasl } : {}),
    });
    const consumer = kafka.consumer({
      groupId: `${this.prefix}test-log-reader-${Math.random().toString(36).slice(2)}`,
      maxWaitTimeInMs: 200,
    });
    this.consumer = consumer;
    // kafkajs stops a consumer for good after its own failover race (docs/observability.md "Kafka
    // consumers replaced"); a reader that stopped would make the end-state check see a log with
    // holes. A fresh reader reads from the beginning again: records are kept by position, so
    // reading twice changes nothing.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopped || this.consumer !== consumer) return;
      const again = () => setTimeout(() => void this.read(topics).catch(() => (this.stopped ? undefined : again())), 1000);
      again();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: topics.map((t) => this.prefix + t), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        this.record({
          topic: topic.slice(this.prefix.length),
          partition,
          offset: message.offset,
          envelope: JSON.parse(message.value!.toString()),
        });
      },
    });
  }

  /** Keeps one record at its log position (a second read of the same position replaces it). */
  record(m: LoggedMessage): void {
    this.byPosition.set(`${m.topic}/${m.partition}/${m.offset}`, m);
  }

  /** Every record read so far, once per log position. */
  messages(topic?: string | ((t: string) => boolean)): LoggedMessage[] {
    const all = [...this.byPosition.values()];
    if (topic === undefined) return all;
    return all.filter((m) => (typeof topic === 'string' ? m.topic === topic : topic(m.topic)));
  }

  /** Envelope ids written at more than one log position (a producer or relay resent them). */
  rewritten(): { id: string; topic: string; positions: number }[] {
    const count = new Map<string, { topic: string; n: number }>();
    for (const m of this.byPosition.values()) {
      const c = count.get(m.envelope.id) ?? { topic: m.topic, n: 0 };
      c.n++;
      count.set(m.envelope.id, c);
    }
    return [...count].filter(([, c]) => c.n > 1).map(([id, c]) => ({ id, topic: c.topic, positions: c.n }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.consumer?.disconnect();
  }
}
