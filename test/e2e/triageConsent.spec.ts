import { spawnSync } from 'node:child_process';
import { dataKeys, isSealed } from '@mash/at-rest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { CaseRated, CaseReady, Contact, TOPICS } from '@mash/contracts';
import { exampleSchoolContact } from '@mash/contracts/examples';
import { KafkaPort, messagingConfigFromEnv } from '@mash/messaging';
import { policiesDir, shippedPolicy } from '@mash/policy';
import { startTestHub, TEST_MANAGER, TEST_TOKENS, TestHub } from '../support/hub';
import { poll, TopicWatcher } from '../support/topics';
import { ref, submit } from './triageSupport';

const london = shippedPolicy('london');
const root = join(__dirname, '..', '..');

/**
 * Consent and re-rating through the real gateway and a real triage process: a refusal limits the
 * plan to what the policy allows, a manager's override (and only a manager's, with a reason) is
 * audited and widens it; the end rating is kept beside the start, the decision beside both, and
 * the ratings matrix counts them. A broken policy file stops triage before it starts.
 */
describe('triage consent, overrides and re-rating', () => {
  let hub: TestHub;
  let watcher: TopicWatcher;
  let db: Client;
  let port: KafkaPort;

  beforeAll(async () => {
    hub = await startTestHub([], {}, { services: ['gateway', 'triage'] });
    watcher = new TopicWatcher(hub.env.KAFKA_BROKERS, hub.env.MASH_TOPIC_PREFIX);
    await watcher.watch([TOPICS.caseRated]);
    db = new Client({ connectionString: hub.env.DATABASE_URL });
    await db.connect();
    port = new KafkaPort(messagingConfigFromEnv('test-checks', hub.env));
  }, 120000);

  afterAll(async () => {
    await port?.close();
    await db?.end();
    await watcher?.stop();
    await hub?.stop();
  }, 60000);

  const rated = async (pred: (r: CaseRated) => boolean, timeoutMs = 30000) =>
    (await watcher.waitFor<CaseRated>((e) => pred(e.envelope.data), timeoutMs)).envelope.data;
  const post = (path: string, token: string, body: unknown) =>
    fetch(`${hub.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });

  const refused: Contact = {
    ...exampleSchoolContact,
    subjects: [
      {
        subjectRef: 'c1',
        kind: 'child',
        givenName: 'Cass',
        familyName: 'Consent',
        dateOfBirth: '2017-07-07',
        identifiers: { upn: 'R938214119010' },
      },
    ],
    household: { address: { lines: ['7 Consent Close'], postcode: 'EX7 7CC' } },
    presentingIssues: [{ code: '16A', label: 'Neglect' }],
    consent: { status: 'refused', reason: 'Mother declined when the DSL asked', lawfulBasis: 'statutory-function' },
  };

  it('consent refused: the plan is limited as policy says; a manager override is audited and asks the agencies held back', async () => {
    const contactId = await submit(hub, 'education', { ...refused, agencyReference: ref(hub, 'CPOMS') });
    const start = await rated((r) => r.contactId === contactId && r.stage === 'start');
    const allowed = london.consentLimits.refused;
    expect(start.checkPlan.length).toBeGreaterThan(0);
    for (const item of start.checkPlan) {
      expect(Object.keys(allowed)).toContain(item.agency);
      for (const c of item.categories) expect(allowed[item.agency]).toContain(c);
    }
    expect(start.reasons.join(' ')).toMatch(/Consent refused .*checks limited/);
    expect(start.lawfulBasis).toBe('statutory-function');

    // Only a decision maker, and only with a reason.
    expect(
      (
        await post(`/v1/cases/${start.caseId}/consent-override`, TEST_TOKENS.education, {
          recordedBy: { name: 'X', role: 'Y' },
          basis: 'section-47',
          reason: 'Because it is needed now',
        })
      ).status,
    ).toBe(403);
    const noReason = await post(`/v1/cases/${start.caseId}/consent-override`, TEST_TOKENS.manager, {
      recordedBy: { name: 'Sam Okafor', role: 'MASH team manager' },
      basis: 'section-47',
    });
    expect(noReason.status).toBe(422);
    expect(((await noReason.json()) as { errors: { path: string; rule: string }[] }).errors).toContainEqual(
      expect.objectContaining({ path: '/reason', rule: 'required' }),
    );

    const reason = 'Strategy discussion agreed a section 47 enquiry; health and school records are needed today.';
    const ok = await post(`/v1/cases/${start.caseId}/consent-override`, TEST_TOKENS.manager, {
      recordedBy: { name: 'Sam Okafor', role: 'MASH team manager' },
      basis: 'section-47',
      reason,
    });
    expect(ok.status).toBe(201);
    const { overrideId } = (await ok.json()) as { overrideId: string };

    const revised = await rated((r) => r.caseId === start.caseId && r.revision === 2);
    expect(revised).toMatchObject({ stage: 'start', lawfulBasis: 'section-47', rating: start.rating });
    const before = new Map(start.checkPlan.map((p) => [p.agency, p.categories]));
    for (const item of revised.checkPlan) {
      // Each item is a new agency or one that may now see more: nothing is asked twice.
      expect(!before.has(item.agency) || item.categories.some((c) => !before.get(item.agency)!.includes(c))).toBe(true);
    }
    expect(revised.checkPlan.map((p) => p.agency)).toEqual(expect.arrayContaining(['education']));
    // Recorded under the person who signed in, not the name in the body.
    expect(revised.reasons[0]).toContain(`${TEST_MANAGER.name} recorded sharing on the basis of section-47`);

    const audit = await db.query(`SELECT * FROM triage.consent_overrides WHERE case_id = $1`, [start.caseId]);
    expect(audit.rows).toHaveLength(1);
    // The free-text reason can quote the case: sealed at rest (the test hub runs on the demo keys).
    expect(isSealed(audit.rows[0].reason)).toBe(true);
    // So is the manager's name (a professional's personal data).
    expect(isSealed(audit.rows[0].recorded_by_name)).toBe(true);
    expect({
      ...audit.rows[0],
      reason: dataKeys().open(audit.rows[0].reason),
      recorded_by_name: dataKeys().open(audit.rows[0].recorded_by_name),
    }).toMatchObject({
      override_id: overrideId,
      recorded_by_name: TEST_MANAGER.name,
      principal: TEST_MANAGER.subject,
      basis: 'section-47',
      reason,
      revision: 2,
    });
    expect(audit.rows[0].plan_added.map((p: { agency: string }) => p.agency)).toEqual(revised.checkPlan.map((p) => p.agency));
  });

  it('re-rates on the fuller picture, keeps start, end and the decision with its reason, and counts them in the matrix', async () => {
    const contactId = await submit(hub, 'education', {
      ...refused,
      consent: { status: 'given' },
      agencyReference: ref(hub, 'CPOMS'),
      subjects: [{ subjectRef: 'c1', kind: 'child', givenName: 'Rhea', familyName: 'Rerate', dateOfBirth: '2016-06-06' }],
      household: { address: { lines: ['6 Matrix Mews'], postcode: 'EX6 6MM' } },
    });
    const start = await rated((r) => r.contactId === contactId && r.stage === 'start');
    expect(start.rating).toBe('GREEN');

    // Acting as the checks service: police and health report current involvement, police in domestic abuse.
    const ready: CaseReady = {
      caseId: start.caseId,
      readyAt: new Date().toISOString(),
      complete: true,
      reason: 'all-replied',
      replied: ['police', 'health'],
      missing: [],
      chronology: [
        { agency: 'police', date: '2026-10-01', category: 'domestic-abuse', summary: 'Call-out to the home.', current: true },
        { agency: 'health', date: '2026-10-02', category: 'health', summary: 'Seen in ED.', current: true },
      ],
    };
    await port.publish([{ topic: TOPICS.caseReady, key: start.caseId, data: ready }]);
    const end = await rated((r) => r.caseId === start.caseId && r.stage === 'end');
    expect(end).toMatchObject({ rating: 'AMBER', previousRating: 'GREEN' });
    expect(end.ruleIds).toEqual(expect.arrayContaining(['RR-CURRENT-HARM', 'RR-SEVERAL-AGENCIES-CURRENT']));
    expect(end.reasons.join(' ')).not.toContain('Call-out');

    // The gateway holds the case to the end rating: a different final rating needs a reason.
    const decide = (body: object) =>
      post(`/v1/cases/${start.caseId}/decision`, TEST_TOKENS.manager, {
        decisionMaker: { name: 'Sam Okafor', role: 'MASH team manager' },
        outcomes: ['early-help'],
        responsibleTeam: { name: 'Assessment Team 1', inHours: '01632 960 100' },
        ...body,
      });
    // Eventual, through two services' consumers: on a loaded 2-core machine (a just-started hub,
    // another run beside it) the gateway took more than 15 s to project the readiness here.
    await poll(
      async () =>
        (await db.query(`SELECT 1 FROM triage.cases WHERE case_id = $1 AND end_rating = 'AMBER'`, [start.caseId])).rowCount
          ? true
          : undefined,
      60000,
      'end rating stored',
    );
    await poll(
      async () => {
        const r = await decide({ finalRating: 'GREEN' });
        return r.status === 422 ? r : undefined;
      },
      60000,
      'gateway to know the end rating',
    );
    expect(
      (await decide({ finalRating: 'GREEN', ratingChangeReason: 'The police call-out was about a neighbour; mother engaging well.' }))
        .status,
    ).toBe(201);

    const row = await poll(
      async () => {
        const r = await db.query(
          `SELECT start_rating, end_rating, final_rating, rating_change_reason, decided_by FROM triage.cases WHERE case_id = $1`,
          [start.caseId],
        );
        return r.rows[0]?.final_rating ? r.rows[0] : undefined;
      },
      15000,
      'decision applied',
    );
    expect([isSealed(row.rating_change_reason), isSealed(row.decided_by)]).toEqual([true, true]);
    expect({
      ...row,
      rating_change_reason: dataKeys().open(row.rating_change_reason),
      decided_by: dataKeys().open(row.decided_by),
    }).toEqual({
      start_rating: 'GREEN',
      end_rating: 'AMBER',
      final_rating: 'GREEN',
      rating_change_reason: expect.stringContaining('neighbour'),
      decided_by: TEST_MANAGER.name,
    });
    const stages = await db.query(`SELECT stage, rating FROM triage.ratings WHERE case_id = $1 ORDER BY id`, [start.caseId]);
    expect(stages.rows).toEqual([
      { stage: 'start', rating: 'GREEN' },
      { stage: 'end', rating: 'AMBER' },
      { stage: 'decision', rating: 'GREEN' },
    ]);

    // The matrix needs the ops reader token: none, or a wrong one, is refused.
    const matrixUrl = `http://127.0.0.1:${hub.ports.triage}/ratings/matrix`;
    const unauthorised = await fetch(matrixUrl);
    expect(unauthorised.status).toBe(401);
    // Triage answers errors in the hub's one format too (RFC 9457), as every service does.
    expect(unauthorised.headers.get('content-type')).toContain('application/problem+json');
    expect(await unauthorised.json()).toMatchObject({ type: '/problems/unauthenticated', status: 401 });
    expect((await fetch(matrixUrl, { headers: { authorization: `Bearer ${TEST_TOKENS.ops}` } })).status).toBe(401);
    const matrix = (await (await fetch(matrixUrl, { headers: { authorization: 'Bearer demo-ratings-token' } })).json()) as {
      counts: Record<string, Record<string, number>>;
      escalated: number;
      reRated: number;
      escalationRate: number;
    };
    expect(matrix.counts.GREEN.AMBER).toBe(1);
    expect(matrix).toMatchObject({ reRated: 1, escalated: 1, escalationRate: 100 });
  }, 180000);

  it('refuses to start on an invalid policy, naming the field and the rule', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-'));
    const broken = JSON.parse(readFileSync(join(policiesDir, 'london.json'), 'utf8'));
    broken.ratings.RED.timescale.unit = 'fortnights';
    writeFileSync(join(dir, 'broken.json'), JSON.stringify(broken));
    const run = spawnSync(process.execPath, [join(root, 'scripts', 'launch.js'), 'apps/triage/src/main'], {
      env: { ...process.env, ...hub.env, MASH_POLICY: join(dir, 'broken.json'), TRIAGE_PORT: '0' },
      encoding: 'utf8',
      timeout: 30000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/failed to start.*broken\.json.*\/ratings\/RED\/timescale\/unit .*rule: enum/);
  });
});
