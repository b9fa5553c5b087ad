/**
 * Person matching at scale: 1,000,000 known people, then timed matches. Blocking keys (date of
 * birth; postcode district + surname Soundex) keep each match to a few dozen comparisons.
 *
 * Run: npm run bench:triage (every triage bench, from the normal build), or after npm run build:
 *   node scripts/launch.js bench/triageMatching
 * PEOPLE=200000 QUERIES=5000 shrink the run.
 */
import { PersonIndex, MatchSubject } from '../apps/triage/src/matching';
import { prng } from '@mash/contracts/examples/seededRandom';
import { GIVEN_ROOTS, OUTWARDS, SURNAMES } from './support/namePools';

const PEOPLE = Number(process.env.PEOPLE ?? 1_000_000);
const QUERIES = Number(process.env.QUERIES ?? 20_000);

// Deterministic (mulberry32): the same population every run, so runs compare.
const rand = prng(42);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];

const GIVEN = GIVEN_ROOTS.flatMap((g) => [g, `${g}-May`, `${g} Rose`, `${g}a`, `${g}ie`]);
const LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';
const postcode = () => `${pick(OUTWARDS)} ${Math.floor(rand() * 10)}${pick([...LETTERS])}${pick([...LETTERS])}`;
const day = (start: number, spanDays: number) => new Date(start + Math.floor(rand() * spanDays) * 86_400_000).toISOString().slice(0, 10);

console.log(`building ${PEOPLE.toLocaleString('en-GB')} people...`);
const t0 = Date.now();
const idx = new PersonIndex();
const people: MatchSubject[] = [];
let n = 0;
while (n < PEOPLE) {
  // A household: siblings share a surname and a postcode, which is what matching must survive.
  const family = pick(SURNAMES);
  const pc = postcode();
  const size = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < size && n < PEOPLE; k++, n++) {
    const adult = k === 0 && rand() < 0.5;
    const p = {
      givenName: pick(GIVEN),
      familyName: family,
      dateOfBirth: adult ? day(Date.UTC(1950, 0, 1), 365 * 55) : day(Date.UTC(2007, 0, 1), 365 * 19),
      postcode: pc,
      ...(rand() < 0.6 ? { nhsNumber: String(1_000_000_000 + n) } : {}),
    };
    idx.add({ personId: `P${n}`, ...p });
    if (n % 50 === 0) people.push(p);
  }
}
const buildMs = Date.now() - t0;
const heapMb = Math.round(process.memoryUsage().heapUsed / 1e6);
console.log(`indexed ${idx.size.toLocaleString('en-GB')} people in ${(buildMs / 1000).toFixed(1)} s, heap ${heapMb} MB`);

function typo(s: string): string {
  const i = 1 + Math.floor(rand() * (s.length - 2));
  return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
}
const queries: MatchSubject[] = [];
for (let q = 0; q < QUERIES; q++) {
  const p = pick(people);
  const kind = q % 5;
  if (kind === 0) queries.push({ nhsNumber: p.nhsNumber ?? '0000000000', givenName: p.givenName });
  else if (kind === 1) queries.push({ givenName: p.givenName, familyName: p.familyName, dateOfBirth: p.dateOfBirth, postcode: p.postcode });
  else if (kind === 2)
    queries.push({ givenName: typo(p.givenName!), familyName: p.familyName, dateOfBirth: p.dateOfBirth, postcode: p.postcode });
  else if (kind === 3) queries.push({ givenName: p.givenName, familyName: p.familyName, dateOfBirth: p.dateOfBirth, postcode: postcode() });
  else
    queries.push({
      givenName: pick(GIVEN),
      familyName: pick(SURNAMES),
      dateOfBirth: day(Date.UTC(2007, 0, 1), 365 * 19),
      postcode: postcode(),
    });
}

for (let w = 0; w < 2000; w++) idx.match(queries[w % queries.length]);
const times = new Float64Array(queries.length);
let matched = 0;
for (let q = 0; q < queries.length; q++) {
  const s = process.hrtime.bigint();
  if (idx.match(queries[q])) matched++;
  times[q] = Number(process.hrtime.bigint() - s) / 1000;
}
times.sort();
const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
const total = times.reduce((a, b) => a + b, 0);
console.log(`matched ${matched} of ${queries.length} queries (1 in 5 are strangers; some typos stay below threshold)`);
console.log(`match latency (microseconds): p50 ${pct(0.5)}  p90 ${pct(0.9)}  p99 ${pct(0.99)}  max ${times[times.length - 1].toFixed(1)}`);
console.log(`throughput: ${Math.round(queries.length / (total / 1e6)).toLocaleString('en-GB')} matches/s`);
