import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { DeadLetter, Envelope, TOPIC_DEFINITIONS, TOPICS } from '@mash/contracts';
import { validExamples } from '@mash/contracts/examples';
import { openRaw } from './deadLetterRaw';
import { envelopeFor } from './envelopes';
import { NotReadyYet, RejectedMessage } from './errors';
import { KafkaPort, Received } from './kafkaPort';
import { Outbox } from './outbox';
import { MessagingHarness, openMessagingHarness } from './messagingHarness.fixtures';
import { rememberMessage } from './inbox.repository';
import { messagingMetrics } from './metrics';
import { partitionOf } from './batchAcks';
import { deferredRows } from './deferred.repository';
import { DeferredMessages } from './deferredMessages';

/**
 * The port's promises, against real Kafka and Postgres: events commit with the state or not at
 * all; a redelivery does nothing; bad messages and failing handlers end in the dead-letter topic
 * with the reason; a dependency being away parks nothing.
 */

const schema = 'msgtest';
let h: MessagingHarness;
let ds: DataSource;
let port: KafkaPort;
let outbox: Outbox;
const stops: (() => Promise<void>)[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(fn: () => T | undefined, ms = 30000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = fn();
    if (v !== undefined) return v;
    await sleep(50);
  }
  throw new Error('timed out');
}

/** Collects every message on some topics, from the beginning, in a group of its own. */
let collectors = 0;
async function collect(topics: string[]): Promise<Received[]> {
  const got: Received[] = [];
  const sub = await port.subscribe({ group: `collector-${++collectors}`, topics, handle: async (m) => void got.push(m) });
  stops.push(() => sub.stop());
  return got;
}

beforeAll(async () => {
  h = await openMessagingHarness({ letter: 'm', schema, clientId: 'msgtest' });
  ({ ds, port, outbox } = h);
}, 60000);

afterAll(() => h?.close(stops), 60000);

const chased = (caseId: string) => ({ ...validExamples.checkChased, caseId });

it('publishes an event only if its transaction commits, and once however often the relay runs', async () => {
  const got = await collect([TOPICS.checkChased]);
  await ds
    .transaction(async (m) => {
      await outbox.add(m, { topic: TOPICS.checkChased, key: 'CS-rolled-back', data: chased('CS-rolled-back') });
      throw new Error('the state change failed');
    })
    .catch(() => undefined);
  await ds.transaction((m) => outbox.add(m, { topic: TOPICS.checkChased, key: 'CS-committed', data: chased('CS-committed') }));
  await Promise.all([outbox.relay(), outbox.relay(), outbox.relay()]);
  await outbox.relay();
  await until(() => got.find((g) => g.envelope.key === 'CS-committed'));
  await sleep(1000);
  expect(got.filter((g) => g.envelope.key === 'CS-committed')).toHaveLength(1);
  expect(got.find((g) => g.envelope.key === 'CS-rolled-back')).toBeUndefined();
  expect(await outbox.backlog()).toBe(0);
}, 60000);

it('refuses to write an event that breaks its contract', async () => {
  await expect(
    ds.transaction((m) => outbox.add(m, { topic: TOPICS.checkChased, key: 'CS-x', data: { ...chased('CS-x'), kind: 'nagging' } })),
  ).rejects.toThrow(/\/data\/kind enum/);
});

it('remembers handled message ids so a redelivery does nothing', async () => {
  const first = await ds.transaction((m) => rememberMessage(m, schema, 'triage', 'msg-1', 't'));
  const again = await ds.transaction((m) => rememberMessage(m, schema, 'triage', 'msg-1', 't'));
  const otherConsumer = await ds.transaction((m) => rememberMessage(m, schema, 'checks', 'msg-1', 't'));
  expect([first, again, otherConsumer]).toEqual([true, false, true]);
});

