/**
 * kafkajs 2.2.4 (last released 2023) against the pinned broker (infra/kafka/pom.xml, Kafka 4.x).
 *
 * Kafka 4.0 removed old protocol versions (KIP-896). kafkajs picks min(its newest version, the
 * broker's newest version) for each call and never looks at the broker's oldest, so a removed
 * version would surface as a request the broker rejects. This file proves, against the broker at
 * KAFKA_BROKERS (default 127.0.0.1:9092), every call the hub relies on: the version table, admin
 * calls, keyed produce, consumer groups with manual commits and resume, idempotent and
 * transactional producers. Each run uses its own topics and group and deletes them at the end.
 */
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import {
  Admin,
  CompressionTypes,
  ConfigResourceTypes,
  Consumer,
  EachMessagePayload,
  GroupDescription,
  Kafka,
  logLevel,
  Partitioners,
  Producer,
} from 'kafkajs';
import { kafkaCredentialsFromEnv } from '@mash/messaging';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
const RUN = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const TOPIC = `compat.${RUN}`;
const TXN_TOPIC = `compat.txn.${RUN}`;
const GROUP = `compat-group-${RUN}`;
const PARTITIONS = 2;

jest.setTimeout(60_000);

/** Every kafkajs log line at WARN or above: retried protocol errors would only show up here. */
const kafkajsLogs: { level: number; namespace: string; message: string; error?: string }[] = [];
/** What kafkajs logs here on any broker version (matched against "message error"). */
const EXPECTED_LOGS = [
  // a transaction started right after the previous one ended, while the coordinator still writes
  // its markers: CONCURRENT_TRANSACTIONS, retried by kafkajs
  /another concurrent operation on the same transaction was ongoing/,
  // the deliberate second createTopics of an existing topic (TOPIC_ALREADY_EXISTS)
  /^Response CreateTopics\(.*Topic creation errors$/,
  // first use of a fresh broker that infra/kafka.sh did not warm up (e.g. the Docker one): the
  // group / transaction coordinators are still being created or loaded; the consumer crashes
  // and restarts (restartOnFailure), the producer retries
  /coordinator is not available|coordinator is loading|not the correct coordinator/i,
  /^Restarting the consumer in \d+ms/,
];

const SASL = kafkaCredentialsFromEnv(process.env);
const kafka = new Kafka({
  clientId: 'mash-kafka-compat',
  brokers: BROKERS,
  ...(SASL ? { sasl: SASL } : {}),
  logLevel: logLevel.WARN,
  retry: { retries: 5, initialRetryTime: 100 },
  logCreator:
    () =>
    ({ namespace, level, log }) => {
      const { message, error } = log as { message: string; error?: string };
      kafkajsLogs.push({ level, namespace, message, error });
    },
});

/** ApiVersions v0 over a raw socket: apiKey -> [min, max] the broker accepts. */
function brokerApiVersions(hostPort: string): Promise<Map<number, [number, number]>> {
  const i = hostPort.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const sock = new Socket();
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`ApiVersions: no answer from ${hostPort}`));
    }, 5000);
    let buf = Buffer.alloc(0);
    sock.on('error', reject);
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
      clearTimeout(timer);
      const f = buf.subarray(4);
      const errorCode = f.readInt16BE(4);
      if (errorCode !== 0) return reject(new Error(`ApiVersions error_code ${errorCode}`));
      const out = new Map<number, [number, number]>();
      for (let n = f.readInt32BE(6), o = 10; n > 0; n--, o += 6) {
        out.set(f.readInt16BE(o), [f.readInt16BE(o + 2), f.readInt16BE(o + 4)]);
      }
      sock.end();
      resolve(out);
    });
    sock.connect(Number(hostPort.slice(i + 1)), hostPort.slice(0, i), () => {
      const clientId = Buffer.from('mash-kafka-compat');
      const header = Buffer.alloc(14);
      header.writeInt32BE(10 + clientId.length, 0);
      header.writeInt16BE(18, 4); // ApiVersions
      header.writeInt16BE(0, 6); // v0
      header.writeInt32BE(1, 8); // correlation id
      header.writeInt16BE(clientId.length, 12);
      sock.write(Buffer.concat([header, clientId]));
    });
  });
}

/** Resolves once `count` messages have arrived (pushed by eachMessage), else rejects. */
function collector(count: number, timeoutMs = 30_000) {
  const seen: EachMessagePayload[] = [];
  let done!: () => void;
  let fail!: (e: Error) => void;
  const finished = new Promise<void>((res, rej) => {
    done = res;
    fail = rej;
  });
  const timer = setTimeout(() => fail(new Error(`got ${seen.length} of ${count} messages in ${timeoutMs} ms`)), timeoutMs);
  return {
    seen,
    finished,
    push(p: EachMessagePayload) {
      seen.push(p);
      if (seen.length >= count) {
        clearTimeout(timer);
        done();
      }
    },
    cancel() {
      clearTimeout(timer);
    },
  };
}

