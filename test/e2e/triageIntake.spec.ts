import { Client } from 'pg';
import { CaseRated, CHECK_AGENCIES, checkRequestedTopic, Contact, ContactSubject, TeamsAlerted, TOPICS } from '@mash/contracts';
import { exampleContact, exampleSchoolContact } from '@mash/contracts/examples';
import { shippedPolicy } from '@mash/policy';
import { startTestHub, TestHub } from '../support/hub';
import { TopicWatcher } from '../support/topics';
import { ref, submit } from './triageSupport';

const london = shippedPolicy('london');

/**
 * Triage as a real process on real Kafka and Postgres, fed through the real gateway, with the real
 * checks service fanning out its plans: households, duplicates, repeats across a restart, Red
 * alerts and open cases.
 */
describe('triage intake: people, households, duplicates, repeats', () => {
  let hub: TestHub;
  let watcher: TopicWatcher;
  let db: Client;

  beforeAll(async () => {
    hub = await startTestHub([], {}, { services: ['gateway', 'triage', 'checks'] });
    watcher = new TopicWatcher(hub.env.KAFKA_BROKERS, hub.env.MASH_TOPIC_PREFIX);
    await watcher.watch([TOPICS.caseRated, TOPICS.teamsAlerted, ...CHECK_AGENCIES.map(checkRequestedTopic)]);
    db = new Client({ connectionString: hub.env.DATABASE_URL });
    await db.connect();
  }, 120000);

  afterAll(async () => {
    await db?.end();
    await watcher?.stop();
    await hub?.stop();
  }, 60000);

  const rated = async (contactId: string, timeoutMs = 30000) =>
    (
      await watcher.waitFor<CaseRated>(
        (e) => e.topic === TOPICS.caseRated && e.envelope.data.contactId === contactId && e.envelope.data.stage === 'start',
        timeoutMs,
      )
    ).envelope.data;

  it('one contact about two children is one case linked to each child', async () => {
    const contactId = await submit(hub, 'education', { ...exampleSchoolContact, agencyReference: ref(hub, 'CPOMS') });
    const r = await rated(contactId);
    expect(r.subjects).toHaveLength(2);
    expect(new Set(r.subjects.map((s) => s.subjectId)).size).toBe(2);
    expect(r.policyVersion).toBe(london.version);
    const cases = await db.query(`SELECT case_id FROM triage.cases WHERE contact_id = $1`, [contactId]);
    expect(cases.rows).toEqual([{ case_id: r.caseId }]);
    const links = await db.query(
      `SELECT person_id, case_id, kind FROM triage.contact_subjects WHERE contact_id = $1 ORDER BY subject_ref`,
      [contactId],
    );
    expect(links.rows.map((x) => x.kind)).toEqual(['child', 'child']);
    expect(links.rows.every((x) => x.case_id === r.caseId)).toBe(true);
    // Siblings: one household, two people.
    const hh = await db.query(`SELECT DISTINCT household_id FROM triage.persons WHERE person_id = ANY($1)`, [
      links.rows.map((x) => x.person_id),
    ]);
    expect(hh.rowCount).toBe(1);
  });

  it('the same incident from police and health is one case: the second links as a duplicate and no agency is asked twice', async () => {
    const incident = { occurredAt: new Date(Date.now() - 3600_000).toISOString(), place: 'Home address', reference: `INC-${hub.runId}` };
    const police: Contact = { ...exampleContact, agencyReference: ref(hub, 'PVP'), incident };
    const policeId = await submit(hub, 'police', police);
    const first = await rated(policeId);
    expect(first.checkPlan.length).toBeGreaterThan(0);
    const health: Contact = {
      ...exampleContact,
      agencyReference: ref(hub, 'ED'),
      referrer: { organisation: 'Exampleton General Hospital', role: 'ED safeguarding nurse', source: '3D', channel: { kind: 'topic' } },
      subjects: exampleContact.subjects.slice(0, 2),
      incident: { occurredAt: incident.occurredAt, place: 'Home address' },
      domesticAbuse: undefined,
      presentingIssues: [{ code: '3', label: 'Domestic abuse' }],
      narrative: 'Mother attended ED after an assault at home; the child was in the house.',
      consent: { status: 'given' },
    };
    const healthId = await submit(hub, 'health', health);
    const dup = await rated(healthId);
    expect(dup).toMatchObject({ caseId: first.caseId, duplicateOf: policeId, checkPlan: [] });
    expect(dup.reasons[0]).toMatch(/^Duplicate of contact .*reported by police and health/);
    expect(
      (await db.query(`SELECT count(*)::int AS n FROM triage.cases WHERE case_id = $1 OR contact_id = $2`, [first.caseId, healthId]))
        .rows[0].n,
    ).toBe(1);

    // Checks fanned the first plan out once per agency and nothing for the duplicate.
    await watcher.waitFor(
      (e) => e.topic.startsWith('mash.check.') && (e.envelope.data as { caseId: string }).caseId === first.caseId,
      20000,
    );
    await new Promise((r) => setTimeout(r, 1500));
    const requests = watcher.seen.filter(
      (e) => /^mash\.check\..*\.requested\.v1$/.test(e.topic) && (e.envelope.data as { caseId: string }).caseId === first.caseId,
    );
    expect(requests.map((e) => e.topic).sort()).toEqual(first.checkPlan.map((p) => checkRequestedTopic(p.agency)).sort());
  });

  it('counts repeats per child across a restart: the third contact in 12 months escalates with the repeat rule and its reason', async () => {
    const child: ContactSubject = {
      subjectRef: 'c1',
      kind: 'child',
      role: 'subject',
      givenName: 'Rory',
      familyName: 'Repeatson',
      dateOfBirth: '2015-05-05',
      sex: 'male',
      identifiers: { upn: 'D801200001006' },
    };
    const school = (withUpn: boolean): Contact => ({
      ...exampleSchoolContact,
      agencyReference: ref(hub, 'CPOMS'),
      subjects: [withUpn ? child : { ...child, identifiers: undefined, givenName: 'Rory' }],
      household: { address: { lines: ['9 Repeat Road'], town: 'Exampleton', postcode: 'EX9 9RR' } },
      presentingIssues: [{ code: '20', label: 'Other' }],
      narrative: 'Arrived late and upset again.',
    });
    const one = await rated(await submit(hub, 'education', school(true)));
    const two = await rated(await submit(hub, 'education', school(true)));
    expect(one.rating).toBe('GREEN');
    expect(two.ruleIds).not.toContain('A-REPEAT');
    expect(two.subjects[0].subjectId).toBe(one.subjects[0].subjectId);

    await hub.restart('triage');

    // No UPN this time: found again by name, date of birth and postcode, from Postgres.
    const three = await rated(await submit(hub, 'education', school(false)));
    expect(three.subjects[0].subjectId).toBe(one.subjects[0].subjectId);
    expect(three.rating).toBe('AMBER');
    expect(three.ruleIds).toContain('A-REPEAT');
    expect(three.reasons.find((r) => r.startsWith('Repeat contacts'))).toMatch(/3 contacts in 12 months .*trigger of 3/);
    const link = await db.query(`SELECT matched_by, score, match_reasons FROM triage.contact_subjects WHERE contact_id = $1`, [
      three.contactId,
    ]);
    expect(link.rows[0]).toMatchObject({ matched_by: 'score' });
    expect(link.rows[0].match_reasons).toEqual(expect.arrayContaining(['date of birth matches', 'postcode matches']));
  }, 90000);

  it('Red tells the policy teams at once; a child open to social care goes to the allocated worker', async () => {
    const red: Contact = {
      ...exampleContact,
      agencyReference: ref(hub, 'PPN'),
      incident: undefined,
      household: { address: { lines: ['3 Red Row'], postcode: 'EX3 3RR' } },
      subjects: [
        {
          subjectRef: 'c1',
          kind: 'child',
          givenName: 'Ola',
          familyName: 'Opencase',
          dateOfBirth: '2018-02-02',
          identifiers: { nhsNumber: '9434760011' },
        },
      ],
      domesticAbuse: { dashRiskLevel: 'high', childrenPresent: true },
    };
    const contactId = await submit(hub, 'police', red);
    const r = await rated(contactId);
    expect(r.rating).toBe('RED');
    expect(r.ruleIds[0]).toBe('R-DASH-HIGH');
    expect(r.allocatedWorker).toBe('Jo Bloggs, social worker (Assessment Team 2)');
    const alert = await watcher.waitFor<TeamsAlerted>(
      (e) => e.topic === TOPICS.teamsAlerted && e.envelope.data.contactId === contactId,
      10000,
    );
    expect(alert.envelope.data).toMatchObject({ caseId: r.caseId, teams: london.redAlert.teams });
    expect(alert.envelope.data.ruleIds).toContain('R-DASH-HIGH');
  });
});
