/**
 * Person matching as triage runs it, in Postgres, with N known people stored as triage stores them
 * (docs/architecture.md, "Encryption at rest"): one sealed `identity` per person (names, date of
 * birth, postcode, identifiers), the identifiers' keyed digests in the unique-indexed columns, and
 * the blocking keys as keyed digests in triage.person_blocks. Each row is built by the repository's
 * own `personColumns` and `lookupOf.block` over `blockKeysOf`, then bulk-loaded; a sample is read
 * back through the repository to prove the load is what triage would have written.
 *
 * One lookup is `candidatesFor` (strong identifiers through the unique indexes, else the members of
 * the subject's blocks, every candidate's identity opened) and, timed apart, with `rankCandidates`.
 *
 *   npm run build && node scripts/launch.js bench/triagePgMatching --people 20000 [--queries 2000]
 * Uses DATABASE_URL's server with a throwaway database mash_bench_triage_<pid> (dropped at the end).
 * The keyring is the process's (MASH_DATA_KEYS..., else the demo keys).
 */
import 'reflect-metadata';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { messagingTablesMigration } from '@mash/messaging';
import { databaseUrl, prepareDatabase } from '@mash/platform';
import { blockKeysOf, MatchSubject, queryKeysOf, rankCandidates } from '../apps/triage/src/matching';
import { candidatesFor } from '../apps/triage/src/people/people';
import { lookupOf, personById, personColumns, personsByIdentifiers, personsInBlocks } from '../apps/triage/src/people/people.repository';
import { TRIAGE_MIGRATIONS } from '../apps/triage/src/app.module';
import { GIVEN_ROOTS as GIVEN, OUTWARDS, SURNAMES } from './support/namePools';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number`);
  return n;
}

// 1,000,000 is the target; the default is what a shared machine can take in a minute.
const PEOPLE = flag('people', 20_000);
const QUERIES = flag('queries', 2_000);
const BATCH = 2_000;

/** A 31-bit hash of an integer (splitmix-style): names, dates and districts spread independently. */
function mix(x: number): number {
  let h = Math.imul(x ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0x7fffffff;
}
const pick = <T>(xs: T[], h: number) => xs[h % xs.length];
const day = (from: string, offset: number) => new Date(Date.parse(`${from}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);

/**
 * Person g. Households of three (g / 3): siblings share surname and postcode, which is what
 * matching must survive. One in four an adult; six in ten have an NHS number.
 */
function personAt(g: number): MatchSubject {
  const hh = Math.floor(g / 3);
  const letter = (h: number) => String.fromCharCode(65 + (h % 26));
  return {
    givenName: pick(GIVEN, mix(g * 3 + 1)),
    familyName: pick(SURNAMES, mix(hh)),
    dateOfBirth: g % 4 === 0 ? day('1950-01-01', mix(g * 5 + 2) % 20_000) : day('2007-01-01', mix(g * 5 + 3) % 6_900),
    postcode: `${pick(OUTWARDS, mix(hh + 7_777_777))} ${mix(hh + 13) % 10}${letter(mix(hh + 17))}${letter(mix(hh + 19))}`,
    ...(g % 10 < 6 ? { nhsNumber: String(1_000_000_000 + g) } : {}),
  };
}

