import type { DataSource } from 'typeorm';
import { createServiceDb, ServiceDb } from '../../../../test/support/serviceDb';
import { TRIAGE_MIGRATIONS } from '../app.module';
import { insertContact, stripContactsOfPrunableCases } from '../contacts/contacts.repository';
import { contactWith } from '../rating/testContacts';
import { isSealed } from '@mash/at-rest';
import type { ConsentOverride } from '@mash/contracts';
import { replaceOpenCases, openCaseByIdentifiers } from '../openCases/openCases.repository';
import {
  escalateCase,
  insertCase,
  insertRating,
  latestOverride,
  lockCase,
  markDecided,
  pruneCases,
  ratingCounts,
  recordOverride,
} from './cases.repository';

/** The cases repository on real Postgres: rows in, domain values out, and the case lock. */
let db: ServiceDb;
let ds: DataSource;

beforeAll(async () => {
  db = await createServiceDb('triage_cases_spec', 'triage', TRIAGE_MIGRATIONS);
  ds = db.ds;
}, 30000);
afterAll(async () => db?.drop());

const T = new Date('2026-11-30T08:00:00.000Z');
const newCase = (caseId: string) =>
  insertCase(ds.manager, {
    caseId,
    contactId: `CT-${caseId}`,
    sourceAgency: 'police',
    receivedAt: T,
    rating: 'AMBER',
    ruleIds: ['A-1'],
    reasons: ['why'],
    policyVersion: 'spec',
    deadline: new Date(T.getTime() + 3_600_000),
    lawfulBasis: 'consent',
    checkPlan: [{ agency: 'health', categories: ['health'], dueAt: T.toISOString() }],
  });

