// kafkajs's request queue spins a 1 ms timer on every connection without this (requestQueueTimer.ts).
import './requestQueueTimer';
import { Admin, Consumer, Kafka, KafkaMessage, logLevel, Partitioners, Producer } from 'kafkajs';
import { DeadLetter, Envelope, KAFKA_ADMIN_PRINCIPAL, TOPICS, TOPIC_DEFINITIONS, TopicDefinition, validateMessage } from '@mash/contracts';
import { KafkaCredentials, kafkaCredentialsFromEnv, MessagingConfig } from './config';
import { envelopeFor, envelopeHeaders, Outgoing } from './envelopes';
import { isInfrastructureError, NotReadyYet, RejectedMessage, RunFailedAt } from './errors';
import { log } from './log';
import { byPartition, partitionOf, topicMessagesOf, unacknowledged } from './batchAcks';
import { sealedRaw } from './deadLetterRaw';
import { messagingMetrics } from './metrics';
import { contextFromTraceparent, currentTraceparent, inSpan, SpanKind, traceparentFromHeaders } from './tracing';
import { now as hubNow } from '@mash/platform/clock';

/** A message taken off a topic, already parsed and checked against its contract. */
export interface Received<T = unknown> {
  topic: string;
  partition: number;
  offset: string;
  envelope: Envelope<T>;
  /** The producer's W3C trace context, from the message's `traceparent` header. */
  traceparent?: string;
}

export interface SubscribeOptions {
  /** Logical consumer group (the service name); the port adds the prefix. */
  group: string;
  /** Logical topic names. */
  topics: string[];
  handle: (msg: Received) => Promise<void>;
  /**
   * Handles a run of consecutive messages of one partition at once (one database transaction for
   * the run), or throws and changes nothing. Throwing RunFailedAt(i) says the i-th message (a
   * position in `msgs`) failed it and the ones before it did not: the port then hands those over as
   * a run again, the i-th through `handle` alone, with its retries, set-asides and dead letters, and
   * the rest as runs. Any other error sends every message through `handle`. Either way a run that
   * fails loses and repeats nothing. Answers the positions of the messages it handled, ascending,
   * the first among them: a run may leave some for later (a message whose handler would have to
   * wait, and the later ones with its key). The port commits offsets up to the first one left and
   * hands the ones left over as the next run. Without it, every message goes through `handle`.
   */
  handleMany?: (msgs: Received[]) => Promise<number[]>;
  /** Attempts before a message that keeps failing is parked in the dead-letter topic. */
  maxAttempts?: number;
  /** Partitions processed in parallel; order within a partition (so within a case) always holds. */
  concurrency?: number;
  /** Start a brand-new group at the earliest offset (default) or only take new messages. */
  fromBeginning?: boolean;
  /**
   * Where a message goes whose precondition is still unmet after a few seconds (NotReadyYet), so
   * its partition goes on (deferredMessages.ts). Without it, such a message is parked after about
   * 30 s of retries in place.
   */
  defer?: (msg: Received, reason: string) => Promise<void>;
}

export interface RawRecord {
  topic: string;
  key: string;
  value: string;
  /** W3C trace context for the `traceparent` header: undefined takes the active span's, null sends none. */
  traceparent?: string | null;
}

export interface Subscription {
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// About 30 s of waiting in all (the back-off is capped at 2 s) before a message is parked.
const NOT_READY_ATTEMPTS = 20;
// One retry in place (0.2 s) before a message is set aside, where the subscriber can (opts.defer).
// A wait in place holds one of the few partitions a consumer handles at a time: in a burst, when
// many readiness events run ahead of their ratings, waits of seconds took every slot, the ratings'
// partitions among them, and fed themselves (docs/architecture.md "Messages that arrive early").
const DEFER_AFTER_ATTEMPTS = 2;
// The longest run of messages handled in one transaction (opts.handleMany): long enough that a
// burst pays one commit for many messages, short enough that row locks are held briefly.
const MAX_RUN = 100;
// Runs of one fetch that may fail before the rest of it goes one message at a time: each failure
// costs a transaction rolled back, so a fetch whose messages all fail would cost one per message.
const MAX_RUN_FAILURES = 3;

/** A run's answer: positions in the run, ascending, distinct, the first one among them. */
function isRunAnswer(handled: number[], length: number): boolean {
  return handled[0] === 0 && handled.every((i, k) => Number.isInteger(i) && i < length && (k === 0 || i > handled[k - 1]));
}

type Checked = { ok: true; received: Received } | { ok: false; reason: string; errors?: object[] };

/**
 * Runs the handling of one message in a span that continues the producer's trace, so what the
 * handler writes to the outbox carries the same trace on.
 */
export function inMessageSpan<T>(
  topic: string,
  group: string,
  offset: string,
  traceparent: string | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  return inSpan(
    `${topic} process`,
    {
      kind: SpanKind.CONSUMER,
      parent: contextFromTraceparent(traceparent),
      attributes: {
        'messaging.system': 'kafka',
        'messaging.destination.name': topic,
        'messaging.consumer.group.name': group,
        'messaging.kafka.offset': offset,
      },
    },
    fn,
  );
}

const LOST_SESSION = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
  // After a broker of three was killed, Kafka 4 refused every later send of a connector's producer
  // as an invalid record, for six minutes until the test gave up, whatever the records were (the
  // same replies a fresh producer sends): the state kafkajs kept from the failed send is what it
  // refuses (test/cluster/brokerKill.cluster-spec.ts, 2026-12-01).
  'INVALID_RECORD',
]);

