import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  CaseRated,
  Contact,
  ContactReceived,
  ContactSubject,
  Envelope,
  nhsNumberCheckDigit,
  SubmittingAgency,
  TOPICS,
  upnCheckLetter,
} from '@mash/contracts';
import { KafkaPort, MessageContext, Outbox, outboxEnvelopes } from '@mash/messaging';
import { shippedPolicy } from '@mash/policy';
import { createServiceDb, ServiceDb } from '../../../../test/support/serviceDb';
import { TRIAGE_MIGRATIONS } from '../app.module';
import { OpenCasesService } from '../openCases/openCases.service';
import { IntakeService } from './intake.service';
import { underIntakeLocks } from './intakeLocks.repository';

/**
 * The real intake service against a real Postgres (a database of its own), many intakes at once:
 * unrelated families must run at the same time, related ones must come out as one person per
 * child, one case per incident and one event per contact, whatever the order.
 */
let db: ServiceDb;
let ds: DataSource;
let outbox: Outbox;
let intake: IntakeService;

beforeAll(async () => {
  // Enough connections for every intake of a burst to hold its transaction open at once.
  db = await createServiceDb('triage_spec', 'triage', TRIAGE_MIGRATIONS, 24);
  ds = db.ds;
  // Never started: events stay in the outbox table, where the tests read them.
  outbox = new Outbox(ds, {} as KafkaPort, 'triage', 'triage');
  intake = new IntakeService(shippedPolicy('london'), new OpenCasesService(ds));
}, 30000);

afterAll(async () => {
  await db?.drop();
});

/** Runs an intake as the transport would (one transaction); `held` runs before it commits. */
function deliver(e: ContactReceived, held?: () => Promise<void>): Promise<void> {
  return ds.transaction(async (m: EntityManager) => {
    const env = {
      id: `m-${randomBytes(6).toString('hex')}`,
      type: TOPICS.contactReceived,
      occurredAt: e.receivedAt,
      producer: 'spec',
      key: e.contactId,
      data: e,
    } as Envelope;
    await intake.open(e, new MessageContext([{ topic: TOPICS.contactReceived, partition: 0, offset: '0', envelope: env }, m, outbox]));
    await held?.();
  });
}

/**
 * Resolves once `n` parties have arrived (the last runs `whenAll` first, while every other party
 * is still waiting); rejects after `ms` if they never all do.
 */
function barrier(n: number, ms: number, whenAll: () => Promise<void>): { arrive: () => Promise<void> } {
  let count = 0;
  let open!: () => void;
  let fail!: (err: unknown) => void;
  const all = new Promise<void>((resolve, reject) => ((open = resolve), (fail = reject)));
  return {
    arrive: () => {
      if (++count === n) whenAll().then(open, fail);
      let timer!: NodeJS.Timeout;
      const late = new Promise<void>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`only ${count} of ${n} intakes were in flight together`)), ms)),
      );
      return Promise.race([all, late]).finally(() => clearTimeout(timer));
    },
  };
}

/** Backends of this database holding at least one granted advisory lock right now. */
async function lockHolders(): Promise<number> {
  const [r] = await ds.query(
    `SELECT count(DISTINCT l.pid)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()`,
  );
  return r.n;
}

async function waitingOnAdvisoryLock(): Promise<boolean> {
  const [r] = await ds.query(
    `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND NOT l.granted AND a.datname = current_database()`,
  );
  return r.n > 0;
}

/** Check-digit valid test identifiers, distinct per n (the contract refuses invalid ones). */
function nhsNumber(n: number): string {
  for (let k = 0; ; k++) {
    const first9 = `9${String(n * 10 + k).padStart(8, '0')}`;
    const check = nhsNumberCheckDigit(first9);
    if (check !== undefined) return `${first9}${check}`;
  }
}
function upn(n: number, kind: number): string {
  const body = `${kind}${String(n).padStart(11, '0')}`;
  return `${upnCheckLetter(body)}${body}`;
}

let seq = 0;
const RECEIVED = '2026-11-30T09:00:00.000Z';

