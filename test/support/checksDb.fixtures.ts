import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { Envelope } from '@mash/contracts';
import { messagingTablesMigration, MessageContext, Outbox, outboxEnvelopes } from '@mash/messaging';
import { ChecksTables1700000000300 } from '../../apps/checks/src/migrations/1700000000300-checks-tables';
import { ChecksTimerKeys1700000000310 } from '../../apps/checks/src/migrations/1700000000310-checks-timer-keys';
import { ChecksPlanRevisions1700000000320 } from '../../apps/checks/src/migrations/1700000000320-checks-plan-revisions';
import { ChecksRetention1700000000330 } from '../../apps/checks/src/migrations/1700000000330-checks-retention';
import { ChecksLegalHolds1700000001302 } from '../../apps/checks/src/migrations/1700000001302-legal-holds';
import { disclosureAuditMigrationsFor } from '@mash/platform';

/**
 * Test material: a real Postgres database of a spec's own with checks' schema migrated, and the
 * transport's way of running a handler (one transaction, a MessageContext over it). Excluded from
 * the build (*.fixtures.ts).
 */
export interface ChecksDb {
  ds: DataSource;
  outbox: Outbox;
  /** Runs a step as the transport would: one transaction, a MessageContext over it. */
  handled<T>(topic: string, data: T, fn: (ctx: MessageContext) => Promise<void>): Promise<void>;
  /** The data of every event written to the outbox on `topic` for `key`, in order. */
  published<T>(topic: string, key: string): Promise<T[]>;
  drop(): Promise<void>;
}

const baseUrl = () => process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: baseUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function createChecksDb(prefix: string, poolSize = 10): Promise<ChecksDb> {
  const dbName = `${prefix}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${dbName}"`));
  const url = new URL(baseUrl());
  url.pathname = `/${dbName}`;
  const boot = new Client({ connectionString: url.toString() });
  await boot.connect();
  await boot.query('CREATE SCHEMA checks');
  await boot.end();
  const ds = new DataSource({
    type: 'postgres',
    url: url.toString(),
    schema: 'checks',
    migrations: [
      messagingTablesMigration('checks'),
      ChecksTables1700000000300,
      ChecksTimerKeys1700000000310,
      ChecksPlanRevisions1700000000320,
      ChecksRetention1700000000330,
      ChecksLegalHolds1700000001302,
      ...disclosureAuditMigrationsFor('checks'),
    ],
    migrationsTableName: 'migrations',
    extra: { max: poolSize },
  });
  await ds.initialize();
  await ds.runMigrations();
  // Never started: events stay in the outbox table, where the tests read them.
  const outbox = new Outbox(ds, {} as never, 'checks', 'checks');
  return {
    ds,
    outbox,
    handled: (topic, data, fn) =>
      ds.transaction(async (m: EntityManager) => {
        const env = {
          id: `m-${randomBytes(6).toString('hex')}`,
          type: topic,
          occurredAt: new Date().toISOString(),
          producer: 'spec',
          key: 'k',
          data,
        } as Envelope;
        await fn(new MessageContext([{ topic, partition: 0, offset: '0', envelope: env }, m, outbox]));
      }),
    published: async <T>(topic: string, key: string) => {
      return (await outboxEnvelopes<T>(ds, 'checks', { topic, key })).map((e) => e.data);
    },
    drop: async () => {
      await ds?.destroy();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
    },
  };
}
