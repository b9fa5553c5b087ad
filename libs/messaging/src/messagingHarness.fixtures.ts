import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { KafkaPort } from './kafkaPort';
import { Outbox } from './outbox';
import { messagingDeferredMigration, messagingTablesMigration } from './tables.migration';

/**
 * Test material (excluded from the build): what a messaging spec runs on, all of it its own: a
 * Postgres database with one schema holding the messaging tables, a port whose topics carry a
 * prefix of the run's, and an outbox. `close` stops what the spec started and drops the topics and
 * the database.
 */
export interface MessagingHarness {
  runId: string;
  prefix: string;
  ds: DataSource;
  port: KafkaPort;
  outbox: Outbox;
  close(stops: (() => Promise<void>)[]): Promise<void>;
}

export async function openMessagingHarness(opts: { letter: string; schema: string; clientId: string }): Promise<MessagingHarness> {
  const runId = `${opts.letter}${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const prefix = `${runId}.`;
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "mash_${runId}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/mash_${runId}`;
  const ds = new DataSource({
    type: 'postgres',
    url: url.toString(),
    schema: opts.schema,
    migrations: [messagingTablesMigration(opts.schema), messagingDeferredMigration(opts.schema)],
  });
  await ds.initialize();
  await ds.query(`CREATE SCHEMA ${opts.schema}`);
  await ds.runMigrations();
  const port = new KafkaPort({ brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), clientId: opts.clientId, prefix });
  await port.ensureTopics();
  const outbox = new Outbox(ds, port, opts.schema, opts.clientId, 50);
  return {
    runId,
    prefix,
    ds,
    port,
    outbox,
    async close(stops) {
      for (const s of stops) await s().catch(() => undefined);
      await outbox.stop();
      const kafkaAdmin = await port.adminClient();
      const mine = (await kafkaAdmin.listTopics()).filter((t) => t.startsWith(prefix));
      if (mine.length) await kafkaAdmin.deleteTopics({ topics: mine });
      await port.close();
      await ds.destroy();
      const pg = new Client({ connectionString: adminUrl });
      await pg.connect();
      await pg.query(`DROP DATABASE IF EXISTS "mash_${runId}" WITH (FORCE)`);
      await pg.end();
    },
  };
}
