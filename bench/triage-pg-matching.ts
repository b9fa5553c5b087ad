/**
 * Person matching as triage runs it: in Postgres, with 1,000,000 known people. Each match reads
 * strong identifiers through unique indexes or a few blocking-key rows (triage.person_blocks),
 * then scores the candidates with the pure scorer. People are generated in SQL (generate_series),
 * with blocking keys computed the way blockKeysOf files them (checked against blockKeysOf on a sample).
 *
 *   npm run bench:triage            (both triage benches)
 *   PEOPLE=200000 QUERIES=2000 node scripts/launch.js bench/triage-pg-matching
 * Uses DATABASE_URL's server with a throwaway database mash_bench_triage (dropped at the end).
 */
import 'reflect-metadata';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { messagingTablesMigration } from '@mash/messaging';
import { databaseUrl, prepareDatabase } from '@mash/platform';
import { blockKeysOf, MatchSubject, rankCandidates, soundex } from '../apps/triage/src/matching';
import { candidatesFor } from '../apps/triage/src/people/people';
import { TRIAGE_MIGRATIONS } from '../apps/triage/src/app.module';

const PEOPLE = Number(process.env.PEOPLE ?? 1_000_000);
const QUERIES = Number(process.env.QUERIES ?? 2_000);

const GIVEN = ['Amy', 'Ben', 'Cara', 'Dev', 'Ella', 'Finn', 'Grace', 'Hari', 'Isla', 'Jack', 'Kemi', 'Leo', 'Maya', 'Noah', 'Olivia', 'Priya', 'Quinn', 'Ruby', 'Sami', 'Theo', 'Uma', 'Vik', 'Willow', 'Yusuf', 'Zara', 'William', 'Elizabeth', 'Mohammed', 'Aisha', 'Oliver', 'Harry', 'George', 'Jacob', 'Charlie', 'Thomas', 'Oscar', 'James', 'Emily', 'Sophie', 'Jessica', 'Chloe', 'Lily', 'Mia', 'Isabella', 'Freya', 'Daisy', 'Evie', 'Alfie', 'Arthur', 'Muhammad'];
const SURNAME_ROOTS = ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Patel', 'Khan', 'Okafor', 'Nowak', 'Kowalski', 'Ahmed', 'Ali', 'Hussain', 'Begum', 'Evans', 'Thomas', 'Roberts', 'Walker', 'Wright', 'Robinson', 'Thompson', 'White', 'Hughes', 'Edwards', 'Green', 'Hall', 'Wood', 'Harris', 'Lewis', 'Martin', 'Jackson', 'Clarke', 'Clark', 'Turner', 'Hill', 'Scott', 'Cooper', 'Morris', 'Ward', 'Moore', 'King', 'Watson', 'Baker', 'Harrison', 'Morgan', 'Patterson', 'Young'];
const SURNAMES = SURNAME_ROOTS.flatMap((s) => ['', 'son', 'ley', 'er', 'ton', 'field', 'well', 'wood'].map((x) => s + x));
const AREAS = ['B', 'M', 'L', 'LS', 'EX', 'N', 'E', 'SE', 'SW', 'NW', 'W', 'BS', 'CF', 'NE', 'S', 'G', 'BN', 'PO', 'SO', 'OX'];
const OUTWARDS = AREAS.flatMap((a) => Array.from({ length: 60 }, (_, i) => `${a}${i + 1}`));

