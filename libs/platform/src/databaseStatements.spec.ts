import { DataSource } from 'typeorm';
import { databaseStatements, statementCounter, statementKind } from './databaseStatements';

/** The statement counter on real Postgres: every statement TypeORM sends is counted once, by kind. */
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let ds: DataSource;

beforeAll(async () => {
  ds = new DataSource({ type: 'postgres', url, logger: statementCounter, extra: { max: 2 } });
  await ds.initialize();
});
afterAll(() => ds?.destroy());

async function counts(): Promise<Record<string, number>> {
  const { values } = await databaseStatements.get();
  return Object.fromEntries(values.map((v) => [String(v.labels.kind), v.value]));
}

it('names a statement by its first word', () => {
  expect(
    ['SELECT 1', '  insert into t values (1)', 'UPDATE t SET a = 1', 'DELETE FROM t', 'START TRANSACTION', 'COMMIT'].map(statementKind),
  ).toEqual(['select', 'insert', 'update', 'delete', 'transaction', 'transaction']);
  expect(statementKind('WITH x AS (UPDATE t SET a = 1 RETURNING a) SELECT * FROM x')).toBe('other');
  expect(statementKind('CREATE TABLE t (a int)')).toBe('other');
});

it('counts each statement of a transaction once, its begin and commit among them', async () => {
  const before = await counts();
  await ds.transaction(async (m) => {
    await m.query('CREATE TEMP TABLE counted (id int) ON COMMIT DROP');
    await m.query('INSERT INTO counted VALUES (1), (2)');
    await m.query('UPDATE counted SET id = id + 1');
    await m.query('SELECT * FROM counted');
    await m.query('DELETE FROM counted');
  });
  const after = await counts();
  const delta = (kind: string) => (after[kind] ?? 0) - (before[kind] ?? 0);
  expect(['transaction', 'other', 'insert', 'update', 'select', 'delete'].map((k) => [k, delta(k)])).toEqual([
    ['transaction', 2],
    ['other', 1],
    ['insert', 1],
    ['update', 1],
    ['select', 1],
    ['delete', 1],
  ]);
});