/** A family of its own: no identifier, date of birth, surname sound or address shared with any other. */
function family(n: number) {
  const letters = (k: number) => String.fromCharCode(65 + (k % 26)) + String.fromCharCode(97 + (Math.floor(k / 26) % 26));
  const day = new Date(Date.UTC(2012, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
  const mumDay = new Date(Date.UTC(1985, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
  const surname = `${letters(n)}${['Brook', 'Calder', 'Fenwick', 'Hartley'][n % 4]}`;
  return {
    address: { lines: [`${n} Spec Street`], postcode: `ZZ${(n % 90) + 1} ${(n % 9) + 1}AB` },
    child: (over: Partial<ContactSubject> = {}): ContactSubject => ({
      subjectRef: 'c1',
      kind: 'child',
      role: 'subject',
      givenName: 'Amy',
      familyName: surname,
      dateOfBirth: day,
      sex: 'female',
      identifiers: { nhsNumber: nhsNumber(n) },
      ...over,
    }),
    sibling: (over: Partial<ContactSubject> = {}): ContactSubject => ({
      subjectRef: 'c2',
      kind: 'child',
      role: 'sibling',
      givenName: 'Ben',
      familyName: surname,
      dateOfBirth: new Date(Date.UTC(2014, 5, 1) + n * 86_400_000).toISOString().slice(0, 10),
      sex: 'male',
      identifiers: { upn: upn(n, 1) },
      ...over,
    }),
    mother: (): ContactSubject => ({
      subjectRef: 'a1',
      kind: 'adult',
      role: 'victim',
      givenName: 'Beth',
      familyName: surname,
      dateOfBirth: mumDay,
      sex: 'female',
      residentAtAddress: true,
    }),
  };
}

function contact(agency: SubmittingAgency, subjects: ContactSubject[], over: Partial<Contact> = {}): ContactReceived {
  const id = `CT-spec-${++seq}`;
  return {
    contactId: id,
    sourceAgency: agency,
    receivedAt: RECEIVED,
    contact: {
      agencyReference: id,
      referrer: { source: agency === 'police' ? '6' : agency === 'education' ? '2A' : '3D', channel: { kind: 'topic' } },
      subjects,
      presentingIssues: [{ code: '3', label: 'Domestic abuse' }],
      narrative: 'spec',
      consent: { status: 'given' },
      urgency: 'routine',
      incident: { occurredAt: '2026-11-30T07:30:00.000Z' },
      ...over,
    },
  };
}

const rated = async (contactIds: string[]): Promise<CaseRated[]> =>
  (await outboxEnvelopes<CaseRated>(ds, 'triage', { topic: TOPICS.caseRated }))
    .map((e) => e.data)
    .filter((d) => contactIds.includes(d.contactId));

/**
 * What a burst came to, in terms that do not depend on which report came first: how many cases
 * (and how many contacts each), people, households and duplicate links, and the events issued.
 */
async function outcome(contacts: ContactReceived[]) {
  const ids = [...new Set(contacts.map((c) => c.contactId))];
  const rows: { contact_id: string; case_id: string; duplicate_of: string | null }[] = await ds.query(
    `SELECT contact_id, case_id, duplicate_of FROM triage.contacts WHERE contact_id = ANY($1)`,
    [ids],
  );
  const links: { contact_id: string; subject_ref: string; person_id: string; household_id: string | null }[] = await ds.query(
    `SELECT cs.contact_id, cs.subject_ref, cs.person_id, p.household_id FROM triage.contact_subjects cs JOIN triage.persons p USING (person_id) WHERE cs.contact_id = ANY($1)`,
    [ids],
  );
  const events = await rated(ids);
  const perCase = new Map<string, number>();
  for (const r of rows) perCase.set(r.case_id, (perCase.get(r.case_id) ?? 0) + 1);
  const personOf = (ref: string) => [...new Set(links.filter((l) => l.subject_ref === ref).map((l) => l.person_id))].length;
  return {
    contacts: rows.length,
    contactsPerCase: [...perCase.values()].sort(),
    duplicates: rows.filter((r) => r.duplicate_of).length,
    peoplePerSubjectRef: Object.fromEntries([...new Set(links.map((l) => l.subject_ref))].sort().map((ref) => [ref, personOf(ref)])),
    people: new Set(links.map((l) => l.person_id)).size,
    households: new Set(links.map((l) => l.household_id).filter(Boolean)).size,
    eventsPerContact: ids.map((id) => events.filter((e) => e.contactId === id).length),
    casesWithPlan: new Set(events.filter((e) => e.checkPlan.length > 0).map((e) => e.caseId)).size,
  };
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

describe('intake without a global lock', () => {
  it('intakes of unrelated families hold their locks at the same time', async () => {
    const n = 8;
    const burst = Array.from({ length: n }, (_, i) => {
      const f = family(1000 + i);
      return contact(i % 2 ? 'education' : 'police', [f.child(), f.mother()], { household: { address: f.address } });
    });
    // Each intake waits, locks held and uncommitted, until all n are in the same state: under one
    // global lock the second could never get there and the barrier would time out.
    let holders = 0;
    const b = barrier(n, 15000, async () => {
      holders = await lockHolders();
    });
    await Promise.all(burst.map((e) => deliver(e, () => b.arrive())));
    expect(holders).toBeGreaterThanOrEqual(n);
    const o = await outcome(burst);
    expect(o).toMatchObject({ contacts: n, duplicates: 0, people: 2 * n, households: n, casesWithPlan: n });
    expect(o.contactsPerCase).toEqual(Array(n).fill(1));
    expect(o.eventsPerContact).toEqual(Array(n).fill(1));
  });

  it('an intake about the same child waits for the one in flight, and then sees it', async () => {
    const f = family(2000);
    const police = contact('police', [f.child(), f.mother()], { household: { address: f.address } });
    const health = contact('health', [f.child({ identifiers: {} })], { household: { address: f.address } });
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let policeHolding!: () => void;
    const holding = new Promise<void>((r) => (policeHolding = r));
    const first = deliver(police, async () => {
      policeHolding();
      await released;
    });
    await holding;
    let healthDone = false;
    const second = deliver(health).then(() => (healthDone = true));
    // The second intake is seen waiting on an advisory lock while the first holds its locks.
    const deadline = Date.now() + 10000;
    while (!(await waitingOnAdvisoryLock())) {
      if (Date.now() > deadline) throw new Error('the second intake never waited for the first');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(healthDone).toBe(false);
    release();
    await Promise.all([first, second]);
    const o = await outcome([police, health]);
    expect(o).toMatchObject({ contacts: 2, duplicates: 1, contactsPerCase: [2], peoplePerSubjectRef: { a1: 1, c1: 1 }, casesWithPlan: 1 });
  });

  /** Related contacts of one scenario, fresh identities per run so runs never see each other. */
  const scenarios: Record<string, (n: number) => ContactReceived[]> = {
    'the same incident from police and health, no shared reference': (n) => {
      const f = family(n);
      return [
        contact('police', [f.child(), f.mother()], { household: { address: f.address } }),
        contact('health', [f.child({ identifiers: {} }), f.mother()], { household: { address: f.address } }),
      ];
    },
    'the same child from police (domestic abuse) and school (neglect) at once': (n) => {
      const f = family(n);
      return [
        contact('police', [f.child()], { household: { address: f.address } }),
        contact('education', [f.child({ subjectRef: 'c1', identifiers: { upn: upn(n, 2) } })], {
          presentingIssues: [{ code: '16A', label: 'Neglect' }],
        }),
      ];
    },
    'siblings reported separately with their mother, and the same incident twice by reference': (n) => {
      const f = family(n);
      const incident = { occurredAt: '2026-11-30T07:30:00.000Z', reference: `INC-spec-${n}` };
      return [
        contact('police', [f.child(), f.mother()], { household: { address: f.address }, incident }),
        contact('police', [f.child(), f.mother()], { household: { address: f.address }, incident }),
        contact('education', [f.sibling(), f.mother()], {
          household: { address: f.address },
          presentingIssues: [{ code: '16A', label: 'Neglect' }],
        }),
      ];
    },
  };

  let run = 3000;
  for (const [name, make] of Object.entries(scenarios)) {
    it(`${name}: one person per child, one case per incident, one event per contact, in every order at once`, async () => {
      // Reference: the contacts one after another, in the order given.
      const reference = make(run++);
      for (const e of reference) await deliver(e);
      const expected = await outcome(reference);
      const results = [];
      for (const order of permutations(reference.map((_, i) => i))) {
        const contacts = make(run++);
        // Every contact delivered twice (a redelivery racing the first delivery), all at once.
        const burst = [...order, ...[...order].reverse()].map((i) => contacts[i]);
        await Promise.all(burst.map((e) => deliver(e)));
        results.push({ order, outcome: await outcome(contacts) });
      }
      for (const r of results) expect({ order: r.order, ...r.outcome }).toEqual({ order: r.order, ...expected });
      expect(expected.eventsPerContact.every((k) => k === 1)).toBe(true);
      expect(Object.values(expected.peoplePerSubjectRef).every((k) => k === 1)).toBe(true);
    });
  }

  it('reports sharing no identifier or block but reaching one known child count each other as repeats, in either order at once', async () => {
    // The child is known under both an NHS number and a UPN; police then give only the NHS number
    // and school only the UPN, each with a date of birth of its own, so the two reports share no
    // lock known from the contacts alone: only what they read (the person, the blocks the person is
    // filed under) orders them.
    const reportsOf = (n: number) => {
      const f = family(n);
      const seed = contact('health', [f.child({ identifiers: { nhsNumber: nhsNumber(n), upn: upn(n, 3) } })], {
        presentingIssues: [{ code: '20' }],
      });
      const police = contact('police', [f.child({ dateOfBirth: '2001-01-01' })], { household: { address: f.address } });
      const school = contact('education', [f.child({ dateOfBirth: '2002-02-02', identifiers: { upn: upn(n, 3) } })], {
        presentingIssues: [{ code: '16A' }],
      });
      return { seed, police, school };
    };
    const repeatsFired = async (ids: string[]) => (await rated(ids)).filter((r) => r.ruleIds.includes('A-REPEAT')).length;
    const one = reportsOf(7000);
    for (const e of [one.seed, one.police, one.school]) await deliver(e);
    expect(await repeatsFired([one.police.contactId, one.school.contactId])).toBe(1);
    for (const [k, order] of [
      ['police', 'school'],
      ['school', 'police'],
    ].entries()) {
      const r = reportsOf(7001 + k);
      await deliver(r.seed);
      await Promise.all(order.map((x) => deliver(r[x as 'police' | 'school'])));
      expect({ order, fired: await repeatsFired([r.police.contactId, r.school.contactId]) }).toEqual({ order, fired: 1 });
      expect((await outcome([r.seed, r.police, r.school])).peoplePerSubjectRef).toEqual({ c1: 1 });
    }
  });

  it('a mixed burst of related and unrelated families in one Promise.all gives what one at a time gives', async () => {
    const build = (base: number) =>
      Array.from({ length: 6 }, (_, i) => {
        const f = family(base + i);
        return [
          contact('police', [f.child(), f.mother()], { household: { address: f.address } }),
          contact('health', [f.child({ identifiers: {} }), f.mother()], { household: { address: f.address } }),
          contact('education', [f.sibling(), f.mother()], {
            household: { address: f.address },
            presentingIssues: [{ code: '16A', label: 'Neglect' }],
          }),
        ];
      });
    const sequential = build(5000);
    for (const fam of sequential) for (const e of fam) await deliver(e);
    const together = build(6000);
    // Interleaved so that each family's reports race each other and other families'.
    const burst = [2, 1, 0].flatMap((k) => together.map((fam) => fam[k]));
    await Promise.all(burst.map((e) => deliver(e)));
    for (let i = 0; i < together.length; i++) {
      expect(await outcome(together[i])).toEqual(await outcome(sequential[i]));
    }
    const o = await outcome(together[0]);
    expect(o).toMatchObject({
      contacts: 3,
      contactsPerCase: [1, 2],
      duplicates: 1,
      peoplePerSubjectRef: { a1: 1, c1: 1, c2: 1 },
      people: 3,
      households: 1,
    });
  });

  it('shuffled bursts of related families (each report also redelivered) end as one at a time does, without a deadlock', async () => {
    const reportsOf = (n: number) => {
      const f = family(n);
      const incident = { occurredAt: '2026-11-30T07:30:00.000Z', reference: `INC-shuffle-${n}` };
      return [
        contact('police', [f.child(), f.mother()], { household: { address: f.address }, incident }),
        contact('health', [f.child({ identifiers: {} }), f.mother()], { household: { address: f.address } }),
        contact('education', [f.sibling(), f.mother()], {
          household: { address: f.address },
          presentingIssues: [{ code: '16A', label: 'Neglect' }],
        }),
        contact('police', [f.mother()], { incident }),
      ];
    };
    let state = 20261130;
    const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const reference = reportsOf(9000);
    for (const e of reference) await deliver(e);
    const expected = await outcome(reference);
    expect(expected).toMatchObject({ contacts: 4, contactsPerCase: [1, 3], duplicates: 2, people: 3, households: 1 });
    for (let round = 0; round < 3; round++) {
      const families = Array.from({ length: 4 }, (_, k) => reportsOf(9100 + round * 10 + k));
      const burst = families.flat().flatMap((e) => [e, e]);
      for (let i = burst.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [burst[i], burst[j]] = [burst[j], burst[i]];
      }
      await Promise.all(burst.map((e) => deliver(e)));
      for (const fam of families) expect(await outcome(fam)).toEqual(expected);
    }
  });

  it('two subjects of one contact alike (one child listed twice, twins) are two people, as a known child and a new twin', async () => {
    const f = family(940);
    const twin = (ref: string, over: Partial<ContactSubject> = {}) => f.child({ subjectRef: ref, identifiers: undefined, ...over });
    // Listed twice with one NHS number, then twins with no identifier: nobody known yet.
    const first = contact('police', [f.child(), f.child({ subjectRef: 'c1b' }), twin('t1'), twin('t2', { givenName: 'Ann' })], {
      household: { address: f.address },
    });
    // Later: the known child by identifier, then by score alone, beside a twin who was never seen.
    const later = {
      ...contact('education', [f.child({ subjectRef: 'k1' }), twin('k2'), twin('k3', { givenName: 'Ada' })], {
        household: { address: f.address },
        incident: { occurredAt: '2026-11-10T07:30:00.000Z' },
      }),
      receivedAt: '2026-11-10T09:00:00.000Z',
    };
    await deliver(first);
    await deliver(later);
    const links: { contact_id: string; subject_ref: string; person_id: string; matched_by: string; match_reasons: string[] }[] =
      await ds.query(
        `SELECT contact_id, subject_ref, person_id, matched_by, match_reasons FROM triage.contact_subjects WHERE contact_id = ANY($1) ORDER BY contact_id, subject_ref`,
        [[first.contactId, later.contactId]],
      );
    const people = [...new Set(links.map((l) => l.person_id))];
    const blocks: { person_id: string; n: number }[] = await ds.query(
      `SELECT person_id, count(*)::int AS n FROM triage.person_blocks WHERE person_id = ANY($1) GROUP BY person_id ORDER BY person_id`,
      [people],
    );
    const nhs: { person_id: string }[] = await ds.query(
      `SELECT person_id FROM triage.persons WHERE person_id = ANY($1) AND nhs_number IS NOT NULL`,
      [people],
    );
    const byRef = Object.fromEntries(links.map((l) => [`${l.contact_id === first.contactId ? 'first' : 'later'}:${l.subject_ref}`, l]));
    // Within a contact, never one person twice.
    for (const id of [first.contactId, later.contactId]) {
      const mine = links.filter((l) => l.contact_id === id).map((l) => l.person_id);
      expect(new Set(mine).size).toBe(mine.length);
    }
    expect(
      Object.values(byRef)
        .filter((l) => l.contact_id === first.contactId)
        .map((l) => l.matched_by),
    ).toEqual(['new', 'new', 'new', 'new']);
    // The NHS number stays with the first listing only.
    expect(nhs.map((r) => r.person_id)).toEqual([byRef['first:c1'].person_id]);
    expect(byRef['later:k1']).toMatchObject({ person_id: byRef['first:c1'].person_id, matched_by: 'identifier' });
    expect(byRef['later:k2'].person_id).not.toBe(byRef['later:k1'].person_id);
    // Everyone is filed under blocks, whatever the statement that wrote them.
    expect(blocks.length).toBe(people.length);
    console.log(
      'twins outcome',
      JSON.stringify({
        links: links.map((l) => [l.subject_ref, people.indexOf(l.person_id), l.matched_by, l.match_reasons]),
        blocks: blocks.map((b) => [people.indexOf(b.person_id), b.n]),
      }),
    );
  });

  it('a subject holding an identifier a person filed earlier in the same contact holds is found by it, not by its blocks', async () => {
    const f = family(941);
    const known = f.child({ subjectRef: 'c1', identifiers: undefined });
    await deliver(contact('police', [known], { household: { address: f.address } }));
    // The sibling is new and files the NHS number; the next subject shares it (a data-entry slip)
    // and would match the known child by score through its blocks, but the number names the
    // sibling, whom this contact already linked: so a new person, as if the sibling's row were in.
    const later = {
      ...contact('health', [f.sibling({ identifiers: { nhsNumber: nhsNumber(941) } }), f.child({ subjectRef: 'c3' })], {
        household: { address: f.address },
        incident: { occurredAt: '2026-11-12T07:30:00.000Z' },
      }),
      receivedAt: '2026-11-12T09:00:00.000Z',
    };
    await deliver(later);
    const links: { subject_ref: string; person_id: string; matched_by: string; match_reasons: string[]; nhs: boolean }[] = await ds.query(
      `SELECT cs.subject_ref, cs.person_id, cs.matched_by, cs.match_reasons, p.nhs_number IS NOT NULL AS nhs
         FROM triage.contact_subjects cs JOIN triage.persons p USING (person_id) WHERE cs.contact_id = $1 ORDER BY cs.subject_ref`,
      [later.contactId],
    );
    expect(links.map((l) => [l.subject_ref, l.matched_by, l.match_reasons, l.nhs])).toEqual([
      ['c2', 'new', ['new person: no candidate'], true],
      ['c3', 'new', ['new person: no candidate'], false],
    ]);
  });

  it('a known person matched later in a contact is not given an identifier a person filed earlier in it holds', async () => {
    const f = family(942);
    const known = f.child({ identifiers: { upn: upn(942, 3) } });
    await deliver(contact('education', [known], { household: { address: f.address } }));
    // The sibling is new and files the NHS number; the known child, found by UPN, carries the
    // same number (a slip): it stays with the sibling, as if the sibling's row were already in.
    const later = {
      ...contact(
        'health',
        [
          f.sibling({ identifiers: { nhsNumber: nhsNumber(942) } }),
          f.child({ identifiers: { upn: upn(942, 3), nhsNumber: nhsNumber(942) } }),
        ],
        {
          household: { address: f.address },
          incident: { occurredAt: '2026-11-14T07:30:00.000Z' },
        },
      ),
      receivedAt: '2026-11-14T09:00:00.000Z',
    };
    await deliver(later);
    const links: { subject_ref: string; matched_by: string; nhs: boolean; upn: boolean }[] = await ds.query(
      `SELECT cs.subject_ref, cs.matched_by, p.nhs_number IS NOT NULL AS nhs, p.upn IS NOT NULL AS upn
         FROM triage.contact_subjects cs JOIN triage.persons p USING (person_id) WHERE cs.contact_id = $1 ORDER BY cs.subject_ref`,
      [later.contactId],
    );
    expect(links).toEqual([
      { subject_ref: 'c1', matched_by: 'identifier', nhs: false, upn: true },
      { subject_ref: 'c2', matched_by: 'new', nhs: true, upn: false },
    ]);
  });

  it('a read that needs a lock not held starts the intake over, its writes undone, holding that lock too', async () => {
    const rounds: number[] = [];
    const heldInLastRound = await ds.transaction(async (m) => {
      const out = await underIntakeLocks(
        m,
        ['spec:a'],
        async (locks) => {
          rounds.push(locks.round);
          await m.query(`INSERT INTO triage.households (household_id) VALUES ($1)`, [`HH-spec-round-${locks.round}`]);
          locks.require(['spec:a', 'spec:b']);
          const [r] = await m.query(
            `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()
             AND ((classid::bigint << 32) | objid::bigint) IN (hashtextextended('triage:spec:a', 0), hashtextextended('triage:spec:b', 0))`,
          );
          return r.n as number;
        },
        { mayWait: true },
      );
      return out;
    });
    expect(rounds).toEqual([1, 2]);
    expect(heldInLastRound).toBe(2);
    const rows = await ds.query(`SELECT household_id FROM triage.households WHERE household_id LIKE 'HH-spec-round-%' ORDER BY 1`);
    expect(rows).toEqual([{ household_id: 'HH-spec-round-2' }]);
  });

  it('in a run after its first message, a lock another transaction holds is not waited for: the intake steps out of the run, holding nothing', async () => {
    const holder = ds.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query(`SELECT pg_advisory_xact_lock(hashtextextended('triage:spec:held', 0))`);
      let worked = false;
      const started = Date.now();
      const outcome = await ds.transaction(async (m) =>
        underIntakeLocks(
          m,
          ['spec:free', 'spec:held'],
          async () => {
            worked = true;
          },
          { mayWait: false },
        ).then(
          () => 'handled',
          async (err: Error) => {
            // Nothing of the attempt is held: the free key's lock went with the savepoint.
            const [r] = await m.query(
              `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()`,
            );
            return `${err.name}, ${r.n} advisory locks held`;
          },
        ),
      );
      expect(outcome).toBe('WouldWait, 0 advisory locks held');
      expect(worked).toBe(false);
      expect(Date.now() - started).toBeLessThan(2000);
      // Free keys only: the run goes on.
      const free = await ds.transaction((m) => underIntakeLocks(m, ['spec:free'], async () => 'handled', { mayWait: false }));
      expect(free).toBe('handled');
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }
  });
});
