import { DataSource, EntityManager } from 'typeorm';
import { isSealed, openedAt } from '@mash/at-rest';
import type { CaseRated, Rating } from '@mash/contracts';
import { caseSubjects } from './status.repository';
import { BoardProjection } from '../board/board.projection';
import { StatusProjection } from './status.projection';
import { createServiceDb, ServiceDb } from '../../../../test/support/serviceDb';
import { PROJECTION_MIGRATIONS } from './projectionTables.fixtures';

/**
 * The case picture's start and end ratings against real Postgres and the gateway's migrations:
 * whatever order the stages arrive in, in parallel transactions, in the same millisecond.
 */
let db: ServiceDb;
let ds: DataSource;
const t0 = Date.parse('2026-11-23T09:00:00.000Z');
const at = (ms: number) => new Date(t0 + ms).toISOString();

function rated(caseId: string, stage: 'start' | 'end', rating: Rating, ratedAt: string, extra: Partial<CaseRated> = {}): CaseRated {
  return {
    caseId,
    contactId: `CT-${caseId}`,
    stage,
    rating,
    ruleIds: [`RULE-${rating}`],
    reasons: [`why ${rating} at ${ratedAt}`],
    policyVersion: 'p1',
    ratedAt,
    deadline: at(3600_000),
    checkPlan: [],
    subjects: [],
    lawfulBasis: 'consent',
    ...extra,
  };
}

async function openCase(caseId: string) {
  await ds.query(`INSERT INTO gateway.cases (case_id, contact_id, rating, policy_version, deadline) VALUES ($1, $2, 'AMBER', 'p1', $3)`, [
    caseId,
    `CT-${caseId}`,
    at(0),
  ]);
}
/** The rated contact as intake stores it, so the projection can attach it. */
async function received(caseId: string) {
  const contactId = `CT-${caseId}`;
  await ds.query(
    `INSERT INTO gateway.contacts (contact_id, source_agency, agency_reference, received_at, body) VALUES ($1, 'police', $1, $2, '{}')`,
    [contactId, at(0)],
  );
  await ds.query(`INSERT INTO gateway.contact_status (contact_id, stage, history) VALUES ($1, 'received', '[]')`, [contactId]);
}
/** A rating as the gateway handles it: the status projection keeps the stages on the case row. */
const projection = new StatusProjection(new BoardProjection());
const recordRatingStage = (m: EntityManager, e: CaseRated) => projection.rated(e, e.ratedAt, m);
const stored = async (caseId: string) =>
  (await ds.query(`SELECT rating_start, rating_end FROM gateway.cases WHERE case_id = $1`, [caseId]))[0];
/** The stages with their sealed reasons opened (the rest of each stage is stored plain). */
const stages = async (caseId: string) => {
  const r = await stored(caseId);
  return { rating_start: openedAt(r.rating_start, 'reasons'), rating_end: openedAt(r.rating_end, 'reasons') };
};

beforeAll(async () => {
  db = await createServiceDb('mash_picture', 'gateway', PROJECTION_MIGRATIONS, 12);
  ds = db.ds;
}, 60000);

afterAll(() => db?.drop());

