import { Client } from 'pg';

/**
 * Creates the database if it is missing (a fresh machine has only `postgres`) and the service's
 * own schema, before TypeORM runs the service's migrations in it.
 */
export async function prepareDatabase(url: string, schema: string): Promise<void> {
  const target = new URL(url);
  const dbName = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'postgres';
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const adminClient = new Client({ connectionString: admin.toString() });
  await adminClient.connect();
  try {
    const { rowCount } = await adminClient.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (!rowCount) {
      try {
        await adminClient.query(`CREATE DATABASE "${dbName.replace(/"/g, '""')}"`);
      } catch (err) {
        // Another service created it a moment ago.
        if ((err as { code?: string }).code !== '42P04' && (err as { code?: string }).code !== '23505') throw err;
      }
    }
  } finally {
    await adminClient.end();
  }
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } catch (err) {
    if ((err as { code?: string }).code !== '23505' && (err as { code?: string }).code !== '42P06') throw err;
  } finally {
    await client.end();
  }
}

/** Creates a database of its own for a run (the simulator's, a test hub's); `name` is the caller's, never user input. */
export async function createDatabase(admin: Client, name: string): Promise<void> {
  await admin.query(`CREATE DATABASE "${name}"`);
}

/** Drops a run's database, closing whatever connections still use it. */
export async function dropDatabase(admin: Client, name: string): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
