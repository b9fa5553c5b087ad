import { Admin, Consumer, Kafka, KafkaMessage, logLevel, Partitioners, Producer } from 'kafkajs';
import { DeadLetter, Envelope, TOPICS, TOPIC_DEFINITIONS, TopicDefinition, validateMessage } from '@mash/contracts';
import { MessagingConfig } from './config';
import { envelopeFor, Outgoing } from './envelopes';
import { isInfrastructureError, NotReadyYet, RejectedMessage } from './errors';
import { log } from './log';
import { messagingMetrics } from './metrics';

/** A message taken off a topic, already parsed and checked against its contract. */
export interface Received<T = unknown> {
  topic: string;
  partition: number;
  offset: string;
  envelope: Envelope<T>;
}

export interface SubscribeOptions {
  /** Logical consumer group (the service name); the port adds the prefix. */
  group: string;
  /** Logical topic names. */
  topics: string[];
  handle: (msg: Received) => Promise<void>;
  /** Attempts before a message that keeps failing is parked in the dead-letter topic. */
  maxAttempts?: number;
  /** Partitions processed in parallel; order within a partition (so within a case) always holds. */
  concurrency?: number;
  /** Start a brand-new group at the earliest offset (default) or only take new messages. */
  fromBeginning?: boolean;
}

export interface RawRecord {
  topic: string;
  key: string;
  value: string;
}

export interface Subscription {
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// About 30 s of waiting in all (the back-off is capped at 2 s) before a message is parked.
const NOT_READY_ATTEMPTS = 20;

/**
 * The one place that talks to Kafka: publish, subscribe, commit. Services never use kafkajs
 * directly, so the client can be swapped and the rules below hold everywhere:
 * validate on send and on receipt; a message that breaks its contract goes to the dead-letter
 * topic with the reason; a handler that keeps failing gets bounded retries, then a dead letter;
 * the offset is committed only after the handler (and so its database commit) succeeded.
 */
export class KafkaPort {
  private readonly kafka: Kafka;
  private producer?: Producer;
  private admin?: Admin;
  private readonly consumers: Consumer[] = [];

