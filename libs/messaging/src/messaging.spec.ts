import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { DeadLetter, Envelope, TOPICS } from '@mash/contracts';
import { validExamples } from '@mash/contracts/examples';
import { envelopeFor } from './envelopes';
import { RejectedMessage } from './errors';
import { KafkaPort, Received } from './kafkaPort';
import { Outbox, rememberMessage } from './outbox';
import { messagingTablesMigration } from './tables';

/**
 * The port's promises, against real Kafka and Postgres: events commit with the state or not at
 * all; a redelivery does nothing; bad messages and failing handlers end in the dead-letter topic
 * with the reason; a dependency being away parks nothing.
 */
const runId = `m${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const prefix = `${runId}.`;
const schema = 'msgtest';
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbUrl = (() => {
  const u = new URL(adminUrl);
  u.pathname = `/mash_${runId}`;
  return u.toString();
})();

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
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "mash_${runId}"`);
  await admin.end();
  ds = new DataSource({ type: 'postgres', url: dbUrl, schema, migrations: [messagingTablesMigration(schema)] });
  await ds.initialize();
  await ds.query(`CREATE SCHEMA ${schema}`);
  await ds.runMigrations();
  port = new KafkaPort({ brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), clientId: 'msgtest', prefix });
  await port.ensureTopics();
  outbox = new Outbox(ds, port, schema, 'msgtest', 50);
}, 60000);

afterAll(async () => {
  for (const s of stops) await s().catch(() => undefined);
  await outbox?.stop();
  const admin = await port.adminClient();
  const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  if (mine.length) await admin.deleteTopics({ topics: mine });
  await port.close();
  await ds?.destroy();
  const pg = new Client({ connectionString: adminUrl });
  await pg.connect();
  await pg.query(`DROP DATABASE IF EXISTS "mash_${runId}" WITH (FORCE)`);
  await pg.end();
}, 60000);

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
  const sub = await port.subscribe({ group: 'strict-consumer', topics: [TOPICS.caseReady], handle: async (m) => void handled.push(m.envelope.id) });
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
  expect(JSON.parse(contract.rawValue).id).toBe('bad-1');
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
  await port.publish([{ topic: TOPICS.noticeDelivered, key: 'CS-db-away', data: { ...validExamples.noticeDelivered, caseId: 'CS-db-away' } }]);
  await until(() => (done.length ? true : undefined), 45000);
  expect(calls).toBeGreaterThan(4);
  expect(letters.map((x) => x.envelope.data as DeadLetter).filter((d) => d.consumer === 'patient-consumer')).toEqual([]);
}, 60000);
