/**
 * Rating throughput on the London policy, with deadlines and check plans for comparison.
 *
 * Run: npm run bench:triage (every triage bench, from the normal build), or after npm run build:
 *   node scripts/launch.js bench/triageRating
 * from the repository root (POLICY=<file> to rate on another locality's policy).
 */
import { join } from 'node:path';
import type { Contact, ContactSubject, Rating } from '@mash/contracts';
import { loadPolicy, repoRoot } from '@mash/policy';
import { rate, RatingInput } from '../apps/triage/src/rating';
import { deadlineFor } from '@mash/policy';
import { planChecks } from '../apps/triage/src/checkPlan';
import { decideConsent } from '../apps/triage/src/consent';

const policy = loadPolicy(process.env.POLICY ?? join(repoRoot(), 'policies', 'london.json'));
const SECONDS = Number(process.env.SECONDS ?? 2);

let seed = 7;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
const CODES = ['3', '3', '3', '4B', '1B', '2B', '4A', '10A', '11A', '16A', '17A', '18B', '19B', '20', '21', 'ASB', 'HOMELESS-16-17'];

const inputs: RatingInput[] = Array.from({ length: 1000 }, (_, i) => {
  const subjects: ContactSubject[] = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, k) => ({
    subjectRef: `c${k}`,
    kind: 'child',
    dateOfBirth: `20${String(10 + Math.floor(rand() * 16)).padStart(2, '0')}-0${1 + Math.floor(rand() * 9)}-1${Math.floor(rand() * 9)}`,
    disability: rand() < 0.05,
  }));
  const codes = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(CODES)))];
  const contact: Contact = {
    agencyReference: `B-${i}`,
    referrer: { source: '6', channel: { kind: 'topic' } },
    subjects,
    presentingIssues: codes.map((code) => ({ code })),
    narrative: 'bench',
    consent: { status: 'given' },
    urgency: pick(['immediate', 'same-day', 'routine'] as const),
    ...(codes.includes('3')
      ? { domesticAbuse: { dashRiskLevel: pick(['standard', 'standard', 'medium', 'high'] as const), childrenPresent: rand() < 0.5 } }
      : {}),
  };
  return { contact, now: new Date('2026-11-30T10:00:00Z'), knownHousehold: rand() < 0.3, repeatCount: 1 + Math.floor(rand() * 4) };
});

function perSecond(label: string, fn: (i: number) => unknown): void {
  for (let i = 0; i < 5000; i++) fn(i);
  let ops = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(SECONDS * 1e9);
  while (process.hrtime.bigint() < end) {
    for (let k = 0; k < 1000; k++) fn(ops++);
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${label}: ${Math.round(ops / secs).toLocaleString('en-GB')} per second`);
}

const mix: Record<Rating, number> = { RED: 0, AMBER: 0, GREEN: 0, BLUE: 0 };
for (const i of inputs) mix[rate(i, policy).rating]++;
console.log(`policy ${policy.version}; rating mix of the 1000 bench contacts: ${JSON.stringify(mix)}`);

perSecond('ratings', (i) => rate(inputs[i % inputs.length], policy));
const received = new Date('2027-03-25T16:00:00Z');
perSecond('deadlines (Green, working days over Easter)', () => deadlineFor('GREEN', received, policy));
const consent = decideConsent({ status: 'given' }, policy);
perSecond('rate + deadline + check plan', (i) => {
  const input = inputs[i % inputs.length];
  const r = rate(input, policy);
  deadlineFor(r.rating, input.now, policy);
  return planChecks(r.rating, input.contact, policy, consent, input.now);
});