it('parks broken JSON and contract-breaking messages with the reason and the raw value', async () => {
  const letters = await collect([TOPICS.deadLetter]);
  const handled: string[] = [];
  const sub = await port.subscribe({
    group: 'strict-consumer',
    topics: [TOPICS.caseReady],
    handle: async (m) => void handled.push(m.envelope.id),
  });
  stops.push(() => sub.stop());
  const good = envelopeFor({ topic: TOPICS.caseReady, key: 'CS-good', data: { ...validExamples.caseReady, caseId: 'CS-good' } }, 'test');
  const bad = { ...good, id: 'bad-1', data: { ...good.data, complete: 'maybe' } };
  await port.sendRaw([
    { topic: TOPICS.caseReady, key: 'CS-good', value: '{"not json' },
    { topic: TOPICS.caseReady, key: 'CS-good', value: JSON.stringify(bad) },
    { topic: TOPICS.caseReady, key: 'CS-good', value: JSON.stringify(good) },
  ]);
  await until(() => (handled.includes(good.id) ? true : undefined));
  const mine = await until(() => {
    const l = letters.map((x) => x.envelope.data as DeadLetter).filter((d) => d.consumer === 'strict-consumer');
    return l.length >= 2 ? l : undefined;
  });
  expect(mine.map((d) => d.reason).sort()).toEqual(['message breaks its contract', 'value is not JSON']);
  const contract = mine.find((d) => d.reason === 'message breaks its contract')!;
  expect(contract.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/data/complete', rule: 'type' })]));
  // The raw value is sealed at rest; opened, it is the message as it came.
  expect(contract.rawEncoding).toBe('sealed-utf8');
  expect(contract.rawValue).not.toContain('bad-1');
  expect(JSON.parse(openRaw(contract).value).id).toBe('bad-1');
  expect(contract.originalTopic).toBe(TOPICS.caseReady);
  expect(handled).toEqual([good.id]);
}, 60000);

it('retries a failing handler a bounded number of times, then parks it; a rejected message is parked at once', async () => {
  const letters = await collect([TOPICS.deadLetter]);
  const attempts = new Map<string, number>();
  const sub = await port.subscribe({
    group: 'flaky-consumer',
    topics: [TOPICS.teamsAlerted],
    maxAttempts: 3,
    handle: async (m: Received) => {
      attempts.set(m.envelope.key, (attempts.get(m.envelope.key) ?? 0) + 1);
      if (m.envelope.key === 'CS-always-fails') throw new Error('bug in handler');
      if (m.envelope.key === 'CS-rejected') throw new RejectedMessage('can never succeed');
    },
  });
  stops.push(() => sub.stop());
  const base = validExamples.teamsAlerted;
  await port.publish([
    { topic: TOPICS.teamsAlerted, key: 'CS-always-fails', data: { ...base, caseId: 'CS-always-fails' } },
    { topic: TOPICS.teamsAlerted, key: 'CS-rejected', data: { ...base, caseId: 'CS-rejected' } },
  ]);
  const parked = await until(() => {
    const l = letters.map((x) => x.envelope.data as DeadLetter).filter((d) => d.consumer === 'flaky-consumer');
    return l.length >= 2 ? l : undefined;
  });
  expect(attempts.get('CS-always-fails')).toBe(3);
  expect(attempts.get('CS-rejected')).toBe(1);
  expect(parked.find((d) => d.key === 'CS-always-fails')).toMatchObject({ attempts: 3, reason: 'handler failed: bug in handler' });
}, 60000);

it('never parks a message because a dependency was away: it retries until the dependency is back', async () => {
  const letters = await collect([TOPICS.deadLetter]);
  let calls = 0;
  const done: Envelope[] = [];
  const sub = await port.subscribe({
    group: 'patient-consumer',
    topics: [TOPICS.noticeDelivered],
    maxAttempts: 2,
    handle: async (m) => {
      calls++;
      if (calls <= 4) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      done.push(m.envelope);
    },
  });
  stops.push(() => sub.stop());
  await port.publish([
    { topic: TOPICS.noticeDelivered, key: 'CS-db-away', data: { ...validExamples.noticeDelivered, caseId: 'CS-db-away' } },
  ]);
  await until(() => (done.length ? true : undefined), 45000);
  expect(calls).toBeGreaterThan(4);
  expect(letters.map((x) => x.envelope.data as DeadLetter).filter((d) => d.consumer === 'patient-consumer')).toEqual([]);
}, 60000);

it('starts a new consumer when kafkajs stops one for good, and loses nothing it had not committed', async () => {
  // kafkajs stops a consumer for good after an error it deems unrecoverable, a TypeError among them;
  // its own metadata race during a broker failover throws one (kafkajs#1441). Here a handler's
  // TypeError that reads as a lost connection (so the port hands it to kafkajs, not to the
  // dead-letter topic) stands in for that race.
  const letters = await collect([TOPICS.deadLetter]);
  let calls = 0;
  const done: string[] = [];
  const sub = await port.subscribe({
    group: 'revived-consumer',
    topics: [TOPICS.decisionRecorded],
    handle: async (m) => {
      calls++;
      if (calls === 1) throw new TypeError('Connection terminated unexpectedly');
      done.push(m.envelope.key);
    },
  });
  stops.push(() => sub.stop());
  const base = validExamples.decisionRecorded;
  await port.publish([{ topic: TOPICS.decisionRecorded, key: 'CS-before-crash', data: { ...base, caseId: 'CS-before-crash' } }]);
  await until(() => (done.includes('CS-before-crash') ? true : undefined), 45000);
  // The new consumer goes on consuming what comes after.
  await port.publish([{ topic: TOPICS.decisionRecorded, key: 'CS-after-crash', data: { ...base, caseId: 'CS-after-crash' } }]);
  await until(() => (done.includes('CS-after-crash') ? true : undefined), 30000);
  expect(done).toEqual(['CS-before-crash', 'CS-after-crash']);
  expect(calls).toBe(3);
  const replaced = (await messagingMetrics.consumerReplaced.get()).values.find((v) => v.labels.group === 'revived-consumer');
  expect(replaced?.value).toBe(1);
  expect(letters.map((x) => x.envelope.data as DeadLetter).filter((d) => d.consumer === 'revived-consumer')).toEqual([]);
}, 60000);

it('puts each key on the partition kafkajs itself would pick, so a case keeps its partition and its order', async () => {
  const keys = Array.from({ length: 40 }, (_, i) => `CS-placement-${i}`);
  const got = await collect([TOPICS.checkChased]);
  // The same keys sent by a plain kafkajs producer that picks partitions itself...
  const plain = new Kafka({
    clientId: 'placement',
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    logLevel: logLevel.NOTHING,
    ...(port.credentials ? { sasl: port.credentials } : {}),
  });
  const producer = plain.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const base = validExamples.checkChased;
  const envelopes = keys.map((key) => envelopeFor({ topic: TOPICS.checkChased, key, data: { ...base, caseId: key } }, 'placement'));
  await producer.send({
    topic: port.physical(TOPICS.checkChased),
    messages: envelopes.map((e) => ({ key: e.key, value: JSON.stringify(e) })),
  });
  await producer.disconnect();
  // ...and by the port, which places them itself.
  await port.publish(keys.map((key) => ({ topic: TOPICS.checkChased, key, data: { ...base, caseId: key } })));
  const placed = await until(() => {
    const mine = got.filter((m) => keys.includes(m.envelope.key));
    return mine.length === 2 * keys.length ? mine : undefined;
  });
  const partitionsBy = (producerName: string) =>
    Object.fromEntries(placed.filter((m) => m.envelope.producer === producerName).map((m) => [m.envelope.key, m.partition]));
  const byKafkajs = partitionsBy('placement');
  expect(new Set(Object.values(byKafkajs)).size).toBeGreaterThan(1);
  expect(partitionsBy('msgtest')).toEqual(byKafkajs);
}, 60000);

describe('a message that arrives before what it builds on', () => {
  const consumer = 'early-consumer';
  // A sweeper left running would be a third replica in the next test, with its own idea of which cases are rated.
  const sweepers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of sweepers.splice(0)) await stop();
    // Each test counts the set-aside messages: one that failed must not leave its rows to the next.
    await ds.query(`DELETE FROM ${schema}.deferred_messages`);
  });
  /** Handles as a service does: one transaction with the inbox; a case not yet "rated" is not ready. */
  const serviceLike = (rated: Set<string>, handled: string[]) => (m: Received, take?: (manager: EntityManager) => Promise<boolean>) =>
    ds.transaction(async (manager) => {
      if (take && !(await take(manager))) return;
      if (!(await rememberMessage(manager, schema, consumer, m.envelope.id, m.topic))) return;
      if (!rated.has(m.envelope.key)) throw new NotReadyYet(`case ${m.envelope.key} not rated yet`);
      handled.push(m.envelope.key);
    });

  it('is set aside so its partition goes on, and handled once when what it needs arrives; nothing is parked', async () => {
    const letters = await collect([TOPICS.deadLetter]);
    const rated = new Set<string>(['CS-on-time']);
    const handled: string[] = [];
    const handle = serviceLike(rated, handled);
    const deferred = new DeferredMessages(ds, port, schema, consumer, { pollMs: 200 });
    // How long the early message held its partition: from its first try to its setting aside.
    const held: { firstTry?: number; setAside?: number } = {};
    const sub = await port.subscribe({
      group: consumer,
      topics: [TOPICS.caseRated],
      handle: (m) => {
        if (!rated.has(m.envelope.key)) held.firstTry ??= Date.now();
        return handle(m);
      },
      defer: (m, reason) => {
        held.setAside = Date.now();
        return deferred.defer(m, reason);
      },
    });
    deferred.start((m, take) => handle(m, take));
    sweepers.push(
      () => deferred.stop(),
      () => sub.stop(),
    );
    // A topic no other test here uses, so every message on it is this test's. Two cases on one partition: the early one first, then one whose rating is there.
    const partitions = TOPIC_DEFINITIONS.find((d) => d.name === TOPICS.caseRated)!.partitions;
    const on = (key: string) => partitionOf(port.physical(TOPICS.caseRated), key, partitions);
    const early = Array.from({ length: 500 }, (_, i) => `CS-early-${i}`).find((k) => on(k) === on('CS-on-time'))!;
    const base = validExamples.caseRated;
    await port.publish([
      { topic: TOPICS.caseRated, key: early, data: { ...base, caseId: early } },
      { topic: TOPICS.caseRated, key: 'CS-on-time', data: { ...base, caseId: 'CS-on-time' } },
    ]);
    await until(() => (handled.includes('CS-on-time') ? true : undefined), 30000);
    expect(handled).toEqual(['CS-on-time']);
    expect(await deferredRows.count(ds, schema)).toBe(1);
    // One short retry in place, not seconds: a consumer has few partitions in hand at a time.
    expect(held.setAside! - held.firstTry!).toBeLessThan(1500);
    // Its rating arrives (a minute late, say, behind a broker failover): the set-aside message is handled.
    rated.add(early);
    await until(() => (handled.includes(early) ? true : undefined), 30000);
    await sleep(600);
    expect(handled).toEqual(['CS-on-time', early]);
    expect(await deferredRows.count(ds, schema)).toBe(0);
    expect(letters.map((x) => x.envelope.data as DeadLetter).filter((d) => d.consumer === consumer)).toEqual([]);
  }, 60000);

  it('is handled exactly once when two replicas sweep the set-aside messages at the same moment', async () => {
    const handled: string[] = [];
    const keys = Array.from({ length: 20 }, (_, i) => `CS-swept-${i}`);
    const replicaA = new DeferredMessages(ds, port, schema, consumer);
    const replicaB = new DeferredMessages(ds, port, schema, consumer);
    for (const key of keys) {
      const envelope = envelopeFor({ topic: TOPICS.caseRated, key, data: { ...validExamples.caseRated, caseId: key } }, 'msgtest');
      await replicaA.defer({ topic: TOPICS.caseRated, partition: 0, offset: '0', envelope }, 'precondition not met');
    }
    const handle = serviceLike(new Set(keys), handled);
    const [a, b] = await Promise.all([replicaA.sweep(handle), replicaB.sweep(handle)]);
    expect(a + b).toBe(keys.length);
    expect([...handled].sort()).toEqual([...keys].sort());
    expect(await deferredRows.count(ds, schema)).toBe(0);
  }, 60000);

  it('is parked with its reason only when what it needs never comes', async () => {
    const letters = await collect([TOPICS.deadLetter]);
    const deferred = new DeferredMessages(ds, port, schema, consumer, { maxWaitMs: 0 });
    const envelope = envelopeFor(
      { topic: TOPICS.caseRated, key: 'CS-never-rated', data: { ...validExamples.caseRated, caseId: 'CS-never-rated' } },
      'msgtest',
    );
    await deferred.defer(
      { topic: TOPICS.caseRated, partition: 0, offset: '7', envelope },
      'precondition not met: case CS-never-rated not rated yet',
    );
    expect(await deferred.sweep(serviceLike(new Set(), []))).toBe(0);
    const parked = await until(() =>
      letters.map((x) => x.envelope.data as DeadLetter).find((d) => d.consumer === consumer && d.key === 'CS-never-rated'),
    );
    expect(parked).toMatchObject({ originalTopic: TOPICS.caseRated, offset: '7', attempts: 1 });
    expect(parked.reason).toMatch(/^precondition not met: case CS-never-rated not rated yet \(set aside \d+ s, tried 1 times\)$/);
    expect(JSON.parse(openRaw(parked).value)).toEqual(envelope);
    expect(await deferredRows.count(ds, schema)).toBe(0);
  }, 60000);
});
