import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { CaseRated, ContactReceived, ContactSubject, Envelope, nhsNumberCheckDigit, TOPICS, upnCheckLetter } from '@mash/contracts';
import { KafkaPort, MessageContext, Outbox, outboxEnvelopes } from '@mash/messaging';
import { shippedPolicy } from '@mash/policy';
import { createServiceDb, ServiceDb } from '../../../../test/support/serviceDb';
import { TRIAGE_MIGRATIONS } from '../app.module';
import { OpenCasesService } from '../openCases/openCases.service';
import { IntakeService } from './intake.service';
import { countingQueries } from '../../../../test/support/statementCount';

/**
 * What one contact costs triage in statements, on real Postgres: in a burst the intake holds its
 * advisory locks for a run of messages, so every statement it sends one after another is paid in
 * every other intake's wait too. Counted at the handler's EntityManager, so the transport's own
 * BEGIN/COMMIT and inbox are left out (the same for every message); the outbox insert is the
 * Outbox's and is not counted either.
 */
let db: ServiceDb;
let outbox: Outbox;
let intake: IntakeService;

beforeAll(async () => {
  db = await createServiceDb('triage_roundtrips', 'triage', TRIAGE_MIGRATIONS, 4);
  outbox = new Outbox(db.ds, {} as KafkaPort, 'triage', 'triage');
  intake = new IntakeService(shippedPolicy('london'), new OpenCasesService(db.ds));
}, 30000);

afterAll(async () => {
  await db?.drop();
});

/** Runs an intake as the transport would (one transaction), counting the statements it sends. */
async function counted(e: ContactReceived): Promise<number> {
  let n = 0;
  await db.ds.transaction(async (m: EntityManager) => {
    const counting = countingQueries(m, () => n++);
    const env = {
      id: `m-${randomBytes(6).toString('hex')}`,
      type: TOPICS.contactReceived,
      occurredAt: e.receivedAt,
      producer: 'spec',
      key: e.contactId,
      data: e,
    } as Envelope;
    await intake.open(
      e,
      new MessageContext([{ topic: TOPICS.contactReceived, partition: 0, offset: '0', envelope: env }, counting, outbox]),
    );
  });
  return n;
}

function nhsNumber(n: number): string {
  for (let k = 0; ; k++) {
    const first9 = `8${String(n * 10 + k).padStart(8, '0')}`;
    const check = nhsNumberCheckDigit(first9);
    if (check !== undefined) return `${first9}${check}`;
  }
}

const child: ContactSubject = {
  subjectRef: 'c1',
  kind: 'child',
  role: 'subject',
  givenName: 'Amy',
  familyName: 'Roundtree',
  dateOfBirth: '2016-04-03',
  sex: 'female',
  identifiers: { nhsNumber: nhsNumber(7) },
};
const sibling: ContactSubject = {
  subjectRef: 'c2',
  kind: 'child',
  role: 'sibling',
  givenName: 'Ben',
  familyName: 'Roundtree',
  dateOfBirth: '2018-09-12',
  sex: 'male',
  identifiers: {
    upn: (() => {
      const body = `1${String(7).padStart(11, '0')}`;
      return `${upnCheckLetter(body)}${body}`;
    })(),
  },
};
const mother: ContactSubject = {
  subjectRef: 'a1',
  kind: 'adult',
  role: 'victim',
  givenName: 'Beth',
  familyName: 'Roundtree',
  dateOfBirth: '1988-02-01',
  sex: 'female',
  residentAtAddress: true,
};

function contact(id: string, receivedAt: string, incident: { occurredAt: string; reference?: string }): ContactReceived {
  return {
    contactId: id,
    sourceAgency: 'police',
    receivedAt,
    contact: {
      agencyReference: id,
      referrer: { source: '6', channel: { kind: 'topic' } },
      subjects: [child, sibling, mother],
      household: { address: { lines: ['7 Round Street'], postcode: 'ZY7 1AB' } },
      presentingIssues: [{ code: '3', label: 'Domestic abuse' }],
      narrative: 'round trips',
      consent: { status: 'given' },
      urgency: 'routine',
      incident,
    },
  };
}

it('an intake sends a fixed, small number of statements: a new family, the same family again, a duplicate report', async () => {
  const first = contact('CT-rt-1', '2026-11-01T09:00:00.000Z', { occurredAt: '2026-11-01T07:00:00.000Z', reference: 'INC-RT-1' });
  const again = contact('CT-rt-2', '2026-11-20T09:00:00.000Z', { occurredAt: '2026-11-20T07:00:00.000Z', reference: 'INC-RT-2' });
  const duplicate = {
    ...contact('CT-rt-3', '2026-11-20T10:00:00.000Z', { occurredAt: '2026-11-20T07:00:00.000Z', reference: 'INC-RT-2' }),
    sourceAgency: 'health' as const,
  };
  const fresh = await counted(first);
  const known = await counted(again);
  const joined = await counted(duplicate);
  const redelivered = await counted(first);
  console.log(
    `triage statements per intake (3 subjects): new family ${fresh}, known family ${known}, duplicate report ${joined}, redelivery ${redelivered}`,
  );

  const events = (await outboxEnvelopes<CaseRated>(db.ds, 'triage', { topic: TOPICS.caseRated })).map((e) => e.data);
  expect(events.map((e) => e.contactId)).toEqual(['CT-rt-1', 'CT-rt-2', 'CT-rt-3']);
  const [a, b, c] = events;
  // The same three people, a known household, the second case about the children a repeat.
  expect(b.subjects.map((s) => s.subjectId)).toEqual(a.subjects.map((s) => s.subjectId));
  expect(b.reasons.join(' ')).toMatch(/Household HH-/);
  expect(c.caseId).toBe(b.caseId);
  expect(c.duplicateOf).toBe('CT-rt-2');
  const [{ n: links }] = await db.ds.query(`SELECT count(*)::int AS n FROM triage.contact_subjects`);
  expect(links).toBe(9);
  const [{ n: blocks }] = await db.ds.query(`SELECT count(DISTINCT person_id)::int AS n FROM triage.person_blocks`);
  expect(blocks).toBe(3);

  // A contact already taken: the guess at its locks, the savepoint, the locks, the contact found.
  expect(redelivered).toBeLessThanOrEqual(5);
  // Per subject one read of its candidates (strong identifiers and blocks together); then the same
  // incident, the household (read, then settled in one statement with whether it is known), the
  // children's repeats in one, the open case, and everything the intake files in one statement
  // (case, first rating, new people, contact, its links, its people's blocks).
  expect(fresh).toBeLessThanOrEqual(15);
  // A known person is enriched instead of filed (identifiers it lacked, its row, its identity).
  expect(known).toBeLessThanOrEqual(23);
  // A second report: its original's case, locked (guessed with the others, so no second round), the
  // case's override and people.
  expect(joined).toBeLessThanOrEqual(27);
});
