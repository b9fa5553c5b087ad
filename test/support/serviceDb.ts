import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, Logger, MigrationInterface } from 'typeorm';
import { messagingTablesMigration } from '@mash/messaging';

/**
 * A database of one's own for a spec that runs a service's code against real Postgres: created
 * with the service's schema and migrations (and the messaging tables), dropped by `drop`.
 */
export interface ServiceDb {
  ds: DataSource;
  drop(): Promise<void>;
}

export async function createServiceDb(
  prefix: string,
  schema: string,
  migrations: (new () => MigrationInterface)[],
  poolSize = 10,
  /** Sees every statement the DataSource sends (a spec counting them). */
  logger?: Logger,
): Promise<ServiceDb> {
  const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: baseUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const boot = new Client({ connectionString: url.toString() });
  await boot.connect();
  await boot.query(`CREATE SCHEMA "${schema}"`);
  await boot.end();
  const ds = new DataSource({
    type: 'postgres',
    url: url.toString(),
    schema,
    migrations: [messagingTablesMigration(schema), ...migrations],
    migrationsTableName: 'migrations',
    extra: { max: poolSize },
    ...(logger ? { logger } : {}),
  });
  await ds.initialize();
  await ds.runMigrations();
  return {
    ds,
    drop: async () => {
      await ds.destroy();
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
