/**
 * npm run bench:kafka-clients -- [--messages N] [--rounds R]
 *
 * What each Kafka client for Node costs the hub per message, on the local broker (SCRAM, as the
 * hub runs): kafkajs (what the port uses), @platformatic/kafka, and @confluentinc/kafka-javascript
 * when it is installed. Each client, in turn and in alternating rounds, sends N envelopes the size
 * of a contact in batches of 100 with acks=all (as the outbox relay does), then reads them back in
 * a consumer group of its own, committing every 100 at most (as the port does). It prints the rate
 * and this process's CPU milliseconds per 1,000 messages for each, the better of the rounds, as a
 * ratio against kafkajs. docs/architecture.md "The Kafka client" says what was chosen and why.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Consumer, ConsumerRunConfig, Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '@mash/contracts';
import { validExamples } from '@mash/contracts/examples';
import { credentialsOf, defaultPrincipalsFile, envelopeFor, loadKafkaPrincipals } from '@mash/messaging';
import { repoRoot } from '@mash/policy';

interface Sasl {
  mechanism: 'scram-sha-512';
  username: string;
  password: string;
}

interface Record {
  key: string;
  value: string;
  headers: { [name: string]: string };
}

/** One client, driven the way the port drives kafkajs. */
interface ClientUnderTest {
  name: string;
  version: string;
  produce(topic: string, batches: Record[][]): Promise<void>;
  /** Reads `count` messages from the start in a new group, committing each batch; resolves when all are read. */
  consume(topic: string, group: string, count: number): Promise<void>;
  close(): Promise<void>;
}

const PARTITIONS = 12;

function args(): { messages: number; rounds: number } {
  const argv = process.argv.slice(2);
  const value = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  return { messages: value('messages', 30000), rounds: value('rounds', 2) };
}

/** Read from the file: some packages do not export their package.json. */
function versionOf(pkg: string): string {
  return (JSON.parse(readFileSync(join(repoRoot(), 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Reads `count` messages with a consumer of the KafkaJS shape (kafkajs, or confluent's KafkaJS API)
 * in runs of at most 100, one commit each, as the port hands them to the transport.
 */
async function readInRuns(consumer: Consumer, count: number, runOptions: Partial<ConsumerRunConfig>): Promise<void> {
  let read = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        ...runOptions,
        partitionsConsumedConcurrently: PARTITIONS,
        eachBatch: async ({ batch }) => {
          for (let i = 0; i < batch.messages.length; i += 100) {
            const run = batch.messages.slice(i, i + 100);
            read += run.length;
            const next = (BigInt(run[run.length - 1].offset) + 1n).toString();
            await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
          }
          if (read >= count) resolve();
        },
      })
      .catch(reject);
  });
}

function kafkajsClient(brokers: string[], sasl: Sasl): ClientUnderTest {
  const kafka = new Kafka({ clientId: 'bench-clients', brokers, sasl, logLevel: logLevel.ERROR });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const connected = producer.connect();
  return {
    name: 'kafkajs',
    version: versionOf('kafkajs'),
    async produce(topic, batches) {
      await connected;
      for (const batch of batches) await producer.send({ topic, acks: -1, messages: batch });
    },
    async consume(topic, group, count) {
      const consumer = kafka.consumer({ groupId: group, allowAutoTopicCreation: false });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await readInRuns(consumer, count, { autoCommit: false });
      await consumer.disconnect();
    },
    close: () => producer.disconnect(),
  };
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the optional clients are loaded at run time, untyped here */
function platformaticClient(brokers: string[], sasl: Sasl): ClientUnderTest | string {
  let pk: any;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    pk = require('@platformatic/kafka');
  } catch (err) {
    return `not loadable here: ${(err as Error).message.split('\n')[0]}`;
  }
  const common = { clientId: 'bench-clients', bootstrapBrokers: brokers, sasl: { ...sasl, mechanism: 'SCRAM-SHA-512' } };
  const producer = new pk.Producer({ ...common, serializers: pk.stringSerializers, acks: pk.ProduceAcks.ALL, autocreateTopics: false });
  return {
    name: '@platformatic/kafka',
    version: versionOf('@platformatic/kafka'),
    async produce(topic, batches) {
      for (const batch of batches)
        await producer.send({ messages: batch.map((r) => ({ topic, key: r.key, value: r.value, headers: r.headers })) });
    },
    async consume(topic, group, count) {
      const consumer = new pk.Consumer({ ...common, groupId: group, deserializers: pk.stringDeserializers });
      const stream = await consumer.consume({
        topics: [topic],
        mode: pk.MessagesStreamModes.EARLIEST,
        autocommit: false,
        maxWaitTime: 500,
      });
      let read = 0;
      let pending = new Map<number, { offset: bigint; leaderEpoch: number }>();
      const commit = async () => {
        const offsets = [...pending].map(([partition, p]) => ({ topic, partition, offset: p.offset + 1n, leaderEpoch: p.leaderEpoch }));
        pending = new Map();
        if (offsets.length) await consumer.commit({ offsets });
      };
      // A batch is what one fetch brought: the stream hands messages one at a time, so commit every 100.
      for await (const m of stream) {
        read++;
        pending.set(m.partition, { offset: m.offset, leaderEpoch: 0 });
        if (read % 100 === 0 || read >= count) await commit();
        if (read >= count) break;
      }
      await stream.close();
      await consumer.close();
    },
    close: () => producer.close(),
  };
}

function confluentClient(brokers: string[], sasl: Sasl): ClientUnderTest | string {
  let ck: any;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ck = require('@confluentinc/kafka-javascript');
  } catch (err) {
    return `not installed: ${(err as Error).message.split('\n')[0]}`;
  }
  const kafka = new ck.KafkaJS.Kafka({ kafkaJS: { clientId: 'bench-clients', brokers, sasl, logLevel: ck.KafkaJS.logLevel.ERROR } });
  const producer = kafka.producer({ kafkaJS: { acks: -1 } });
  const connected = producer.connect();
  return {
    name: '@confluentinc/kafka-javascript',
    version: versionOf('@confluentinc/kafka-javascript'),
    async produce(topic, batches) {
      await connected;
      for (const batch of batches) await producer.send({ topic, messages: batch });
    },
    async consume(topic, group, count) {
      const consumer = kafka.consumer({ kafkaJS: { groupId: group, fromBeginning: true, autoCommit: false } });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic] });
      await readInRuns(consumer, count, {});
      await consumer.disconnect();
    },
    close: () => producer.disconnect(),
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

