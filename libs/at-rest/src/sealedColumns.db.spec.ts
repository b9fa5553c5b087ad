import { Client } from 'pg';
import { randomBytes } from 'node:crypto';
import { countStale, demoDataKeys, isSealed, resealColumn, SealedColumn, sealPlainValues } from '.';

/**
 * Sealed columns against real Postgres: a migration sealing the plain values (text, jsonb, and one
 * key of a jsonb object), then a rotation to a new key that leaves nothing stale.
 */
const schema = `at_rest_${randomBytes(4).toString('hex')}`;
let db: Client;

const TEXT: SealedColumn = { schema, table: 't', column: 'reason', key: ['id'] };
const PATH: SealedColumn = { schema, table: 't', column: 'stage', key: ['id'], path: 'reasons' };
const ADDRESS: SealedColumn = { schema, table: 't', column: 'channel', key: ['id'], path: 'address' };

beforeAll(async () => {
  db = new Client({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
  await db.connect();
  await db.query(`CREATE SCHEMA ${schema}`);
  await db.query(`CREATE TABLE ${schema}.t (id int PRIMARY KEY, reason text, stage jsonb, channel jsonb)`);
  await db.query(`INSERT INTO ${schema}.t VALUES
    (1, 'Ysolde was seen', '{"rating":"RED","reasons":["Ysolde at home"]}', '{"kind":"email","address":"gp@example.org"}'),
    (2, '', '{"rating":"AMBER"}', '{"kind":"topic"}'),
    (3, NULL, NULL, '{"kind":"none","reason":"anonymous"}')`);
});

afterAll(async () => {
  await db?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db?.end();
});

const rows = async () => (await db.query(`SELECT id, reason, stage, channel FROM ${schema}.t ORDER BY id`)).rows;

describe('sealed columns', () => {
  it('seals plain text and one key of a jsonb object, leaving the other keys, empty and missing values alone', async () => {
    const keys = demoDataKeys();
    expect(await sealPlainValues(db, keys, TEXT)).toBe(1);
    expect(await sealPlainValues(db, keys, PATH)).toBe(1);
    expect(await sealPlainValues(db, keys, ADDRESS)).toBe(1);
    // A second run finds nothing left to seal.
    expect([
      await sealPlainValues(db, keys, TEXT),
      await sealPlainValues(db, keys, PATH),
      await sealPlainValues(db, keys, ADDRESS),
    ]).toEqual([0, 0, 0]);
    const [one, two, three] = await rows();
    expect(JSON.stringify([one, two, three])).not.toMatch(/Ysolde|gp@example/);
    expect(keys.open(one.reason)).toBe('Ysolde was seen');
    expect(one.stage.rating).toBe('RED');
    expect(keys.openJson(one.stage.reasons)).toEqual(['Ysolde at home']);
    expect(one.channel.kind).toBe('email');
    expect(keys.openJson(one.channel.address)).toBe('gp@example.org');
    expect([two.reason, two.stage, two.channel, three.reason, three.stage, three.channel]).toEqual([
      '',
      { rating: 'AMBER' },
      { kind: 'topic' },
      null,
      null,
      { kind: 'none', reason: 'anonymous' },
    ]);
  });

  it('rotates every sealed value to the new key, the key inside a jsonb object included', async () => {
    const rotated = demoDataKeys().adding('k2', randomBytes(32));
    expect(await countStale(db, rotated, PATH)).toBe(1);
    const done = [await resealColumn(db, rotated, TEXT), await resealColumn(db, rotated, PATH), await resealColumn(db, rotated, ADDRESS)];
    expect(done).toEqual([1, 1, 1]);
    expect([await countStale(db, rotated, TEXT), await countStale(db, rotated, PATH), await countStale(db, rotated, ADDRESS)]).toEqual([
      0, 0, 0,
    ]);
    const [one] = await rows();
    expect([one.reason, one.stage.reasons, one.channel.address].every((v) => isSealed(v) && rotated.isCurrent(v))).toBe(true);
    expect(rotated.openJson(one.stage.reasons)).toEqual(['Ysolde at home']);
    expect(one.stage.rating).toBe('RED');
  });
});
