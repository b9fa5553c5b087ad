/**
 * Intake rate: the real IntakeService on a real Postgres, each contact in its own transaction as
 * the transport runs it, CONCURRENCY contacts in flight at once (partitions x replicas). A burst
 * of mostly unrelated families (every FAMILY_EVERY-th contact a second agency's report of an
 * earlier family's incident), all incidents within a few hours, so that a check that reads every
 * contact in a time window pays for the whole burst. Two rounds: the first fills the hub, the
 * second is measured on top of it.
 *
 *   npm run bench:triage-intake
 *   CONTACTS=600 CONCURRENCY=16 node scripts/launch.js bench/triageIntake
 * Uses DATABASE_URL's server with a throwaway database (dropped at the end).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Contact, ContactReceived, ContactSubject, Envelope, nhsNumberCheckDigit, TOPICS } from '@mash/contracts';
import { KafkaPort, MessageContext, messagingTablesMigration, Outbox } from '@mash/messaging';
import { databaseUrl, prepareDatabase } from '@mash/platform';
import { shippedPolicy } from '@mash/policy';
import { TRIAGE_MIGRATIONS } from '../apps/triage/src/app.module';
import { IntakeService } from '../apps/triage/src/intake/intake.service';
import { OpenCasesService } from '../apps/triage/src/openCases/openCases.service';

const CONTACTS = Number(process.env.CONTACTS ?? 600);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const FAMILY_EVERY = Number(process.env.FAMILY_EVERY ?? 10);

function nhsNumber(n: number): string {
  for (let k = 0; ; k++) {
    const first9 = `8${String(n * 10 + k).padStart(8, '0')}`;
    const check = nhsNumberCheckDigit(first9);
    if (check !== undefined) return `${first9}${check}`;
  }
}

const SURNAMES = [
  'Ashworth',
  'Bramley',
  'Crowther',
  'Dunmore',
  'Ellison',
  'Fairbairn',
  'Gledhill',
  'Holroyd',
  'Ingham',
  'Jagger',
  'Kershaw',
  'Lumb',
];
const base = Date.parse('2026-11-30T06:00:00Z');

/** Contact `i`: family `f`'s report (police first; every FAMILY_EVERY-th, health about an earlier family). */
function contactFor(run: string, i: number): ContactReceived {
  const related = i % FAMILY_EVERY === FAMILY_EVERY - 1;
  const f = related ? i - 1 : i;
  const day = new Date(Date.UTC(2010, 0, 1) + f * 86_400_000).toISOString().slice(0, 10);
  const surname = `${SURNAMES[f % SURNAMES.length]}${String.fromCharCode(97 + (Math.floor(f / 12) % 26))}`;
  const child: ContactSubject = {
    subjectRef: 'c1',
    kind: 'child',
    role: 'subject',
    givenName: 'Amy',
    familyName: surname,
    dateOfBirth: day,
    sex: 'female',
    ...(related ? {} : { identifiers: { nhsNumber: nhsNumber(f) } }),
  };
  const mother: ContactSubject = {
    subjectRef: 'a1',
    kind: 'adult',
    role: 'victim',
    givenName: 'Beth',
    familyName: surname,
    dateOfBirth: new Date(Date.UTC(1980, 0, 1) + f * 86_400_000).toISOString().slice(0, 10),
    sex: 'female',
    residentAtAddress: true,
  };
  const contactId = `CT-bench-${run}-${i}`;
  const contact: Contact = {
    agencyReference: contactId,
    referrer: { source: related ? '3D' : '6', channel: { kind: 'topic' } },
    subjects: [child, mother],
    household: { address: { lines: [`${f} Bench Road`], postcode: `B${(f % 70) + 1} ${(f % 9) + 1}XY` } },
    presentingIssues: [{ code: '3', label: 'Domestic abuse' }],
    narrative: 'bench',
    consent: { status: 'given' },
    urgency: 'routine',
    incident: { occurredAt: new Date(base + (f % 240) * 60_000).toISOString() },
  };
  return { contactId, sourceAgency: related ? 'health' : 'police', receivedAt: new Date(base + 4 * 3_600_000 + i).toISOString(), contact };
}

async function burst(ds: DataSource, outbox: Outbox, intake: IntakeService, contacts: ContactReceived[]) {
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < contacts.length) {
      const e = contacts[next++];
      const t0 = process.hrtime.bigint();
      await ds.transaction(async (m) => {
        const env = {
          id: `m-${e.contactId}`,
          type: TOPICS.contactReceived,
          occurredAt: e.receivedAt,
          producer: 'bench',
          key: e.contactId,
          data: e,
        } as Envelope;
        await intake.open(e, new MessageContext([{ topic: TOPICS.contactReceived, partition: 0, offset: '0', envelope: env }, m, outbox]));
      });
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(1);
  const mean = (latencies.reduce((a, b) => a + b, 0) / latencies.length).toFixed(1);
  return `${contacts.length} contacts in ${seconds.toFixed(2)} s = ${(contacts.length / seconds).toFixed(0)}/s; per intake mean ${mean} ms, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms`;
}

async function main() {
  const name = `mash_bench_intake_${randomBytes(3).toString('hex')}`;
  const url = new URL(databaseUrl());
  url.pathname = `/${name}`;
  const admin = new URL(url.toString());
  admin.pathname = '/postgres';
  await prepareDatabase(url.toString(), 'triage');
  const ds = new DataSource({
    type: 'postgres',
    url: url.toString(),
    schema: 'triage',
    migrations: [messagingTablesMigration('triage'), ...TRIAGE_MIGRATIONS],
    migrationsTableName: 'migrations',
    extra: { max: CONCURRENCY + 2 },
  });
  await ds.initialize();
  await ds.runMigrations();
  try {
    const outbox = new Outbox(ds, {} as KafkaPort, 'triage', 'triage');
    const intake = new IntakeService(shippedPolicy('london'), new OpenCasesService(ds));
    const all = Array.from({ length: 2 * CONTACTS }, (_, i) => contactFor(name, i));
    console.log(`intake bench: ${CONTACTS} contacts a round, ${CONCURRENCY} in flight, 1 in ${FAMILY_EVERY} a second report of a family`);
    console.log(`  round 1 (empty hub):          ${await burst(ds, outbox, intake, all.slice(0, CONTACTS))}`);
    console.log(`  round 2 (${CONTACTS} contacts known): ${await burst(ds, outbox, intake, all.slice(CONTACTS))}`);
    const [counts] = await ds.query(
      `SELECT (SELECT count(*) FROM triage.contacts)::int AS contacts, (SELECT count(*) FROM triage.cases)::int AS cases,
              (SELECT count(*) FROM triage.contacts WHERE duplicate_of IS NOT NULL)::int AS duplicates, (SELECT count(*) FROM triage.persons)::int AS persons`,
    );
    console.log(
      `  result: ${counts.contacts} contacts, ${counts.cases} cases, ${counts.duplicates} duplicate reports joined, ${counts.persons} people`,
    );
  } finally {
    await ds.destroy();
    const c = new Client({ connectionString: admin.toString() });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