interface Measured {
  seconds: number;
  cpuMs: number;
}

async function measure(work: () => Promise<void>): Promise<Measured> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { seconds, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function main(): Promise<void> {
  const { messages, rounds } = args();
  const brokers = (process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`).split(',');
  const sasl = credentialsOf(loadKafkaPrincipals(defaultPrincipalsFile()), 'admin') as Sasl;
  const admin = new Kafka({ clientId: 'bench-clients-admin', brokers, sasl, logLevel: logLevel.ERROR }).admin();
  await admin.connect();

  // A contact's envelope with the trace header the port sends: the size the hub's messages have.
  const envelope = envelopeFor({ topic: TOPICS.contactReceived, key: 'CT-bench', data: validExamples.contactReceived }, 'bench');
  const value = JSON.stringify(envelope);
  const headers = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'mash-type': TOPICS.contactReceived };
  const batches: Record[][] = [];
  for (let i = 0; i < messages; i += 100) {
    batches.push(Array.from({ length: Math.min(100, messages - i) }, (_, k) => ({ key: `CT-${i + k}`, value, headers })));
  }

  const makers = [kafkajsClient, platformaticClient, confluentClient];
  const results = new Map<string, { version: string; produce: Measured[]; consume: Measured[] }>();
  const skipped: string[] = [];
  const runId = Date.now().toString(36);
  console.log(`${messages} messages of ${value.length} bytes, ${rounds} rounds, brokers ${brokers.join(',')}`);
  for (let round = 0; round < rounds; round++) {
    for (const make of makers) {
      const client = make(brokers, sasl);
      if (typeof client === 'string') {
        if (round === 0) skipped.push(`${make.name.replace('Client', '')}: ${client}`);
        continue;
      }
      const topic = `bench-clients-${runId}-${round}-${client.name.replace(/[^a-z]/g, '')}`;
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }] });
      try {
        const produce = await measure(() => client.produce(topic, batches));
        const consume = await measure(() => client.consume(topic, `${topic}-group`, messages));
        const r = results.get(client.name) ?? { version: client.version, produce: [], consume: [] };
        r.produce.push(produce);
        r.consume.push(consume);
        results.set(client.name, r);
        console.log(
          `round ${round + 1} ${client.name}: produce ${produce.seconds.toFixed(2)} s / ${produce.cpuMs.toFixed(0)} ms CPU, consume ${consume.seconds.toFixed(2)} s / ${consume.cpuMs.toFixed(0)} ms CPU`,
        );
      } catch (err) {
        if (round === 0) skipped.push(`${client.name}: failed against this broker: ${(err as Error).message}`);
        console.log(`round ${round + 1} ${client.name}: failed: ${(err as Error).message}`);
      } finally {
        await client.close().catch(() => undefined);
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      }
    }
  }
  await admin.disconnect();

  const best = (ms: Measured[]) => ms.reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a));
  const base = results.get('kafkajs');
  const perK = (m: Measured) => (m.cpuMs / messages) * 1000;
  console.log(
    `\nKafka clients, ${messages} messages, the better of ${rounds} rounds; ${cpus().length} x ${cpus()[0]?.model.trim()}, Node ${process.version}, load ${loadavg()[0].toFixed(2)}\n`,
  );
  console.log(
    '| client | produce msg/s | produce CPU ms per 1,000 | consume msg/s | consume CPU ms per 1,000 | CPU vs kafkajs (produce / consume) |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [name, r] of results) {
    const p = best(r.produce);
    const c = best(r.consume);
    const ratio = base ? `${(p.cpuMs / best(base.produce).cpuMs).toFixed(2)}x / ${(c.cpuMs / best(base.consume).cpuMs).toFixed(2)}x` : '-';
    console.log(
      `| ${name} ${r.version} | ${(messages / p.seconds).toFixed(0)} | ${perK(p).toFixed(0)} | ${(messages / c.seconds).toFixed(0)} | ${perK(c).toFixed(0)} | ${ratio} |`,
    );
  }
  for (const s of skipped) console.log(`skipped ${s}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