describe('case picture: rating at start and end', () => {
  it('keeps both stages with rules and reasons, an end that arrives before its start included', async () => {
    await openCase('CS-1');
    await received('CS-1');
    await ds.transaction((m) => recordRatingStage(m, rated('CS-1', 'end', 'RED', at(5000))));
    await ds.transaction((m) => recordRatingStage(m, rated('CS-1', 'start', 'AMBER', at(1000))));
    expect(await stages('CS-1')).toEqual({
      rating_start: {
        rating: 'AMBER',
        ruleIds: ['RULE-AMBER'],
        reasons: [`why AMBER at ${at(1000)}`],
        policyVersion: 'p1',
        ratedAt: at(1000),
      },
      rating_end: { rating: 'RED', ruleIds: ['RULE-RED'], reasons: [`why RED at ${at(5000)}`], policyVersion: 'p1', ratedAt: at(5000) },
    });
    // The reasons can quote the case: sealed in the row; the rating beside them stays queryable.
    const raw = await stored('CS-1');
    expect([isSealed(raw.rating_start.reasons), isSealed(raw.rating_end.reasons), raw.rating_start.rating]).toEqual([true, true, 'AMBER']);
    expect(JSON.stringify(raw)).not.toContain('why ');
  });

  it('a revised start (more checks after an override) does not replace the triage rating', async () => {
    await openCase('CS-2');
    await received('CS-2');
    await ds.transaction((m) => recordRatingStage(m, rated('CS-2', 'start', 'GREEN', at(1000))));
    await ds.transaction((m) => recordRatingStage(m, rated('CS-2', 'start', 'AMBER', at(2000), { revision: 2 })));
    expect((await stages('CS-2')).rating_start).toMatchObject({ rating: 'GREEN', ratedAt: at(1000) });
  });

  it('of many ends delivered in parallel and in any order, the latest rating stands; same-millisecond ones leave one of them whole', async () => {
    await openCase('CS-3');
    await received('CS-3');
    const ratings: Rating[] = ['BLUE', 'GREEN', 'AMBER', 'RED'];
    const ends = Array.from({ length: 24 }, (_, i) => rated('CS-3', 'end', ratings[i % 4], at(10_000 + (i % 12) * 1000)));
    ends.push(rated('CS-3', 'end', 'RED', at(40_000)));
    // Shuffled, each in its own transaction at once.
    const shuffled = ends
      .map((e) => ({ e, k: Math.random() }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.e);
    await Promise.all(shuffled.map((e) => ds.transaction((m) => recordRatingStage(m, e))));
    expect((await stages('CS-3')).rating_end).toMatchObject({ rating: 'RED', ratedAt: at(40_000), reasons: [`why RED at ${at(40_000)}`] });

    // Two ends in the same millisecond: one of them, whole, never a mix.
    await openCase('CS-4');
    await received('CS-4');
    await Promise.all(
      [rated('CS-4', 'end', 'GREEN', at(7000)), rated('CS-4', 'end', 'AMBER', at(7000))].map((e) =>
        ds.transaction((m) => recordRatingStage(m, e)),
      ),
    );
    const end = (await stages('CS-4')).rating_end;
    expect(end.reasons).toEqual([`why ${end.rating} at ${at(7000)}`]);
    expect(end.ruleIds).toEqual([`RULE-${end.rating}`]);
  });
});

describe('case picture: subjects from every contact on the case', () => {
  it('lists children, adults and households with the contact each came from', async () => {
    await openCase('CS-5');
    const contact = (id: string, body: object) =>
      ds
        .query(
          `INSERT INTO gateway.contacts (contact_id, source_agency, agency_reference, received_at, body) VALUES ($1, 'health', $1, $2, $3)`,
          [id, at(id === 'CT-a' ? 0 : 1000), JSON.stringify(body)],
        )
        .then(() => ds.query(`INSERT INTO gateway.contact_status (contact_id, case_id, stage) VALUES ($1, 'CS-5', 'rated')`, [id]));
    await contact('CT-a', {
      subjects: [
        { subjectRef: 'c', kind: 'child', givenName: 'Ivy' },
        { subjectRef: 'm', kind: 'adult', role: 'parent-carer', givenName: 'Mae' },
      ],
      household: { address: { postcode: 'EX3 4CD' }, relationships: [{ from: 'm', to: 'c', type: 'parent' }] },
      presentingIssues: [{ code: '20', label: 'Odd code', coding: { system: 'http://snomed.info/sct', code: '22298006' } }],
    });
    await contact('CT-b', {
      subjects: [{ subjectRef: 'u', kind: 'unborn', expectedDate: '2027-01-01' }],
      presentingIssues: [{ code: '3' }],
    });
    // A contact of another case stays out.
    await openCase('CS-6');
    await ds.query(
      `INSERT INTO gateway.contacts (contact_id, source_agency, agency_reference, received_at, body) VALUES ('CT-x', 'police', 'x', $1, '{"subjects":[{"subjectRef":"z","kind":"child"}]}')`,
      [at(0)],
    );
    await ds.query(`INSERT INTO gateway.contact_status (contact_id, case_id, stage) VALUES ('CT-x', 'CS-6', 'rated')`);

    const picture = await caseSubjects(ds.manager, 'CS-5');
    expect(picture.subjects.children.map((s) => [s.contactId, s.subjectRef, s.kind])).toEqual([
      ['CT-a', 'c', 'child'],
      ['CT-b', 'u', 'unborn'],
    ]);
    expect(picture.subjects.adults.map((s) => [s.contactId, s.subjectRef, s.role])).toEqual([['CT-a', 'm', 'parent-carer']]);
    expect(picture.subjects.households).toEqual([
      { contactId: 'CT-a', address: { postcode: 'EX3 4CD' }, relationships: [{ from: 'm', to: 'c', type: 'parent' }] },
    ]);
    expect(picture.presentingIssues).toEqual([
      {
        code: '20',
        label: 'Odd code',
        coding: { system: 'http://snomed.info/sct', code: '22298006' },
        contactId: 'CT-a',
        agency: 'health',
      },
      { code: '3', contactId: 'CT-b', agency: 'health' },
    ]);
  });
});