async function main() {
  const base = new URL(databaseUrl());
  base.pathname = '/mash_bench_triage';
  const url = base.toString();
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const dropDb = async () => {
    const c = new Client({ connectionString: admin.toString() });
    await c.connect();
    await c.query('DROP DATABASE IF EXISTS mash_bench_triage WITH (FORCE)');
    await c.end();
  };
  await dropDb();
  await prepareDatabase(url, 'triage');
  const ds = new DataSource({ type: 'postgres', url, schema: 'triage', migrations: [messagingTablesMigration('triage'), ...TRIAGE_MIGRATIONS], migrationsTableName: 'migrations', extra: { max: 2 } });
  await ds.initialize();
  await ds.runMigrations();
  try {
    console.log(`loading ${PEOPLE.toLocaleString('en-GB')} people with generate_series...`);
    const t0 = Date.now();
    // Households of three (g / 3): siblings share surname and postcode, which is what matching must
    // survive. hashint8 spreads names, dates and districts independently of one another.
    await ds.query(
      `INSERT INTO triage.persons (person_id, given_name, family_name, date_of_birth, postcode, nhs_number)
       SELECT 'P' || g,
              ($1::text[])[(1 + (hashint8(g * 3 + 1)::bigint & 2147483647) % cardinality($1::text[]))::int],
              ($2::text[])[(1 + (hashint8(g / 3)::bigint & 2147483647) % cardinality($2::text[]))::int],
              to_char(CASE WHEN g % 4 = 0 THEN date '1950-01-01' + ((hashint8(g * 5 + 2)::bigint & 2147483647) % 20000)::int ELSE date '2007-01-01' + ((hashint8(g * 5 + 3)::bigint & 2147483647) % 6900)::int END, 'YYYY-MM-DD'),
              ($3::text[])[(1 + (hashint8(g / 3 + 7777777)::bigint & 2147483647) % cardinality($3::text[]))::int] || ' ' || ((hashint8(g / 3 + 13)::bigint & 2147483647) % 10) || chr((65 + (hashint8(g / 3 + 17)::bigint & 2147483647) % 26)::int) || chr((65 + (hashint8(g / 3 + 19)::bigint & 2147483647) % 26)::int),
              CASE WHEN g % 10 < 6 THEN (1000000000 + g)::text END
         FROM generate_series(1::bigint, $4::bigint) g`,
      [GIVEN, SURNAMES, OUTWARDS, PEOPLE],
    );
    const t1 = Date.now();
    // The blocks blockKeysOf files a person under; surname sounds come from the same soundex.
    await ds.query(`CREATE TEMP TABLE sounds (family text PRIMARY KEY, sound text)`);
    await ds.query(`INSERT INTO sounds SELECT unnest($1::text[]), unnest($2::text[])`, [SURNAMES, SURNAMES.map(soundex)]);
    // One sorted index build after the load is much faster than 3,000,000 inserts into a live one.
    await ds.query(`ALTER TABLE triage.person_blocks DROP CONSTRAINT person_blocks_pkey`);
    await ds.query(
      `INSERT INTO triage.person_blocks (block, person_id)
       SELECT k, p.person_id FROM triage.persons p JOIN sounds s ON s.family = p.family_name,
         LATERAL unnest(ARRAY[
           'df:' || p.date_of_birth || ':' || lower(left(p.family_name, 1)),
           'd:' || p.date_of_birth,
           's:' || left(replace(p.postcode, ' ', ''), length(replace(p.postcode, ' ', '')) - 3) || ':' || s.sound]) k`,
    );
    await ds.query(`ALTER TABLE triage.person_blocks ADD PRIMARY KEY (block, person_id)`);
    await ds.query(`ANALYZE triage.persons; ANALYZE triage.person_blocks`);
    const t2 = Date.now();
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM triage.person_blocks`);
    console.log(`people ${((t1 - t0) / 1000).toFixed(1)} s, ${n.toLocaleString('en-GB')} blocking keys ${((t2 - t1) / 1000).toFixed(1)} s`);

    // The SQL filing must agree with blockKeysOf, or the timings measure the wrong thing.
    const sample: { person_id: string; given_name: string; family_name: string; date_of_birth: string; postcode: string; nhs_number: string | null }[] =
      await ds.query(`SELECT * FROM triage.persons WHERE person_id = ANY($1::text[])`, [Array.from({ length: 2000 }, (_, i) => `P${1 + ((i * 499_979) % PEOPLE)}`)]);
    for (const p of sample.slice(0, 50)) {
      const want = blockKeysOf({ familyName: p.family_name, dateOfBirth: p.date_of_birth, postcode: p.postcode }).sort();
      const got = (await ds.query(`SELECT block FROM triage.person_blocks WHERE person_id = $1 ORDER BY block`, [p.person_id])).map((r: { block: string }) => r.block).sort();
      if (JSON.stringify(want) !== JSON.stringify(got)) throw new Error(`blocks of ${p.person_id} differ: ${got} vs ${want}`);
    }

    const swap = (s: string) => (s.length > 3 ? s[0] + s[2] + s[1] + s.slice(3) : s);
    const queries: MatchSubject[] = [];
    for (let q = 0; q < QUERIES; q++) {
      const p = sample[q % sample.length];
      const kind = q % 5;
      const person = { givenName: p.given_name, familyName: p.family_name, dateOfBirth: p.date_of_birth, postcode: p.postcode };
      if (kind === 0) queries.push({ nhsNumber: p.nhs_number ?? '0000000000', givenName: p.given_name });
      else if (kind === 1) queries.push(person);
      else if (kind === 2) queries.push({ ...person, givenName: swap(p.given_name) });
      else if (kind === 3) queries.push({ ...person, postcode: 'ZZ9 9ZZ' });
      else queries.push({ givenName: GIVEN[q % GIVEN.length], familyName: SURNAMES[(q * 7) % SURNAMES.length], dateOfBirth: `20${10 + (q % 9)}-0${1 + (q % 9)}-1${q % 9}`, postcode: 'ZZ1 1ZZ' });
    }
    const m = ds.manager;
    for (let w = 0; w < 200; w++) rankCandidates(queries[w], await candidatesFor(m, queries[w]));
    const times = new Float64Array(QUERIES);
    let matched = 0;
    let candidates = 0;
    for (let q = 0; q < QUERIES; q++) {
      const s = process.hrtime.bigint();
      const people = await candidatesFor(m, queries[q]);
      if (rankCandidates(queries[q], people).best) matched++;
      times[q] = Number(process.hrtime.bigint() - s) / 1e6;
      candidates += people.length;
    }
    times.sort();
    const pct = (x: number) => times[Math.min(times.length - 1, Math.floor(x * times.length))].toFixed(2);
    console.log(`matched ${matched} of ${QUERIES} (1 in 5 are strangers, 1 in 5 moved house); ${(candidates / QUERIES).toFixed(1)} candidates read per match`);
    console.log(`postgres match latency (ms): p50 ${pct(0.5)}  p90 ${pct(0.9)}  p99 ${pct(0.99)}  max ${times[times.length - 1].toFixed(2)}`);
  } finally {
    await ds.destroy();
    await dropDb();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