const label = (p: EachMessagePayload) => `${p.partition}:${p.message.offset}:${p.message.key?.toString()}=${p.message.value?.toString()}`;

describe('kafkajs 2.2.4 against the pinned Kafka broker', () => {
  let admin: Admin;
  const producers: Producer[] = [];
  const consumers: Consumer[] = [];
  /** label "partition:offset:key=value" of every record produced to TOPIC */
  const produced: string[] = [];

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.allSettled(consumers.map((c) => c.disconnect()));
    await Promise.allSettled(producers.map((p) => p.disconnect()));
    if (admin) {
      await admin.deleteGroups([GROUP]).catch(() => undefined);
      const existing = await admin.listTopics().catch(() => [] as string[]);
      const mine = [TOPIC, TXN_TOPIC].filter((t) => existing.includes(t));
      if (mine.length) await admin.deleteTopics({ topics: mine, timeout: 10_000 }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('every request kafkajs can send is in a version range the broker accepts (KIP-896)', async () => {
    // kafkajs internals (stable in 2.2.4, the last release): its request table and API keys.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- internals have no typed entry point
    const apiKeys: Record<string, number> = require('kafkajs/src/protocol/requests/apiKeys');
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
    const { requests } = require('kafkajs/src/protocol/requests') as {
      requests: Record<string, { versions: string[] }>;
    };
    const broker = await brokerApiVersions(BROKERS[0]);
    const problems: string[] = [];
    for (const [name, def] of Object.entries(requests)) {
      if (!def.versions?.length) continue; // declared by kafkajs but not implemented
      const key = apiKeys[name];
      const kjsMax = Math.max(...def.versions.map(Number));
      const range = broker.get(key);
      if (!range) {
        problems.push(`${name}(${key}): not offered by the broker`);
        continue;
      }
      const picked = Math.min(kjsMax, range[1]);
      if (picked < range[0]) problems.push(`${name}(${key}): kafkajs sends v${picked}, broker accepts v${range[0]}-v${range[1]}`);
    }
    // SASL is not used here; everything else the hub could call must negotiate.
    expect(problems.filter((p) => !p.startsWith('Sasl'))).toEqual([]);
  });

  it('infra/docker-compose.yml runs the same Kafka version as infra/kafka/pom.xml', () => {
    const infra = join(__dirname, '..', 'infra');
    const pinned = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(join(infra, 'kafka', 'pom.xml'), 'utf8'))?.[1];
    const image = /image:\s*apache\/kafka:(\S+)/.exec(readFileSync(join(infra, 'docker-compose.yml'), 'utf8'))?.[1];
    expect(pinned).toMatch(/^4\./);
    expect(image).toBe(pinned);
  });

  it('describeCluster: one live broker and a controller', async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.brokers.length).toBeGreaterThanOrEqual(1);
    expect(cluster.controller).not.toBeNull();
    expect(cluster.clusterId).toEqual(expect.any(String));
  });

  it('admin.createTopics with configs, then listTopics', async () => {
    const created = await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: TOPIC,
          numPartitions: PARTITIONS,
          replicationFactor: 1,
          configEntries: [
            { name: 'cleanup.policy', value: 'delete' },
            { name: 'retention.ms', value: String(24 * 3600 * 1000) },
          ],
        },
        { topic: TXN_TOPIC, numPartitions: 1, replicationFactor: 1 },
      ],
    });
    expect(created).toBe(true);
    // creating it again reports "already there" rather than failing
    expect(await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] })).toBe(false);
    expect(await admin.listTopics()).toEqual(expect.arrayContaining([TOPIC, TXN_TOPIC]));
  });

  it('admin.fetchTopicMetadata', async () => {
    const { topics } = await admin.fetchTopicMetadata({ topics: [TOPIC] });
    expect(topics).toHaveLength(1);
    expect(topics[0].name).toBe(TOPIC);
    expect(topics[0].partitions).toHaveLength(PARTITIONS);
    for (const p of topics[0].partitions) {
      expect(p.partitionErrorCode).toBe(0);
      expect(p.leader).toBeGreaterThanOrEqual(0);
      expect(p.replicas).toHaveLength(1);
    }
  });

  it('admin.describeConfigs (DescribeConfigs fields changed in 4.0)', async () => {
    const res = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configNames: ['cleanup.policy', 'retention.ms'] }],
    });
    const entries = Object.fromEntries(res.resources[0].configEntries.map((e) => [e.configName, e.configValue]));
    expect(res.resources[0].errorCode).toBe(0);
    expect(entries).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': String(24 * 3600 * 1000) });
  });

  it('producer.send with keys, headers and gzip; equal keys land on one partition', async () => {
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    producers.push(producer);
    await producer.connect();
    const messages = ['a', 'b', 'c', 'a', 'b', 'c'].map((k, i) => ({
      key: `key-${k}`,
      value: JSON.stringify({ n: i }),
      headers: { 'x-run': RUN },
    }));
    const plain = await producer.send({ topic: TOPIC, acks: -1, messages: messages.slice(0, 3) });
    const gzip = await producer.send({
      topic: TOPIC,
      acks: -1,
      compression: CompressionTypes.GZIP,
      messages: messages.slice(3),
    });
    for (const r of [...plain, ...gzip]) {
      expect(r.errorCode).toBe(0);
      expect(r.topicName).toBe(TOPIC);
    }
    // read back to learn where each record went (and check that key -> partition is stable)
    const offsets = await admin.fetchTopicOffsets(TOPIC);
    const total = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
    expect(total).toBe(messages.length);
  });

  it('admin.fetchTopicOffsets and fetchTopicOffsetsByTimestamp (ListOffsets)', async () => {
    const offsets = await admin.fetchTopicOffsets(TOPIC);
    expect(offsets).toHaveLength(PARTITIONS);
    for (const o of offsets) {
      expect(Number(o.low)).toBe(0);
      expect(Number(o.high)).toBeGreaterThanOrEqual(0);
    }
    const byTime = await admin.fetchTopicOffsetsByTimestamp(TOPIC, Date.now() - 60_000);
    expect(byTime).toHaveLength(PARTITIONS);
    for (const o of byTime) expect(Number(o.offset)).toBe(0);
  });

  it('consumer group with autoCommit false: describeGroups, listGroups, commitOffsets, fetchOffsets', async () => {
    const consumer = kafka.consumer({
      groupId: GROUP,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 500, // disconnect() waits for the running fetch (default 5 s)
      retry: { retries: 5 },
    });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
    const got = collector(6);
    await consumer.run({
      autoCommit: false,
      eachMessage: async (p) => got.push(p),
    });
    await got.finished;
    produced.push(...got.seen.map(label));

    // the same key always went to the same partition
    const partitionOfKey = new Map<string, Set<number>>();
    for (const p of got.seen) {
      const k = p.message.key!.toString();
      partitionOfKey.set(k, (partitionOfKey.get(k) ?? new Set()).add(p.partition));
      expect(p.message.headers?.['x-run']?.toString()).toBe(RUN);
    }
    for (const parts of partitionOfKey.values()) expect(parts.size).toBe(1);

    // handle only the first record of each partition: commit its offset + 1
    const firstPerPartition = new Map<number, EachMessagePayload>();
    for (const p of got.seen) {
      const prev = firstPerPartition.get(p.partition);
      if (!prev || Number(p.message.offset) < Number(prev.message.offset)) firstPerPartition.set(p.partition, p);
    }
    await consumer.commitOffsets(
      [...firstPerPartition.values()].map((p) => ({
        topic: TOPIC,
        partition: p.partition,
        offset: String(Number(p.message.offset) + 1),
      })),
    );

    const { groups } = await admin.describeGroups([GROUP]);
    expect(groups).toHaveLength(1);
    expect((groups[0] as GroupDescription & { errorCode: number }).errorCode).toBe(0);
    expect(groups[0].state).toBe('Stable');
    expect(groups[0].protocolType).toBe('consumer');
    expect(groups[0].members).toHaveLength(1);

    const listed = await admin.listGroups();
    expect(listed.groups.map((g) => g.groupId)).toContain(GROUP);

    const committed = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    expect(committed).toHaveLength(1);
    const byPartition = Object.fromEntries(committed[0].partitions.map((p) => [p.partition, p.offset]));
    for (const [partition, p] of firstPerPartition) {
      expect(byPartition[partition]).toBe(String(Number(p.message.offset) + 1));
    }

    await consumer.disconnect();
    const after = await admin.describeGroups([GROUP]);
    expect(after.groups[0].state).toBe('Empty');
  });

  it('a second consumer in the group resumes from the committed offsets', async () => {
    expect(produced).toHaveLength(6);
    const byPartition = new Map<number, string[]>();
    for (const l of produced) {
      const [partition] = l.split(':');
      byPartition.set(Number(partition), [...(byPartition.get(Number(partition)) ?? []), l]);
    }
    // everything except the first record of each partition (those were committed)
    const expected = [...byPartition.values()]
      .flatMap((ls) => ls.sort((a, b) => Number(a.split(':')[1]) - Number(b.split(':')[1])).slice(1))
      .sort();

    const consumer = kafka.consumer({
      groupId: GROUP,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 500,
    });
    consumers.push(consumer);
    await consumer.connect();
    // fromBeginning only applies without a committed offset, so it must be ignored here
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
    const got = collector(expected.length);
    await consumer.run({ autoCommit: false, eachMessage: async (p) => got.push(p) });
    await got.finished;
    // give a wrongly re-delivered record a moment to show up
    await new Promise((r) => setTimeout(r, 500));
    expect(got.seen.map(label).sort()).toEqual(expected);
    await consumer.disconnect();
  });

  it('admin.setOffsets on an empty group', async () => {
    // (admin.resetOffsets is setOffsets with kafkajs's sentinels -2 earliest / -1 latest as the
    // committed offset; a kafkajs consumer reads them as "no committed offset". Each call runs a
    // throw-away consumer for one fetch, about 5 s.)
    await admin.setOffsets({ groupId: GROUP, topic: TOPIC, partitions: [{ partition: 0, offset: '1' }] });
    const committed = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    expect(committed[0].partitions.find((p) => p.partition === 0)?.offset).toBe('1');
  });

  it('idempotent producer (InitProducerId, sequence numbers)', async () => {
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // the client-wide retry (5) would apply otherwise, and kafkajs warns that it weakens EoS
      retry: { retries: Number.MAX_SAFE_INTEGER },
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    producers.push(producer);
    await producer.connect();
    const res = await producer.send({
      topic: TOPIC,
      acks: -1,
      messages: [
        { key: 'idem', value: '1' },
        { key: 'idem', value: '2' },
      ],
    });
    expect(res[0].errorCode).toBe(0);
    const again = await producer.send({ topic: TOPIC, acks: -1, messages: [{ key: 'idem', value: '3' }] });
    expect(again[0].errorCode).toBe(0);
    expect(Number(again[0].baseOffset)).toBe(Number(res[0].baseOffset) + 2);
  });

  it('transactional producer: commit is visible to read_committed, abort is not', async () => {
    const producer = kafka.producer({
      transactionalId: `compat-tx-${RUN}`,
      idempotent: true,
      maxInFlightRequests: 1,
      // the client-wide retry (5) would apply otherwise, and kafkajs warns that it weakens EoS
      retry: { retries: Number.MAX_SAFE_INTEGER },
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    producers.push(producer);
    await producer.connect();
    const committedTx = await producer.transaction();
    await committedTx.send({ topic: TXN_TOPIC, messages: [{ key: 'tx', value: 'committed' }] });
    await committedTx.commit();
    const abortedTx = await producer.transaction();
    await abortedTx.send({ topic: TXN_TOPIC, messages: [{ key: 'tx', value: 'aborted' }] });
    await abortedTx.abort();
    const marker = await producer.transaction();
    await marker.send({ topic: TXN_TOPIC, messages: [{ key: 'tx', value: 'last' }] });
    await marker.commit();

    const consumer = kafka.consumer({ groupId: `${GROUP}-tx`, readUncommitted: false, maxWaitTimeInMs: 500 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [TXN_TOPIC], fromBeginning: true });
    const got = collector(2);
    await consumer.run({ eachMessage: async (p) => got.push(p) });
    await got.finished;
    expect(got.seen.map((p) => p.message.value?.toString())).toEqual(['committed', 'last']);
    await consumer.disconnect();
    await admin.deleteGroups([`${GROUP}-tx`]);
  });

  it('admin.createPartitions, deleteGroups and deleteTopics', async () => {
    await admin.createPartitions({ topicPartitions: [{ topic: TOPIC, count: PARTITIONS + 1 }] });
    const { topics } = await admin.fetchTopicMetadata({ topics: [TOPIC] });
    expect(topics[0].partitions).toHaveLength(PARTITIONS + 1);

    const deleted = await admin.deleteGroups([GROUP]);
    expect(deleted[0].errorCode).toBe(0);

    await admin.deleteTopics({ topics: [TOPIC, TXN_TOPIC], timeout: 10_000 });
    const deadline = Date.now() + 10_000;
    while ((await admin.listTopics()).some((t) => t === TOPIC || t === TXN_TOPIC)) {
      if (Date.now() > deadline) throw new Error('topics still listed 10 s after deleteTopics');
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  it('kafkajs logged no warning or error other than expected retries', () => {
    const unexpected = kafkajsLogs.filter((l) => !EXPECTED_LOGS.some((re) => re.test(`${l.message} ${l.error ?? ''}`.trim())));
    expect(unexpected).toEqual([]);
  });
});