async function main() {
  const name = `mash_bench_triage_${process.pid}`;
  const base = new URL(databaseUrl());
  base.pathname = `/${name}`;
  const url = base.toString();
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const dropDb = async () => {
    const c = new Client({ connectionString: admin.toString() });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  };
  await dropDb();
  await prepareDatabase(url, 'triage');
  const ds = new DataSource({
    type: 'postgres',
    url,
    schema: 'triage',
    migrations: [messagingTablesMigration('triage'), ...TRIAGE_MIGRATIONS],
    migrationsTableName: 'migrations',
    extra: { max: 2 },
  });
  await ds.initialize();
  await ds.runMigrations();
  try {
    console.log(
      `loading ${PEOPLE.toLocaleString('en-GB')} people (sealed identities, keyed-digest identifiers and blocks) in batches of ${BATCH}...`,
    );
    const t0 = Date.now();
    // One sorted index build after the load is much faster than millions of inserts into a live one.
    await ds.query(`ALTER TABLE triage.person_blocks DROP CONSTRAINT person_blocks_pkey`);
    let sealMs = 0;
    let blocks = 0;
    for (let from = 1; from <= PEOPLE; from += BATCH) {
      const s = Date.now();
      const ids: string[] = [];
      const cols: ReturnType<typeof personColumns>[] = [];
      const blockKeys: string[] = [];
      const blockIds: string[] = [];
      for (let g = from; g < Math.min(from + BATCH, PEOPLE + 1); g++) {
        const p = personAt(g);
        ids.push(`P${g}`);
        cols.push(personColumns(p));
        for (const k of blockKeysOf(p)) {
          blockKeys.push(lookupOf.block(k));
          blockIds.push(`P${g}`);
        }
      }
      sealMs += Date.now() - s;
      blocks += blockKeys.length;
      await ds.query(
        `INSERT INTO triage.persons (person_id, identity, sex, nhs_number, upn, police_person_id)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])`,
        [
          ids,
          cols.map((c) => c.identity),
          cols.map((c) => c.sex),
          cols.map((c) => c.nhsNumber),
          cols.map((c) => c.upn),
          cols.map((c) => c.policePersonId),
        ],
      );
      await ds.query(`INSERT INTO triage.person_blocks (block, person_id) SELECT * FROM unnest($1::text[], $2::text[])`, [
        blockKeys,
        blockIds,
      ]);
    }
    const t1 = Date.now();
    // Households share blocks: the same key for the same person never repeats (blockKeysOf is a set).
    await ds.query(`ALTER TABLE triage.person_blocks ADD PRIMARY KEY (block, person_id)`);
    await ds.query(`ANALYZE triage.persons; ANALYZE triage.person_blocks`);
    const t2 = Date.now();
    console.log(
      `seeding: ${((t2 - t0) / 1000).toFixed(1)} s in all — rows ${((t1 - t0) / 1000).toFixed(1)} s (of which sealing and digests in node ${(sealMs / 1000).toFixed(1)} s), ` +
        `${blocks.toLocaleString('en-GB')} blocking keys, index build and ANALYZE ${((t2 - t1) / 1000).toFixed(1)} s`,
    );

    // The load must read back through the repository as the people it was made from, or the
    // timings measure the wrong thing.
    const m = ds.manager;
    const sampleIds = Array.from({ length: 2_000 }, (_, i) => 1 + ((i * 499_979) % PEOPLE));
    for (const g of sampleIds.slice(0, 50)) {
      const want = personAt(g);
      const got = await personById(m, `P${g}`);
      const same =
        got &&
        got.givenName === want.givenName &&
        got.familyName === want.familyName &&
        got.dateOfBirth === want.dateOfBirth &&
        got.postcode === want.postcode &&
        got.nhsNumber === want.nhsNumber;
      if (!same) throw new Error(`P${g} reads back as ${JSON.stringify(got)}, not ${JSON.stringify(want)}`);
      if (!(await personsInBlocks(m, queryKeysOf(want))).some((p) => p.personId === `P${g}`))
        throw new Error(`P${g} is not found in its own blocks`);
      if (want.nhsNumber && (await personsByIdentifiers(m, { nhsNumber: want.nhsNumber }))[0]?.personId !== `P${g}`)
        throw new Error(`P${g} is not found by its NHS number`);
    }

    const swap = (s: string) => (s.length > 3 ? s[0] + s[2] + s[1] + s.slice(3) : s);
    const queries: MatchSubject[] = [];
    for (let q = 0; q < QUERIES; q++) {
      const p = personAt(sampleIds[q % sampleIds.length]);
      const kind = q % 5;
      const person = { givenName: p.givenName, familyName: p.familyName, dateOfBirth: p.dateOfBirth, postcode: p.postcode };
      if (kind === 0) queries.push({ nhsNumber: p.nhsNumber ?? '0000000000', givenName: p.givenName });
      else if (kind === 1) queries.push(person);
      else if (kind === 2) queries.push({ ...person, givenName: swap(p.givenName!) });
      else if (kind === 3) queries.push({ ...person, postcode: 'ZZ9 9ZZ' });
      else
        queries.push({
          givenName: GIVEN[q % GIVEN.length],
          familyName: SURNAMES[(q * 7) % SURNAMES.length],
          dateOfBirth: `20${10 + (q % 9)}-0${1 + (q % 9)}-1${q % 9}`,
          postcode: 'ZZ1 1ZZ',
        });
    }
    for (let w = 0; w < Math.min(200, QUERIES); w++) rankCandidates(queries[w], await candidatesFor(m, queries[w]));
    const lookup = new Float64Array(QUERIES);
    const withRank = new Float64Array(QUERIES);
    let matched = 0;
    let candidates = 0;
    for (let q = 0; q < QUERIES; q++) {
      const s = process.hrtime.bigint();
      const people = await candidatesFor(m, queries[q]);
      lookup[q] = Number(process.hrtime.bigint() - s) / 1e6;
      if (rankCandidates(queries[q], people).best) matched++;
      withRank[q] = Number(process.hrtime.bigint() - s) / 1e6;
      candidates += people.length;
    }
    const line = (label: string, times: Float64Array) => {
      times.sort();
      const pct = (x: number) => times[Math.min(times.length - 1, Math.floor(x * times.length))].toFixed(2);
      return `${label} (ms): p50 ${pct(0.5)}  p95 ${pct(0.95)}  p99 ${pct(0.99)}  max ${times[times.length - 1].toFixed(2)}`;
    };
    console.log(
      `${PEOPLE.toLocaleString('en-GB')} people, ${QUERIES} lookups: matched ${matched} (1 in 5 are strangers, 1 in 5 moved house); ${(candidates / QUERIES).toFixed(1)} candidates read (and opened) per lookup`,
    );
    console.log(line('candidate lookup, candidatesFor', lookup));
    console.log(line('lookup and ranking', withRank));
  } finally {
    await ds.destroy();
    await dropDb();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
