import type { DataSource, EntityManager } from 'typeorm';
import { dataKeys } from '@mash/at-rest';
import type { ContactReceived } from '@mash/contracts';
import { createServiceDb, ServiceDb } from '../../../../test/support/serviceDb';
import { TRIAGE_MIGRATIONS } from '../app.module';
import { insertCase } from '../cases/cases.repository';
import { addressKey } from '../matching';
import { insertPerson } from '../people/people.repository';
import { contactWith } from '../rating/testContacts';
import { insertContact, possibleSameIncident, recordSubjects, stripContactsOfPrunableCases } from './contacts.repository';

/** The contacts repository on real Postgres: what the duplicate check reads, and how. */
let db: ServiceDb;
let ds: DataSource;

beforeAll(async () => {
  db = await createServiceDb('triage_contacts_spec', 'triage', TRIAGE_MIGRATIONS);
  ds = db.ds;
}, 30000);
afterAll(async () => db?.drop());

const T = '2026-11-30T08:00:00.000Z';
const hoursFrom = (h: number) => new Date(Date.parse(T) + h * 3_600_000).toISOString();
let n = 0;

async function stored(
  m: EntityManager,
  over: { at?: string; ref?: string; address?: string; personId?: string; decidedAt?: Date } = {},
): Promise<ContactReceived> {
  const id = `CT-repo-${++n}`;
  const e: ContactReceived = {
    contactId: id,
    sourceAgency: 'police',
    receivedAt: T,
    contact: contactWith({
      agencyReference: id,
      incident: { occurredAt: over.at ?? T, ...(over.ref ? { reference: over.ref } : {}) },
      ...(over.address ? { household: { address: { lines: [over.address], postcode: 'EX1 2AB' } } } : {}),
    }),
  };
  const caseId = `CS-repo-${n}`;
  await insertCase(m, {
    caseId,
    contactId: id,
    sourceAgency: 'police',
    receivedAt: new Date(T),
    rating: 'GREEN',
    ruleIds: [],
    reasons: [],
    policyVersion: 'spec',
    deadline: new Date(T),
    lawfulBasis: 'consent',
    checkPlan: [],
  });
  if (over.decidedAt) await m.query(`UPDATE triage.cases SET decided_at = $2 WHERE case_id = $1`, [caseId, over.decidedAt]);
  await insertContact(m, { event: e, caseId, incidentAt: over.at ?? T, addressKey: addressKey(e), rating: 'GREEN', ruleIds: [] });
  if (over.personId) {
    await recordSubjects(m, id, caseId, T, [{ subjectRef: 'c1', personId: over.personId, kind: 'child', matchedBy: 'new', reasons: [] }]);
  }
  return e;
}

describe('possibleSameIncident', () => {
  it('reads the incident reference at any time, the address and the people within the window, and nothing else', async () => {
    const ids = await ds.transaction(async (m) => {
      await insertPerson(m, 'P-repo-1', { givenName: 'Amy' });
      await insertPerson(m, 'P-repo-2', { givenName: 'Ben' });
      return {
        byRef: (await stored(m, { at: hoursFrom(-100), ref: 'INC-REPO' })).contactId,
        byAddress: (await stored(m, { at: hoursFrom(3), address: '1 Example Street' })).contactId,
        addressTooEarly: (await stored(m, { at: hoursFrom(-13), address: '1 Example Street' })).contactId,
        byPerson: (await stored(m, { at: hoursFrom(-11), personId: 'P-repo-1' })).contactId,
        personTooLate: (await stored(m, { at: hoursFrom(13), personId: 'P-repo-1' })).contactId,
        otherPerson: (await stored(m, { at: T, personId: 'P-repo-2' })).contactId,
        unrelatedSameHour: (await stored(m, { at: T })).contactId,
      };
    });
    const found = await possibleSameIncident(ds.manager, {
      incidentRef: 'INC-REPO',
      addressKey: 'EX12AB|1 example street',
      personIds: ['P-repo-1'],
      incidentAt: T,
      windowHours: 12,
    });
    expect(found.map((c) => c.contactId).sort()).toEqual([ids.byAddress, ids.byPerson, ids.byRef].sort());
  });

  it('every branch of the read can be served by an index (no scan of the contacts)', async () => {
    const plan = await ds.transaction(async (m) => {
      await m.query(`SET LOCAL enable_seqscan = off`);
      const rows: { 'QUERY PLAN': string }[] = await m.query(
        `EXPLAIN WITH w AS (SELECT $4::timestamptz - make_interval(hours => $5) AS lo, $4::timestamptz + make_interval(hours => $5) AS hi)
         SELECT body FROM triage.contacts WHERE contact_id IN (
           SELECT contact_id FROM triage.contacts WHERE incident_ref = $1
           UNION SELECT c.contact_id FROM triage.contacts c, w WHERE c.address_key = $2 AND c.incident_at BETWEEN w.lo AND w.hi
           UNION SELECT c.contact_id FROM triage.contact_subjects cs JOIN triage.contacts c USING (contact_id), w
            WHERE cs.person_id = ANY($3::text[]) AND c.incident_at BETWEEN w.lo AND w.hi)`
          .replace(/\$1/g, `'INC'`)
          .replace(/\$2/g, `'k'`)
          .replace(/\$3/g, `ARRAY['P']`)
          .replace(/\$4/g, `'${T}'`)
          .replace(/\$5/g, '12'),
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).not.toMatch(/Seq Scan on (contacts|contact_subjects)/);
    expect(plan).toMatch(/contacts_incident_ref/);
    expect(plan).toMatch(/contacts_address/);
    expect(plan).toMatch(/contact_subjects_person/);
  });
});

describe('retention of contacts', () => {
  it('empties the body, the incident reference and the address key of a decided case past the cut-off, and leaves an undecided one', async () => {
    const [old, open] = await ds.transaction(async (m) => [
      await stored(m, { ref: 'INC-RET-1', address: '2 Example Street', decidedAt: new Date('2020-01-01T00:00:00Z') }),
      await stored(m, { ref: 'INC-RET-2', address: '2 Example Street' }),
    ]);
    expect(await ds.transaction((m) => stripContactsOfPrunableCases(m, new Date('2021-01-01T00:00:00Z'), 100))).toBe(1);
    const rows = await ds.query(
      `SELECT contact_id, body = '{}'::jsonb AS empty, incident_ref, address_key FROM triage.contacts WHERE contact_id = ANY($1) ORDER BY contact_id`,
      [[old.contactId, open.contactId]],
    );
    expect(rows).toEqual([
      { contact_id: old.contactId, empty: true, incident_ref: null, address_key: null },
      // At rest the kept contact's reference and address are keyed digests, never the values.
      {
        contact_id: open.contactId,
        empty: false,
        incident_ref: dataKeys().lookup('incident', 'INC-RET-2'),
        address_key: dataKeys().lookup('address', 'EX12AB|2 example street'),
      },
    ]);
  });
});
