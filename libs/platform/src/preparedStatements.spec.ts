import { randomBytes } from 'node:crypto';
import { DataSource, QueryRunner } from 'typeorm';
import { isInfrastructureError } from '@mash/messaging';
import { isStalePlan, MAX_PREPARED_TEXTS, preparedNameOf, PreparingClient } from './preparedStatements';

/**
 * The preparing client on real Postgres, through TypeORM as the services use it: a parameterised
 * statement is prepared once per connection and run by name from then on; one a migration made
 * stale fails once, as an error the messaging layer retries, and then runs unprepared.
 */
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const schema = `prep_${randomBytes(4).toString('hex')}`;
let ds: DataSource;
let qr: QueryRunner;

beforeAll(async () => {
  ds = new DataSource({ type: 'postgres', url, extra: { max: 2, Client: PreparingClient } });
  await ds.initialize();
  await ds.query(`CREATE SCHEMA ${schema}`);
  await ds.query(`CREATE TABLE ${schema}.t (id int PRIMARY KEY, a text)`);
  await ds.query(`INSERT INTO ${schema}.t VALUES (1, 'one'), (2, 'two')`);
  // One connection held, so what this session prepared can be read back from it.
  qr = ds.createQueryRunner();
  await qr.connect();
});
afterAll(async () => {
  await qr?.release();
  await ds?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await ds?.destroy();
});

const prepared = async (): Promise<string[]> =>
  ((await qr.query(`SELECT statement FROM pg_prepared_statements ORDER BY prepare_time`)) as { statement: string }[]).map(
    (r) => r.statement,
  );

it('prepares a parameterised statement once per connection and runs it by name after', async () => {
  const text = `SELECT a FROM ${schema}.t WHERE id = $1`;
  expect(await qr.query(text, [1])).toEqual([{ a: 'one' }]);
  expect(await qr.query(text, [2])).toEqual([{ a: 'two' }]);
  expect((await prepared()).filter((s) => s === text)).toHaveLength(1);
  // Without parameters the simple protocol is kept: nothing is prepared for it.
  await qr.query(`SELECT count(*) FROM ${schema}.t`);
  expect(await prepared()).not.toContain(`SELECT count(*) FROM ${schema}.t`);
});

it('a statement a migration made stale fails once, retryably, and then runs unprepared', async () => {
  const text = `SELECT * FROM ${schema}.t WHERE id = $1`;
  expect(await qr.query(text, [1])).toEqual([{ id: 1, a: 'one' }]);
  await ds.query(`ALTER TABLE ${schema}.t ADD COLUMN b int`);
  const err = await qr.query(text, [1]).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isStalePlan((err as { driverError?: unknown }).driverError)).toBe(true);
  expect(isInfrastructureError(err)).toBe(true);
  expect(await qr.query(text, [1])).toEqual([{ id: 1, a: 'one', b: null }]);
  expect(preparedNameOf(text)).toBeUndefined();
});

it('prepares a bounded number of texts, so texts built from data cannot fill the server', () => {
  const names = Array.from({ length: MAX_PREPARED_TEXTS + 5 }, (_, i) => preparedNameOf(`SELECT $1::int + ${i}`));
  const given = names.filter((n) => n !== undefined);
  expect(given.length).toBeLessThanOrEqual(MAX_PREPARED_TEXTS);
  expect(names.slice(-5)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  // A text named before keeps its name.
  expect(preparedNameOf(`SELECT $1::int + 0`)).toBe(names[0]);
});