describe('cases repository', () => {
  it('gives back what was stored, times as Dates', async () => {
    await newCase('CS-repo-a');
    const c = await ds.transaction((m) => lockCase(m, 'CS-repo-a'));
    expect(c).toMatchObject({
      case_id: 'CS-repo-a',
      start_rating: 'AMBER',
      current_rating: 'AMBER',
      rule_ids: ['A-1'],
      revision: 1,
      state: 'checks',
    });
    expect(c!.deadline).toEqual(new Date(T.getTime() + 3_600_000));
    expect(c!.received_at).toEqual(T);
    expect(await ds.transaction((m) => lockCase(m, 'CS-none'))).toBeUndefined();
  });

  it('a second holder of the case lock reads the case only after the first has committed', async () => {
    await newCase('CS-repo-b');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const firstHasIt = new Promise<void>((r) => (locked = r));
    const first = ds.transaction(async (m) => {
      const c = await lockCase(m, 'CS-repo-b');
      locked();
      await held;
      await escalateCase(m, 'CS-repo-b', {
        rating: 'RED',
        revision: c!.revision + 1,
        deadline: c!.deadline,
        checkPlan: c!.check_plan,
        ruleIds: ['R-1'],
        reasons: [],
      });
    });
    await firstHasIt;
    // Both at once: the second's read must wait for the first's commit, whatever it read before.
    const second = ds.transaction((m) => lockCase(m, 'CS-repo-b'));
    await new Promise((r) => setTimeout(r, 100));
    release();
    await first;
    expect(await second).toMatchObject({ current_rating: 'RED', revision: 2 });
  });

  it('counts decided and undecided cases by start and end rating in a period', async () => {
    await newCase('CS-repo-c');
    await markDecided(ds.manager, 'CS-repo-c', { finalRating: 'GREEN', decisionId: 'D-1', decidedBy: 'spec', decidedAt: T });
    const rows = await ratingCounts(ds.manager, '2026-11-30T00:00:00Z', '2026-12-01T00:00:00Z');
    expect(rows.find((r) => r.start === 'AMBER' && r.end === null)?.n).toBe(2);
    expect(rows.find((r) => r.start === 'RED' && r.end === null)?.n).toBe(1);
  });

  it('retention marks a case anonymised only once its contacts are stripped, never with their content still there', async () => {
    await newCase('CS-repo-d');
    await markDecided(ds.manager, 'CS-repo-d', {
      finalRating: 'AMBER',
      decisionId: 'D-2',
      decidedBy: 'spec',
      decidedAt: new Date('2020-01-01T00:00:00Z'),
    });
    const event = { contactId: 'CT-CS-repo-d', sourceAgency: 'police' as const, receivedAt: T.toISOString(), contact: contactWith() };
    await insertContact(ds.manager, { event, caseId: 'CS-repo-d', incidentAt: T.toISOString(), rating: 'AMBER', ruleIds: [] });
    const cutoff = new Date('2021-01-01T00:00:00Z');
    // As if the case became due after this run's contact step had already passed.
    expect(await pruneCases(ds.manager, cutoff, 10)).toBe(0);
    expect(await stripContactsOfPrunableCases(ds.manager, cutoff, 10)).toBe(1);
    expect(await pruneCases(ds.manager, cutoff, 10)).toBe(1);
    const [row] = await ds.query(`SELECT pruned_at IS NOT NULL AS pruned, allocated_worker FROM triage.cases WHERE case_id = 'CS-repo-d'`);
    expect(row).toEqual({ pruned: true, allocated_worker: null });
  });

  it("seals professionals' names at rest and gives them back: allocated worker, decision maker, who rated, who overrode consent", async () => {
    const WORKER = 'Priya Allocated-Worker';
    const MANAGER = 'Sam Override-Manager';
    const DECIDER = 'Jo Decision-Maker';
    await insertCase(ds.manager, {
      caseId: 'CS-repo-n',
      contactId: 'CT-CS-repo-n',
      sourceAgency: 'police',
      receivedAt: T,
      rating: 'AMBER',
      ruleIds: [],
      reasons: [],
      policyVersion: 'spec',
      deadline: T,
      lawfulBasis: 'consent',
      checkPlan: [],
      allocatedWorker: WORKER,
    });
    await insertRating(ds.manager, 'CS-repo-n', {
      stage: 'decision',
      rating: 'GREEN',
      ruleIds: [],
      reasons: [],
      policyVersion: 'spec',
      ratedBy: DECIDER,
    });
    const override = {
      overrideId: 'CO-repo-n',
      caseId: 'CS-repo-n',
      recordedAt: T.toISOString(),
      recordedBy: { name: MANAGER, role: 'manager' },
      principal: 'dm-sam',
      basis: 'section-47',
      reason: 'The child is at risk of significant harm.',
    } as ConsentOverride;
    await recordOverride(ds.manager, override, { revision: 2, planBefore: [], planAdded: [], plan: [] });
    await markDecided(ds.manager, 'CS-repo-n', { finalRating: 'GREEN', decisionId: 'D-n', decidedBy: DECIDER, decidedAt: T });
    await ds.transaction((m) =>
      replaceOpenCases(m, 'spec', [{ openCaseId: 'OC-repo-n', nhsNumber: '9434765919', allocatedWorker: WORKER, team: 'Children North' }]),
    );

    // Raw SQL sees none of the names, only sealed values.
    const [stored] = await ds.query(
      `SELECT c.allocated_worker, c.decided_by, (SELECT rated_by FROM triage.ratings WHERE case_id = c.case_id AND stage = 'decision') AS rated_by,
              (SELECT recorded_by_name FROM triage.consent_overrides WHERE case_id = c.case_id) AS recorded_by_name,
              (SELECT allocated_worker FROM triage.open_cases WHERE open_case_id = 'OC-repo-n') AS open_case_worker
         FROM triage.cases c WHERE c.case_id = 'CS-repo-n'`,
    );
    expect(Object.entries(stored).filter(([, v]) => !isSealed(v))).toEqual([]);
    expect(JSON.stringify(stored)).not.toMatch(/Priya|Sam Override|Jo Decision/);

    // The repository reads them back.
    expect((await ds.transaction((m) => lockCase(m, 'CS-repo-n')))?.allocated_worker).toBe(WORKER);
    expect((await latestOverride(ds.manager, 'CS-repo-n'))?.by).toBe(MANAGER);
    expect(await openCaseByIdentifiers(ds.manager, { nhsNumbers: ['9434765919'], upns: [], policePersonIds: [] })).toEqual({
      openCaseId: 'OC-repo-n',
      allocatedWorker: WORKER,
      team: 'Children North',
    });
  });
});
