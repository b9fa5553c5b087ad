import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, Logger } from 'typeorm';
import { TOPICS } from '@mash/contracts';
import { validExamples } from '@mash/contracts/examples';
import { KafkaPort } from './kafkaPort';
import { Outbox } from './outbox';
import { messagingTablesMigration } from './tables.migration';

/**
 * The relay's poll on real Postgres. A poll that finds the outbox empty costs one statement, outside
 * any transaction: most polls find nothing (a commit nudges the relay itself), and a relay's
 * transaction and lock cost four. A row waiting is still found by the poll alone.
 */
const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const dbName = `mash_outboxpoll_${randomBytes(4).toString('hex')}`;
const sent: string[] = [];
let ds: DataSource;

beforeAll(async () => {
  const admin = new Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${dbName}`;
  const logger: Logger = {
    logQuery: (sql) => void sent.push(sql),
    logQueryError: () => undefined,
    logQuerySlow: () => undefined,
    logSchemaBuild: () => undefined,
    logMigration: () => undefined,
    log: () => undefined,
  };
  ds = new DataSource({
    type: 'postgres',
    url: url.toString(),
    logger,
    extra: { max: 4 },
    migrations: [messagingTablesMigration('polled')],
  });
  await ds.initialize();
  await ds.query(`CREATE SCHEMA polled`);
  await ds.runMigrations();
}, 60000);

afterAll(async () => {
  await ds?.destroy();
  const admin = new Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.end();
});

class RecordingPort extends KafkaPort {
  readonly records: string[] = [];
  override async sendRaw(records: { key: string }[]): Promise<void> {
    this.records.push(...records.map((r) => r.key));
  }
}

it('an empty outbox costs each poll one statement and no transaction; a waiting row is still sent', async () => {
  const port = new RecordingPort({ brokers: ['127.0.0.1:1'], clientId: 'outbox-poll-spec', prefix: '' });
  const outbox = new Outbox(ds, port, 'polled', 'spec', 40);
  sent.length = 0;
  outbox.start();
  try {
    await new Promise((r) => setTimeout(r, 600));
    const polls = sent.filter((s) => /FROM "polled".outbox WHERE published_at IS NULL LIMIT 1/.test(s)).length;
    expect(polls).toBeGreaterThanOrEqual(5);
    expect(sent.filter((s) => /^(START TRANSACTION|BEGIN)/i.test(s))).toEqual([]);
    expect(sent.length).toBe(polls);

    // Written outside the service (another replica, a crash before its nudge): the poll finds it.
    await ds.transaction((m) => outbox.add(m, { topic: TOPICS.caseRated, key: 'CT-polled', data: validExamples.caseRated }));
    for (let i = 0; i < 50 && port.records.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(port.records).toEqual(['CT-polled']);
  } finally {
    await outbox.stop();
  }
}, 30000);
