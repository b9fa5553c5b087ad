/**
 * Health adapter translation throughput: a UK Core referral bundle through FHIR R4 structure
 * validation (Medplum) and the translation to a canonical contact, and the validation alone.
 *
 * Run: npm run bench:health (or after npm run build: node scripts/launch.js bench/healthFhir).
 */
import { structuralErrors } from '../apps/adapters/health/src/fhirStructure';
import { ukCoreReferral } from '../apps/adapters/health/src/testing/ukCoreReferral';
import { toContact } from '../apps/adapters/health/src/translate';

const SECONDS = Number(process.env.SECONDS ?? 3);
const bundles = Array.from({ length: 200 }, (_, i) =>
  ukCoreReferral({
    reference: `BENCH-${i}`,
    consent: i % 3 === 0 ? 'deny' : 'permit',
    findings: [
      { code: '125667009', display: 'Contusion (disorder)', note: 'Bruising noted at a routine check.' },
      ...(i % 2 ? [{ code: '82271004', display: 'Injury of head (disorder)' }] : []),
    ],
  }),
);

function run(name: string, fn: (b: unknown) => void): void {
  const t0 = Date.now();
  fn(bundles[0]); // the first call indexes the R4 profiles
  const firstMs = Date.now() - t0;
  const samples: number[] = [];
  const end = Date.now() + SECONDS * 1000;
  let i = 0;
  while (Date.now() < end) {
    const s = process.hrtime.bigint();
    fn(bundles[i++ % bundles.length]);
    samples.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))].toFixed(3);
  console.log(
    `${name}: ${Math.round(samples.length / SECONDS)}/s, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms (first call with profile indexing ${firstMs} ms)`,
  );
}

run('structure validation (Medplum, FHIR R4)', (b) => {
  if (structuralErrors(b).length) throw new Error('bench bundle is invalid');
});
run('validation + translation to a canonical contact', (b) => {
  if (!toContact(b).ok) throw new Error('bench bundle did not translate');
});
