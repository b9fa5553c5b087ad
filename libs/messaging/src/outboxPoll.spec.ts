import { Logger } from 'typeorm';
import { TOPICS } from '@mash/contracts';
import { validExamples } from '@mash/contracts/examples';
import { KafkaPort } from './kafkaPort';
import { Outbox } from './outbox';
import { createServiceDb, ServiceDb } from '../../../test/support/serviceDb';

/**
 * The relay's poll on real Postgres. A poll that finds the outbox empty costs one statement, outside
 * any transaction: most polls find nothing (a commit nudges the relay itself), and a relay's
 * transaction and lock cost four. A row waiting is still found by the poll alone.
 */
const sent: string[] = [];
const logger: Logger = {
  logQuery: (sql) => void sent.push(sql),
  logQueryError: () => undefined,
  logQuerySlow: () => undefined,
  logSchemaBuild: () => undefined,
  logMigration: () => undefined,
  log: () => undefined,
};
let db: ServiceDb;

beforeAll(async () => {
  db = await createServiceDb('mash_outboxpoll', 'polled', [], 4, logger);
}, 60000);

afterAll(() => db?.drop());

class RecordingPort extends KafkaPort {
  readonly records: string[] = [];
  override async sendRaw(records: { key: string }[]): Promise<void> {
    this.records.push(...records.map((r) => r.key));
  }
}

it('an empty outbox costs each poll one statement and no transaction; a waiting row is still sent', async () => {
  const port = new RecordingPort({ brokers: ['127.0.0.1:1'], clientId: 'outbox-poll-spec', prefix: '' });
  const outbox = new Outbox(db.ds, port, 'polled', 'spec', 40);
  sent.length = 0;
  outbox.start();
  try {
    await new Promise((r) => setTimeout(r, 600));
    const polls = sent.filter((s) => /FROM "polled".outbox WHERE published_at IS NULL LIMIT 1/.test(s)).length;
    expect(polls).toBeGreaterThanOrEqual(5);
    expect(sent.filter((s) => /^(START TRANSACTION|BEGIN)/i.test(s))).toEqual([]);
    expect(sent.length).toBe(polls);

    // Written outside the service (another replica, a crash before its nudge): the poll finds it.
    await db.ds.transaction((m) => outbox.add(m, { topic: TOPICS.caseRated, key: 'CT-polled', data: validExamples.caseRated }));
    for (let i = 0; i < 50 && port.records.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(port.records).toEqual(['CT-polled']);
  } finally {
    await outbox.stop();
  }
}, 30000);
