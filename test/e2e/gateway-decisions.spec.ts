import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { TOPICS } from '@mash/contracts';
import { validExamples } from '@mash/contracts/examples';
import { KafkaPort } from '@mash/messaging';
import { startTestHub, TEST_TOKENS, TestHub } from '../support/hub';
import { poll } from '../support/topics';

/**
 * The decision API's rules, on the real gateway process: a named decision maker only, outcomes the
 * locality policy allows, a reason for a changed rating, no decision before checks are complete
 * unless it is a recorded urgent override, and one decision per case.
 */
describe('decision API', () => {
  let hub: TestHub;
  let db: Client;
  const policyDir = mkdtempSync(join(tmpdir(), 'mash-policy-'));

  beforeAll(async () => {
    // A locality that does not use MARAC referrals as a MASH outcome.
    const london = JSON.parse(readFileSync(join(__dirname, '..', '..', 'policies', 'london.json'), 'utf8'));
    london.version = 'test-no-marac';
    london.decisionOutcomes = london.decisionOutcomes.filter((o: string) => o !== 'marac-referral');
    writeFileSync(join(policyDir, 'no-marac.json'), JSON.stringify(london));
    hub = await startTestHub([], { MASH_POLICY: join(policyDir, 'no-marac.json') }, { services: ['gateway'] });
    db = new Client({ connectionString: hub.env.DATABASE_URL });
    await db.connect();
  }, 120000);

  afterAll(async () => {
    await db?.end();
    await hub?.stop();
  }, 60000);

  /** A case as the gateway's projection holds it once triage and checks have spoken. */
  async function seedCase(caseId: string, ready: boolean) {
    const contactId = `CT-${caseId}`;
    await db.query(`INSERT INTO gateway.contacts (contact_id, source_agency, agency_reference, received_at, body) VALUES ($1, 'police', $2, now(), '{}')`, [contactId, `REF-${caseId}`]);
    await db.query(`INSERT INTO gateway.contact_status (contact_id, case_id, stage) VALUES ($1, $2, 'rated')`, [contactId, caseId]);
    await db.query(`INSERT INTO gateway.cases (case_id, contact_id, rating, policy_version, deadline, ready) VALUES ($1, $2, 'AMBER', 'test-no-marac', now() + interval '1 day', $3)`, [caseId, contactId, ready]);
  }

  const decide = (caseId: string, body: object, token = TEST_TOKENS.manager) =>
    fetch(`${hub.gatewayUrl}/v1/cases/${caseId}/decision`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

  const decision = {
    decisionMaker: { name: 'Sam Patel', role: 'MASH team manager' },
    outcomes: ['early-help'],
    finalRating: 'AMBER',
    responsibleTeam: { name: 'Early Help Hub North', inHours: '01234 567890' },
  };

  it('audits every read of case content and of quarantined input: who, what, when', async () => {
    await seedCase('CS-audit', true);
    const get = (path: string, token: string) => fetch(`${hub.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await get('/v1/cases/CS-audit', TEST_TOKENS.manager)).status).toBe(200);
    // An adapter may not read a case at all, and its refused attempt discloses nothing to audit.
    expect((await get('/v1/cases/CS-audit', TEST_TOKENS.police)).status).toBe(403);
    const refused = await decide('CS-audit', { ...decision, outcomes: ['marac-referral'] });
    const { quarantineId } = (await refused.json()) as { quarantineId: number };
    expect((await get(`/v1/ops/quarantine/${quarantineId}`, TEST_TOKENS.ops)).status).toBe(200);
    const { rows } = await db.query(`SELECT principal, action, case_id, detail FROM gateway.disclosure_audit WHERE case_id = 'CS-audit' OR action = 'read-quarantine' ORDER BY id`);
    expect(rows).toEqual([
      expect.objectContaining({ principal: 'mash-manager', action: 'read-case', case_id: 'CS-audit' }),
      expect.objectContaining({ principal: 'ops', action: 'read-quarantine', detail: { id: quarantineId } }),
    ]);
  });

  it('refuses outcomes the policy does not allow, naming the outcome', async () => {
    await seedCase('CS-policy', true);
    const res = await decide('CS-policy', { ...decision, outcomes: ['early-help', 'marac-referral'] });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { errors: { path: string; rule: string }[]; quarantineId: number };
    expect(body.errors).toEqual([expect.objectContaining({ path: '/outcomes/1', rule: 'policy' })]);
    expect(body.quarantineId).toBeGreaterThan(0);
  });

  it('needs a decision-maker credential', async () => {
    await seedCase('CS-cred', true);
    expect((await decide('CS-cred', decision, TEST_TOKENS.police)).status).toBe(403);
    expect((await decide('CS-cred', decision, 'not-a-token-at-all')).status).toBe(401);
  });

  it('refuses a changed rating without a reason and a decision before checks are complete without an urgent override', async () => {
    await seedCase('CS-rules', false);
    expect((await decide('CS-rules', decision)).status).toBe(409);
    expect((await decide('CS-rules', { ...decision, finalRating: 'RED', urgentOverride: { reason: 'Police report a weapon at the address tonight' } })).status).toBe(422);
    const ok = await decide('CS-rules', { ...decision, finalRating: 'RED', ratingChangeReason: 'Weapon reported tonight', urgentOverride: { reason: 'Police report a weapon at the address tonight' } });
    expect(ok.status).toBe(201);
    expect((await decide('CS-rules', decision)).status).toBe(409);
    const [row] = (await db.query(`SELECT count(*)::int AS n FROM gateway.decisions WHERE case_id = 'CS-rules'`)).rows;
    expect(row.n).toBe(1);
  });
});

describe('the picture after a decision', () => {
  let hub: TestHub;
  let db: Client;
  let port: KafkaPort;

  beforeAll(async () => {
    hub = await startTestHub([], {}, { services: ['gateway'] });
    db = new Client({ connectionString: hub.env.DATABASE_URL });
    await db.connect();
    port = new KafkaPort({ brokers: hub.env.KAFKA_BROKERS.split(','), clientId: 'test', prefix: hub.env.MASH_TOPIC_PREFIX });
  }, 120000);

  afterAll(async () => {
    await port?.close();
    await db?.end();
    await hub?.stop();
  }, 60000);

  it('updates the chronology from a later revision without taking a decided contact back to ready-for-decision', async () => {
    await db.query(`INSERT INTO gateway.contacts (contact_id, source_agency, agency_reference, received_at, body) VALUES ('CT-late', 'police', 'REF-late', now(), '{}')`);
    await db.query(`INSERT INTO gateway.contact_status (contact_id, case_id, stage) VALUES ('CT-late', 'CS-late', 'rated')`);
    await db.query(`INSERT INTO gateway.cases (case_id, contact_id, rating, policy_version, deadline, ready) VALUES ('CS-late', 'CT-late', 'AMBER', 'v', now() + interval '1 day', false)`);
    // An urgent decision before checks finished.
    const res = await fetch(`${hub.gatewayUrl}/v1/cases/CS-late/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKENS.manager}` },
      body: JSON.stringify({ decisionMaker: { name: 'Sam Patel', role: 'MASH team manager' }, outcomes: ['strategy-discussion'], finalRating: 'AMBER', responsibleTeam: { name: 'Assessment Team', inHours: '01234 567890' }, urgentOverride: { reason: 'Weapon reported at the address tonight' } }),
    });
    expect(res.status).toBe(201);
    await poll(async () => ((await db.query(`SELECT stage FROM gateway.contact_status WHERE contact_id = 'CT-late'`)).rows[0].stage === 'decided' ? true : undefined), 30000, 'decided');
    const picture = (revision: number, summary: string) => ({
      ...validExamples.caseReady, caseId: 'CS-late', revision, chronology: [{ agency: 'police', date: '2026-11-20', summary }],
    });
    await port.publish([
      { topic: TOPICS.caseReady, key: 'CS-late', data: picture(1, 'Incident attended') },
      { topic: TOPICS.caseReady, key: 'CS-late', data: picture(2, 'Late police entry') },
    ]);
    await poll(async () => {
      const [c] = (await db.query(`SELECT chronology FROM gateway.cases WHERE case_id = 'CS-late'`)).rows;
      return c.chronology.some((e: { summary: string }) => e.summary === 'Late police entry') ? true : undefined;
    }, 30000, 'the revised chronology');
    const [s] = (await db.query(`SELECT stage FROM gateway.contact_status WHERE contact_id = 'CT-late'`)).rows;
    expect(s.stage).toBe('decided');
  }, 90000);
});
