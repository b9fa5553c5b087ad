import { Consumer, EachMessagePayload, Kafka, logLevel } from 'kafkajs';
import type { Envelope } from '@mash/contracts';
import { kafkaCredentialsFromEnv } from '@mash/messaging';

/** Reads a run's (prefixed) topic from the beginning, collecting envelopes for assertions. */
export class TopicWatcher {
  readonly seen: { topic: string; envelope: Envelope }[] = [];
  private consumer?: Consumer;

  constructor(
    private readonly brokers: string,
    private readonly prefix: string,
  ) {}

  async watch(topics: string[]): Promise<void> {
    const sasl = kafkaCredentialsFromEnv(process.env);
    const kafka = new Kafka({
      clientId: 'test-watcher',
      brokers: this.brokers.split(','),
      logLevel: logLevel.NOTHING,
      ...(sasl ? { sasl } : {}),
    });
    this.consumer = kafka.consumer({ groupId: `${this.prefix}test-watcher-${Math.random().toString(36).slice(2)}`, maxWaitTimeInMs: 200 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: topics.map((t) => this.prefix + t), fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, message }: EachMessagePayload) => {
        this.seen.push({ topic: topic.slice(this.prefix.length), envelope: JSON.parse(message.value!.toString()) });
      },
    });
  }

  async waitFor<T = unknown>(
    pred: (e: { topic: string; envelope: Envelope<T> }) => boolean,
    timeoutMs = 60000,
  ): Promise<{ topic: string; envelope: Envelope<T> }> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const hit = this.seen.find((e) => pred(e as { topic: string; envelope: Envelope<T> }));
      if (hit) return hit as { topic: string; envelope: Envelope<T> };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no matching message within ${timeoutMs} ms; saw ${this.seen.map((s) => s.topic).join(', ')}`);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

export async function poll<T>(fn: () => Promise<T | undefined>, timeoutMs = 60000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
