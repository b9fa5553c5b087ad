import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { NotifierTables1700000000400 } from '../migrations/1700000000400-notifier-tables';
import { NoticeDelivery1700000000401 } from '../migrations/1700000000401-notice-delivery';
import { NotifierRetention1700000000402 } from '../migrations/1700000000402-notifier-retention';
import { NotifierLegalHolds1700000001303 } from '../migrations/1700000001303-legal-holds';
import { messagingTablesMigration } from '@mash/messaging';
import { replayNotices } from '../replay/replay.repository';
import { NOTIFIER_RETENTION } from './notifierRetention';

/**
 * Retention against a replay of the same notice, on real Postgres: the replay puts a dead-lettered
 * notice back to pending while retention is about to strip it. Whichever commits first, a pending
 * notice keeps its body (or the worker would deliver an empty notice), and a stripped one is never
 * replayed.
 */
const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const dbName = `mash_notret_${randomBytes(4).toString('hex')}`;
let ds: DataSource;
let url: URL;
const LONG_AGO = new Date('2020-01-01T00:00:00Z');
const CUTOFF = new Date('2021-01-01T00:00:00Z');
const notices = NOTIFIER_RETENTION.find((s) => s.table === 'notices')!;

beforeAll(async () => {
  const admin = new Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  url = new URL(base.toString());
  url.pathname = `/${dbName}`;
  ds = new DataSource({
    type: 'postgres',
    url: url.toString(),
    migrations: [
      messagingTablesMigration('notifier'),
      NotifierTables1700000000400,
      NoticeDelivery1700000000401,
      NotifierRetention1700000000402,
      NotifierLegalHolds1700000001303,
    ],
    migrationsTableName: 'migrations',
  });
  await ds.initialize();
  await ds.query(`CREATE SCHEMA notifier`);
  await ds.runMigrations();
}, 60000);

afterAll(async () => {
  await ds?.destroy();
  const admin = new Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.end();
});

async function deadNotice(id: string): Promise<void> {
  await ds.query(
    `INSERT INTO notifier.decisions (decision_id, case_id, body, published_at) VALUES ($1, $2, '{}', $3) ON CONFLICT DO NOTHING`,
    [`DC-${id}`, `CS-${id}`, LONG_AGO],
  );
  await ds.query(
    `INSERT INTO notifier.notices (notice_id, case_id, contact_id, kind, recipient, channel, agency, body, status, dead_lettered_at)
     VALUES ($1, $2, 'CT-1', 'outcome', 'org', '{"kind":"topic"}', 'police', '{"text":"the outcome"}', 'dead-lettered', now())`,
    [id, `CS-${id}`],
  );
}

const row = async (id: string) =>
  (await ds.query(`SELECT status, body, pruned_at IS NOT NULL AS pruned FROM notifier.notices WHERE notice_id = $1`, [id]))[0];

describe('notifier retention and notice replay', () => {
  it('a replay committed while retention waits on the row: the notice stays whole and pending', async () => {
    await deadNotice('N-race');
    const operator = new Client({ connectionString: url.toString() });
    await operator.connect();
    try {
      // The replay holds the row, pending but not yet committed, while retention runs.
      await operator.query('BEGIN');
      await operator.query(
        `UPDATE notifier.notices SET status = 'pending', attempts = 0, next_attempt_at = now(), dead_lettered_at = NULL WHERE notice_id = 'N-race'`,
      );
      const pruning = ds.transaction((m) => notices.run(m, CUTOFF, 100));
      await new Promise((r) => setTimeout(r, 300));
      await operator.query('COMMIT');
      await pruning;
    } finally {
      await operator.end();
    }
    expect(await row('N-race')).toEqual({ status: 'pending', body: { text: 'the outcome' }, pruned: false });
  });

  it('a notice retention already stripped is not replayed', async () => {
    await deadNotice('N-stripped');
    await ds.transaction((m) => notices.run(m, CUTOFF, 100));
    expect(await row('N-stripped')).toEqual({ status: 'dead-lettered', body: {}, pruned: true });
    const operator = new Client({ connectionString: url.toString() });
    await operator.connect();
    try {
      const result = await replayNotices(operator, { noticeIds: ['N-stripped'], allDead: false, requestedBy: 'ops' });
      expect(result).toEqual({ replayed: [], refused: [{ noticeId: 'N-stripped', status: 'dead-lettered' }] });
    } finally {
      await operator.end();
    }
    expect((await row('N-stripped')).status).toBe('dead-lettered');
  });
});