/** The broker's error type behind a kafkajs error, looking through the retrier's wrappers. */
export function kafkaErrorType(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    const type = (e as { type?: string }).type;
    if (type) return type;
    e = (e as { cause?: unknown; originalError?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  }
  return undefined;
}

/** An idempotent producer the broker will not take sends from again (see KafkaPort.sendRaw). */
export function producerSessionLost(err: unknown): boolean {
  const type = kafkaErrorType(err);
  return type !== undefined && LOST_SESSION.has(type);
}

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
  private admin?: Promise<Admin>;
  private readonly consumers: Consumer[] = [];
  private readonly knownPartitions = new Map<string, { count: number; until: number }>();
  /** The principal this port authenticates as; undefined on an open broker. */
  readonly credentials?: KafkaCredentials;

  constructor(readonly config: MessagingConfig) {
    this.credentials = config.sasl ?? kafkaCredentialsFromEnv(process.env);
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      ...(config.ssl ? { ssl: config.ssl } : {}),
      ...(this.credentials ? { sasl: this.credentials } : {}),
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log: entry }) => {
          if (level > logLevel.WARN) return;
          // "Response X" lines are broker error codes kafkajs retries itself (a leader moving, a
          // group rebalancing): worth a warning, not an error page at night.
          const retried = typeof entry.message === 'string' && entry.message.startsWith('Response ');
          log(level <= logLevel.ERROR && !retried ? 'error' : 'warn', 'kafka', {
            detail: entry.message,
            error: entry.error,
            broker: entry.broker,
          });
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
      const admin = this.kafka.admin();
      // One connect shared by concurrent callers; an admin whose connect failed stays
      // disconnected (as a producer does), so it is forgotten and the next call connects anew.
      const ready = admin.connect().then(() => admin);
      this.admin = ready;
      ready.catch(() => {
        if (this.admin === ready) this.admin = undefined;
      });
    }
    return this.admin;
  }

  /**
   * At start-up: on an open broker a process creates the topics it may need itself; an
   * authenticated broker topics are made by the provisioning step (npm run kafka:provision, as
   * admin) and a service principal has no right to create them, so this does nothing there; a
   * tool or benchmark running as admin still makes what it needs.
   */
  async prepareTopics(): Promise<void> {
    if (this.credentials && this.credentials.username !== KAFKA_ADMIN_PRINCIPAL) return;
    await this.ensureTopics();
  }

  /** Creates every topic of the definition file that does not exist yet (needs the right to create topics). */
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
          // -1: the broker's default.replication.factor.
          replicationFactor: this.config.replicationFactor ?? -1,
          configEntries: topicConfigEntries(d),
        })),
      });
    } catch (err) {
      // Two services starting together race to create the same topics; losing that race is fine.
      if (/already exists/i.test(String((err as Error).message)) || (err as { type?: string }).type === 'TOPIC_ALREADY_EXISTS') return;
      // The controller made them but the broker has not applied that metadata yet (seconds, right
      // after a batch of ACL changes): kafkajs only waits out LEADER_NOT_AVAILABLE, so wait here.
      if ((err as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err;
      const wanted = missing.map((d) => this.physical(d.name));
      for (const deadline = Date.now() + 60000; ;) {
        const now = new Set(await admin.listTopics());
        if (wanted.every((t) => now.has(t))) return;
        if (Date.now() > deadline) throw err;
        await sleep(250);
      }
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
      const producer = this.producer;
      try {
        await producer.connect();
      } catch (err) {
        // A producer whose connect failed (the broker was down as the service started) stays
        // disconnected for good: forget it, so the next send connects a fresh one.
        if (this.producer === producer) this.producer = undefined;
        throw err;
      }
    }
    return this.producer;
  }

  /**
   * Sends already-enveloped records (the outbox relay's path). Resolves only when every partition
   * written to was acknowledged by all its in-sync replicas: a partition the answer leaves out
   * (kafkajs can drop one when a leader moves mid-batch, see batchAcks.ts) is sent again.
   */
  async sendRaw(records: RawRecord[]): Promise<void> {
    if (records.length === 0) return;
    const producer = await this.producerClient();
    const counts = await this.partitionCounts([...new Set(records.map((r) => this.physical(r.topic)))]);
    let pending = byPartition(
      records.map((r) => {
        const topic = this.physical(r.topic);
        const traceparent = r.traceparent === undefined ? currentTraceparent() : r.traceparent;
        const headers = envelopeHeaders(r.value);
        return {
          topic,
          message: {
            key: r.key,
            value: r.value,
            partition: partitionOf(topic, r.key, counts.get(topic)!),
            headers: headers && traceparent ? { ...headers, traceparent } : headers,
          },
        };
      }),
    );
    for (let round = 1; ; round++) {
      let answer: { topicName: string; partition: number; errorCode: number }[];
      try {
        answer = await producer.sendBatch({ acks: -1, topicMessages: topicMessagesOf(pending) });
      } catch (err) {
        if (producerSessionLost(err)) {
          // The broker lost or no longer accepts this producer's id or sequence numbers (a broker
          // restart can do it): kafkajs keeps sending the same sequence and fails for ever. Forget
          // the producer, so the next send (the relay's next poll) starts a fresh session. Rows sent
          // by both sessions may then sit twice on a topic; consumers' inboxes absorb that.
          if (this.producer === producer) this.producer = undefined;
          await producer.disconnect().catch(() => undefined);
          log('warn', 'kafka producer session lost; a new producer will send', { detail: kafkaErrorType(err) });
        }
        throw err;
      }
      pending = unacknowledged(pending, answer);
      if (pending.size === 0) return;
      messagingMetrics.partlyAcknowledged.inc();
      log('warn', 'kafka acknowledged part of a batch; sending the rest again', {
        partitions: [...pending.keys()].map((id) => this.logical(id)),
        round,
      });
      if (round >= 5) throw new Error(`kafka left ${pending.size} partition(s) of a batch unacknowledged after ${round} sends`);
    }
  }

  /** Partition counts of topics, as the broker has them (read again every five minutes, as kafkajs does). */
  private async partitionCounts(topics: string[]): Promise<Map<string, number>> {
    const now = Date.now();
    const stale = topics.filter((t) => (this.knownPartitions.get(t)?.until ?? 0) <= now);
    if (stale.length > 0) {
      const admin = await this.adminClient();
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: stale });
      for (const t of meta) this.knownPartitions.set(t.name, { count: t.partitions.length, until: now + 300_000 });
    }
    return new Map(
      topics.map((t) => {
        const known = this.knownPartitions.get(t);
        if (!known || known.count === 0) throw new Error(`no partitions known for topic ${this.logical(t)}`);
        return [t, known.count];
      }),
    );
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

  /**
   * Consumes `opts.topics` in group `opts.group` until stopped. kafkajs restarts a consumer itself
   * after a retriable crash, but stops it for good after one it deems unrecoverable, and its own
   * metadata race during a broker failover is such a one (a TypeError reading `brokers` of null,
   * kafkajs#1441): the service then lives on without consuming, and contacts wait for ever
   * (docs/observability.md "Kafka consumers replaced"). So a consumer kafkajs will not restart is
   * replaced here by a fresh one in the same group, after a growing pause; it resumes from the
   * committed offsets, so nothing is lost, and the inbox absorbs a message handled twice.
   */
  async subscribe(opts: SubscribeOptions): Promise<Subscription> {
    let current: Consumer | undefined;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let replaced = 0;
    const forget = (c: Consumer) => {
      const i = this.consumers.indexOf(c);
      if (i >= 0) this.consumers.splice(i, 1);
    };
    const replaceLater = () => {
      const wait = Math.min(30000, 1000 * 2 ** Math.min(replaced, 5));
      replaced++;
      timer = setTimeout(async () => {
        if (stopped) return;
        const old = current;
        if (old) {
          await old.disconnect().catch(() => undefined);
          forget(old);
        }
        try {
          await start();
        } catch (err) {
          log('warn', 'kafka consumer could not be started again; trying later', {
            group: opts.group,
            error: (err as Error).name,
            detail: (err as Error).message,
          });
          if (!stopped) replaceLater();
        }
      }, wait);
    };
    const start = async () => {
      const consumer = await this.startConsumer(opts);
      current = consumer;
      consumer.on(consumer.events.GROUP_JOIN, () => {
        replaced = 0;
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (payload.restart || stopped || current !== consumer) return;
        messagingMetrics.consumerReplaced.inc({ group: opts.group });
        log('error', 'kafka consumer stopped by its client; a new one will take over', {
          group: opts.group,
          error: payload.error.name,
          detail: payload.error.message,
        });
        replaceLater();
      });
    };
    await start();
    return {
      stop: async () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        if (current) {
          await current.disconnect();
          forget(current);
        }
      },
    };
  }

  private async startConsumer(opts: SubscribeOptions): Promise<Consumer> {
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
    try {
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
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: opts.concurrency ?? 3,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          const logical = this.logical(batch.topic);
          // The offset is committed only after the handling (and so its database commit) succeeded.
          const done = async (offset: string) => {
            await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(offset) + 1n).toString() }]);
            resolveOffset(offset);
          };
          const alone = (message: KafkaMessage, checked?: Checked) =>
            inMessageSpan(logical, opts.group, message.offset, traceparentFromHeaders(message.headers), () =>
              this.handleOne(
                opts,
                logical,
                batch.partition,
                message,
                checked ?? this.check(logical, batch.partition, message),
                maxAttempts,
                heartbeat,
              ),
            );
          const one = async (message: KafkaMessage, checked?: Checked) => {
            await alone(message, checked);
            await done(message.offset);
          };
          type Entry = { message: KafkaMessage; received: Received };
          let run: Entry[] = [];
          const flush = async () => {
            if (run.length === 0) return;
            const all = run;
            let taken = run;
            run = [];
            // Messages of the run may finish out of order (a run leaves some for later): offsets are
            // committed up to the last message before the first one not finished, never past it and
            // never back behind messages finished after it (kafkajs would fetch those again).
            const finished = new Set<Entry>();
            let committed = 0;
            const finish = async (entries: Entry[]) => {
              for (const e of entries) finished.add(e);
              let upTo = committed;
              while (upTo < all.length && finished.has(all[upTo])) upTo++;
              if (upTo > committed) await done(all[upTo - 1].message.offset);
              committed = upTo;
            };
            // The message that failed a run: it goes alone when it comes first.
            let failing: Entry | undefined;
            let failures = 0;
            while (taken.length > 0) {
              if (failing === taken[0]) {
                await alone(failing.message, { ok: true, received: failing.received });
                await finish([failing]);
                taken = taken.slice(1);
                failing = undefined;
                continue;
              }
              const attempt = failing ? taken.slice(0, taken.indexOf(failing)) : taken;
              let handled: number[];
              try {
                handled = await opts.handleMany!(attempt.map((r) => r.received));
                if (!isRunAnswer(handled, attempt.length))
                  throw new Error(`a run of ${attempt.length} answered ${JSON.stringify(handled)}`);
              } catch (err) {
                // Kafka or Postgres away: let kafkajs fetch the batch again, nothing was committed.
                if (isInfrastructureError(err)) throw err;
                messagingMetrics.runsHandledSingly.inc({ topic: logical });
                failures++;
                const at =
                  err instanceof RunFailedAt && Number.isInteger(err.index) && err.index >= 0 && err.index < attempt.length
                    ? err.index
                    : undefined;
                const cause = (err instanceof RunFailedAt ? err.cause : err) as Error;
                log('info', 'a run failed; the message that failed it is handled alone', {
                  topic: logical,
                  partition: batch.partition,
                  offset: attempt[at ?? 0].message.offset,
                  messages: attempt.length,
                  error: cause?.name,
                });
                // No one message's fault (the run's own statements), or a run whose messages keep
                // failing (a burst of early ones): each alone, as before runs split. Else those
                // before it are a run again, it goes alone, and those after it are runs again: a
                // run of 40 with one message not ready went 40 times alone; now 39 go in two runs.
                if (at === undefined || failures >= MAX_RUN_FAILURES) {
                  for (const r of taken) {
                    await alone(r.message, { ok: true, received: r.received });
                    await finish([r]);
                  }
                  return;
                }
                failing = attempt[at];
                continue;
              }
              // Those handled after a message left are in the inbox, so should the process stop
              // before the message left is handled, a redelivery from its offset finds them done.
              await finish(handled.map((i) => attempt[i]));
              await heartbeat();
              taken = taken.filter((r) => !finished.has(r));
            }
          };
          for (const message of batch.messages) {
            // A rebalance took the partition, or the consumer stops: what is not handled is fetched again.
            if (!isRunning() || isStale()) break;
            if (!opts.handleMany) {
              await one(message);
              continue;
            }
            const checked = this.check(logical, batch.partition, message);
            if (!checked.ok) {
              await flush();
              await one(message, checked);
              continue;
            }
            run.push({ message, received: checked.received });
            if (run.length >= MAX_RUN) await flush();
          }
          if (isRunning() && !isStale()) await flush();
        },
      });
    } catch (err) {
      await consumer.disconnect().catch(() => undefined);
      const i = this.consumers.indexOf(consumer);
      if (i >= 0) this.consumers.splice(i, 1);
      throw err;
    }
    return consumer;
  }

  /** Parses a message and checks it against its topic's contract. */
  private check(topic: string, partition: number, message: KafkaMessage): Checked {
    const raw = message.value ?? Buffer.alloc(0);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      return { ok: false, reason: 'value is not JSON' };
    }
    const checked = validateMessage(topic, parsed);
    if (!checked.ok) return { ok: false, reason: 'message breaks its contract', errors: checked.errors };
    if (checked.value.type !== topic) return { ok: false, reason: `envelope type '${checked.value.type}' does not match topic` };
    return {
      ok: true,
      received: { topic, partition, offset: message.offset, envelope: checked.value, traceparent: traceparentFromHeaders(message.headers) },
    };
  }

  private async handleOne(
    opts: SubscribeOptions,
    topic: string,
    partition: number,
    message: KafkaMessage,
    checked: Checked,
    maxAttempts: number,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const key = message.key?.toString() ?? null;
    const park = (reason: string, errors?: object[], attempts?: number) =>
      this.park(
        { topic, partition, offset: message.offset, key, raw: message.value ?? Buffer.alloc(0) },
        opts.group,
        reason,
        errors,
        attempts,
      );
    if (!checked.ok) return park(checked.reason, checked.errors);

    const received = checked.received;
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
        if (notReady && opts.defer && attempt >= DEFER_AFTER_ATTEMPTS) return opts.defer(received, reason);
        if (err instanceof RejectedMessage || attempt >= (notReady ? NOT_READY_ATTEMPTS : maxAttempts))
          return park(reason, undefined, attempt);
        log('warn', 'handler failed, will retry', { topic, messageId: received.envelope.id, attempt, error: (err as Error).name });
        await sleep(Math.min(notReady ? 2000 : 5000, 100 * 2 ** attempt));
        await heartbeat();
      }
    }
  }

  /** Parks a message that was set aside (deferredMessages.ts) and could not be handled in the end. */
  async parkReceived(m: Received, group: string, reason: string, attempts: number): Promise<void> {
    await this.park(
      { topic: m.topic, partition: m.partition, offset: m.offset, key: m.envelope.key, raw: Buffer.from(JSON.stringify(m.envelope)) },
      group,
      reason,
      undefined,
      attempts,
    );
  }

  private async park(
    at: { topic: string; partition: number; offset: string; key: string | null; raw: Buffer },
    group: string,
    reason: string,
    errors?: object[],
    attempts?: number,
  ): Promise<void> {
    const letter: DeadLetter = {
      originalTopic: at.topic,
      partition: at.partition,
      offset: at.offset,
      key: at.key,
      consumer: group,
      failedAt: hubNow().toISOString(),
      reason: reason.slice(0, 10000),
      ...(errors ? { errors } : {}),
      ...(attempts ? { attempts } : {}),
      ...sealedRaw(at.raw),
    };
    await this.deadLetter(letter, at.key ?? `${at.topic}:${at.partition}:${at.offset}`);
    messagingMetrics.deadLettered.inc({ topic: at.topic });
    log('warn', 'message parked in dead-letter topic', {
      topic: at.topic,
      partition: at.partition,
      offset: at.offset,
      group,
      reason: reason.slice(0, 200),
    });
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
    await Promise.allSettled([this.producer?.disconnect(), this.admin?.then((a) => a.disconnect())]);
    this.producer = undefined;
    this.admin = undefined;
  }
}

/** The broker configuration a topic definition asks for (retention, segment roll, clean-up). */
export function topicConfigEntries(d: TopicDefinition): { name: string; value: string }[] {
  return [
    { name: 'retention.ms', value: String(d.retentionMs) },
    ...(d.segmentMs !== undefined ? [{ name: 'segment.ms', value: String(d.segmentMs) }] : []),
    { name: 'cleanup.policy', value: d.cleanupPolicy },
  ];
}