  constructor(readonly config: MessagingConfig) {
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      logLevel: logLevel.WARN,
      logCreator: () => ({ level, log: entry }) => {
        if (level > logLevel.WARN) return;
        // "Response X" lines are broker error codes kafkajs retries itself (a leader moving, a
        // group rebalancing): worth a warning, not an error page at night.
        const retried = typeof entry.message === 'string' && entry.message.startsWith('Response ');
        log(level <= logLevel.ERROR && !retried ? 'error' : 'warn', 'kafka', { detail: entry.message, error: entry.error, broker: entry.broker });
      },
      retry: { initialRetryTime: 200, retries: 10 },
    });
  }

  physical(topic: string): string {
    return this.config.prefix + topic;
  }

  logical(topic: string): string {
    return this.config.prefix && topic.startsWith(this.config.prefix) ? topic.slice(this.config.prefix.length) : topic;
  }

  async adminClient(): Promise<Admin> {
    if (!this.admin) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
    }
    return this.admin;
  }

  /** Creates every topic of the definition file that does not exist yet; safe to run from every service at start-up. */
  async ensureTopics(defs: TopicDefinition[] = TOPIC_DEFINITIONS): Promise<void> {
    const admin = await this.adminClient();
    const existing = new Set(await admin.listTopics());
    const missing = defs.filter((d) => !existing.has(this.physical(d.name)));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((d) => ({
          topic: this.physical(d.name),
          numPartitions: d.partitions,
          replicationFactor: -1,
          configEntries: [
            { name: 'retention.ms', value: String(d.retentionMs) },
            { name: 'cleanup.policy', value: d.cleanupPolicy },
          ],
        })),
      });
    } catch (err) {
      // Two services starting together race to create the same topics; losing that race is fine.
      if (!/already exists/i.test(String((err as Error).message)) && (err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw err;
    }
  }

  private async producerClient(): Promise<Producer> {
    if (!this.producer) {
      // Idempotent producer: a retried send after a lost ack does not write the message twice.
      this.producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        // kafkajs weakens idempotence when an idempotent producer may give up retrying.
        retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5000 },
      });
      await this.producer.connect();
    }
    return this.producer;
  }

  /** Sends already-enveloped records (the outbox relay's path). Resolves when every broker acked. */
  async sendRaw(records: RawRecord[]): Promise<void> {
    if (records.length === 0) return;
    const producer = await this.producerClient();
    const byTopic = new Map<string, { key: string; value: string }[]>();
    for (const r of records) {
      const list = byTopic.get(r.topic) ?? [];
      list.push({ key: r.key, value: r.value });
      byTopic.set(r.topic, list);
    }
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic: this.physical(topic), messages })),
    });
  }

  /**
   * Publishes straight to Kafka, for processes with no database of their own (connectors, adapters,
   * dead letters). Services with a database publish through the outbox instead.
   */
  async publish<T>(messages: Outgoing<T>[]): Promise<Envelope<T>[]> {
    const envelopes = messages.map((m) => envelopeFor(m, this.config.clientId));
    await this.sendRaw(envelopes.map((e) => ({ topic: e.type, key: e.key, value: JSON.stringify(e) })));
    return envelopes;
  }

  async deadLetter(letter: DeadLetter, key: string): Promise<void> {
    await this.publish([{ topic: TOPICS.deadLetter, key, data: letter }]);
  }

  async subscribe(opts: SubscribeOptions): Promise<Subscription> {
    const group = this.physical(opts.group);
    const consumer = this.kafka.consumer({
      groupId: group,
      allowAutoTopicCreation: false,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      // Bounds how long a stop waits for an idle fetch; new data is returned at once regardless.
      maxWaitTimeInMs: 500,
      retry: { retries: 10 },
    });
    this.consumers.push(consumer);
    await consumer.connect();
    // Right after topics are created, a broker can still say it does not host a partition: wait it out.
    for (let attempt = 1; ; attempt++) {
      try {
        await consumer.subscribe({ topics: opts.topics.map((t) => this.physical(t)), fromBeginning: opts.fromBeginning ?? true });
        break;
      } catch (err) {
        if (attempt >= 20 || !(err as { retriable?: boolean }).retriable) throw err;
        await sleep(250 * attempt);
      }
    }
    const maxAttempts = opts.maxAttempts ?? 5;
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: opts.concurrency ?? 3,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        await this.handleOne(opts, this.logical(topic), partition, message, maxAttempts, heartbeat);
        await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
      },
    });
    return {
      stop: async () => {
        await consumer.disconnect();
        this.consumers.splice(this.consumers.indexOf(consumer), 1);
      },
    };
  }

  private async handleOne(
    opts: SubscribeOptions,
    topic: string,
    partition: number,
    message: KafkaMessage,
    maxAttempts: number,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const raw = message.value ?? Buffer.alloc(0);
    const key = message.key?.toString() ?? null;
    const park = async (reason: string, errors?: object[], attempts?: number) => {
      const text = raw.toString('utf8');
      const utf8 = Buffer.from(text, 'utf8').equals(raw);
      const letter: DeadLetter = {
        originalTopic: topic,
        partition,
        offset: message.offset,
        key,
        consumer: opts.group,
        failedAt: new Date().toISOString(),
        reason: reason.slice(0, 10000),
        ...(errors ? { errors } : {}),
        ...(attempts ? { attempts } : {}),
        rawValue: utf8 ? text : raw.toString('base64'),
        rawEncoding: utf8 ? 'utf8' : 'base64',
      };
      await this.deadLetter(letter, key ?? `${topic}:${partition}:${message.offset}`);
      messagingMetrics.deadLettered.inc({ topic });
      log('warn', 'message parked in dead-letter topic', { topic, partition, offset: message.offset, group: opts.group, reason: reason.slice(0, 200) });
    };

    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      return park('value is not JSON');
    }
    const checked = validateMessage(topic, parsed);
    if (!checked.ok) return park('message breaks its contract', checked.errors);
    if (checked.value.type !== topic) return park(`envelope type '${checked.value.type}' does not match topic`);

    const received: Received = { topic, partition, offset: message.offset, envelope: checked.value };
    for (let attempt = 1; ; attempt++) {
      try {
        await opts.handle(received);
        return;
      } catch (err) {
        // Kafka or Postgres being away is not the message's fault: let kafkajs retry without
        // committing, so nothing is parked or lost while a dependency restarts.
        if (isInfrastructureError(err)) throw err;
        const notReady = err instanceof NotReadyYet;
        const reason = `${notReady ? 'precondition not met' : 'handler failed'}: ${(err as Error).message ?? String(err)}`;
        if (err instanceof RejectedMessage || attempt >= (notReady ? NOT_READY_ATTEMPTS : maxAttempts)) return park(reason, undefined, attempt);
        log('warn', 'handler failed, will retry', { topic, messageId: received.envelope.id, attempt, error: (err as Error).name });
        await sleep(Math.min(notReady ? 2000 : 5000, 100 * 2 ** attempt));
        await heartbeat();
      }
    }
  }

  /** Consumer lag of a group, per topic and partition, in messages. */
  async lag(group: string): Promise<{ topic: string; partition: number; committed: string; end: string; lag: number }[]> {
    const admin = await this.adminClient();
    const offsets = await admin.fetchOffsets({ groupId: this.physical(group) });
    const out: { topic: string; partition: number; committed: string; end: string; lag: number }[] = [];
    for (const t of offsets) {
      const ends = await admin.fetchTopicOffsets(t.topic);
      for (const p of t.partitions) {
        const end = ends.find((e) => e.partition === p.partition)?.offset ?? '0';
        const committed = p.offset === '-1' ? '0' : p.offset;
        out.push({ topic: this.logical(t.topic), partition: p.partition, committed, end, lag: Number(BigInt(end) - BigInt(committed)) });
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.consumers.map((c) => c.disconnect()));
    await Promise.allSettled([this.producer?.disconnect(), this.admin?.disconnect()]);
    this.producer = undefined;
    this.admin = undefined;
  }
}
