import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { hubClock, now, systemClock, useClock } from './clock';
import { CLOCK_CHANNEL, clockFromEnv, SharedClock, VIRTUAL_CLOCK_SQL, virtualClockDatabaseUrl } from './sharedClock';

const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

describe('the hub clock', () => {
  afterEach(() => useClock(systemClock));

  it('is the system clock unless one is installed', () => {
    expect(hubClock()).toBe(systemClock);
    useClock({ now: () => new Date('2026-08-30T01:00:00Z') });
    expect(now().toISOString()).toBe('2026-08-30T01:00:00.000Z');
  });

  it('refuses a virtual clock in production mode and an unknown mode, naming the variable', async () => {
    await expect(clockFromEnv({ MASH_CLOCK: 'shared', NODE_ENV: 'production' }, base, 'x')).rejects.toThrow(
      /MASH_CLOCK=shared is refused in production mode/,
    );
    await expect(clockFromEnv({ MASH_CLOCK: 'fast' }, base, 'x')).rejects.toThrow(/MASH_CLOCK must be 'system' or 'shared'/);
    await expect(clockFromEnv({}, base, 'x')).resolves.toBeUndefined();
  });

  describe('shared through Postgres (real database)', () => {
    const db = `mash_clock_${randomBytes(4).toString('hex')}`;
    const url = new URL(base);
    url.pathname = `/${db}`;
    let admin: Client;
    let sim: Client;

    beforeAll(async () => {
      admin = new Client({ connectionString: base });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${db}"`);
      sim = new Client({ connectionString: url.toString() });
      await sim.connect();
      await sim.query(VIRTUAL_CLOCK_SQL);
      await sim.query(`INSERT INTO mash_sim.clock (at) VALUES ('2026-08-30T01:00:00Z')`);
    });
    afterAll(async () => {
      await sim.end();
      await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
      await admin.end();
    });

    it('gives every process and SQL now() the virtual time, moved forward only, each move acknowledged', async () => {
      const clock = await SharedClock.connect(url.toString(), 'triage');
      const service = new Client({ connectionString: virtualClockDatabaseUrl(url.toString()) });
      await service.connect();
      try {
        expect(clock.now().toISOString()).toBe('2026-08-30T01:00:00.000Z');
        const sql = async () => (await service.query<{ a: Date; b: Date }>('SELECT now() AS a, clock_timestamp() AS b')).rows[0]!;
        expect((await sql()).a.toISOString()).toBe('2026-08-30T01:00:00.000Z');

        await sim.query(`UPDATE mash_sim.clock SET at = '2026-08-30T05:00:00Z'`);
        await sim.query(`SELECT pg_notify($1, $2)`, [CLOCK_CHANNEL, '2026-08-30T05:00:00.000Z']);
        for (let i = 0; i < 100 && clock.now().toISOString() !== '2026-08-30T05:00:00.000Z'; i++)
          await new Promise((r) => setTimeout(r, 20));
        expect(clock.now().toISOString()).toBe('2026-08-30T05:00:00.000Z');
        expect((await sql()).b.toISOString()).toBe('2026-08-30T05:00:00.000Z');
        for (let i = 0; i < 100; i++) {
          const { rows } = await sim.query(`SELECT at FROM mash_sim.clock_seen WHERE process = 'triage'`);
          if (rows[0]?.at.toISOString() === '2026-08-30T05:00:00.000Z') break;
          await new Promise((r) => setTimeout(r, 20));
        }
        expect((await sim.query(`SELECT at FROM mash_sim.clock_seen WHERE process = 'triage'`)).rows[0].at.toISOString()).toBe(
          '2026-08-30T05:00:00.000Z',
        );

        // An earlier time announced late is ignored: time never goes back.
        await sim.query(`SELECT pg_notify($1, $2)`, [CLOCK_CHANNEL, '2026-08-30T02:00:00.000Z']);
        await new Promise((r) => setTimeout(r, 200));
        expect(clock.now().toISOString()).toBe('2026-08-30T05:00:00.000Z');
      } finally {
        await service.end();
        await clock.close();
      }
    });
  });
});
