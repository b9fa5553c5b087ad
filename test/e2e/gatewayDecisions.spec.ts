import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { openJsonb } from '@mash/at-rest';
import { TOPICS } from '@mash/contracts';
import { validExamples } from '@mash/contracts/examples';
import { KafkaPort } from '@mash/messaging';
import { startTestHub, TEST_MANAGER, TEST_TOKENS, TestHub } from '../support/hub';
import { signIn, startTestIdentity } from '../support/identity';
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
    await db.query(
      `INSERT INTO gateway.contacts (contact_id, source_agency, agency_reference, received_at, body) VALUES ($1, 'police', $2, now(), '{}')`,
      [contactId, `REF-${caseId}`],
    );
    await db.query(`INSERT INTO gateway.contact_status (contact_id, case_id, stage) VALUES ($1, $2, 'rated')`, [contactId, caseId]);
    await db.query(
      `INSERT INTO gateway.cases (case_id, contact_id, rating, policy_version, deadline, ready) VALUES ($1, $2, 'AMBER', 'test-no-marac', now() + interval '1 day', $3)`,
      [caseId, contactId, ready],
    );
  }

  const decide = (caseId: string, body: object, token = TEST_TOKENS.manager) =>
    fetch(`${hub.gatewayUrl}/v1/cases/${caseId}/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });

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
    // An adapter may not read a case at all: its refused attempt discloses nothing and is audited as refused.
    expect((await get('/v1/cases/CS-audit', TEST_TOKENS.police)).status).toBe(403);
    const refused = await decide('CS-audit', { ...decision, outcomes: ['marac-referral'] });
    const { quarantineId } = (await refused.json()) as { quarantineId: number };
    expect((await get(`/v1/ops/quarantine/${quarantineId}`, TEST_TOKENS.ops)).status).toBe(200);
    const { rows } = await db.query(
      `SELECT principal, action, case_id, detail FROM gateway.disclosure_audit WHERE case_id = 'CS-audit' OR action = 'read-quarantine' ORDER BY at, id`,
    );
    expect(rows).toEqual([
      expect.objectContaining({ principal: TEST_MANAGER.subject, action: 'read-case', case_id: 'CS-audit' }),
      // A refused read is kept too, with who tried and why.
      expect.objectContaining({
        principal: 'police',
        action: 'access-refused',
        case_id: 'CS-audit',
        detail: expect.objectContaining({ status: 403 }),
      }),
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

  it('stamps the decision after the case lock: never before the readiness it waited for', async () => {
    await seedCase('CS-wait', false);
    const checks = new Client({ connectionString: hub.env.DATABASE_URL });
    await checks.connect();
    try {
      // The projection holds the case (readiness being recorded) while the decision arrives.
      await checks.query('BEGIN');
      await checks.query(`SELECT 1 FROM gateway.cases WHERE case_id = 'CS-wait' FOR UPDATE`);
      const pending = decide('CS-wait', decision);
      await new Promise((r) => setTimeout(r, 500));
      await checks.query(`UPDATE gateway.cases SET ready = true, ready_at = clock_timestamp() WHERE case_id = 'CS-wait'`);
      await checks.query('COMMIT');
      const res = await pending;
      expect(res.status).toBe(201);
      const { decidedAt } = (await res.json()) as { decidedAt: string };
      const [c] = (await db.query(`SELECT ready_at FROM gateway.cases WHERE case_id = 'CS-wait'`)).rows;
      expect(Date.parse(decidedAt)).toBeGreaterThanOrEqual(c.ready_at.getTime());
      // Sealed at rest: opened with the same (demo) keyring the hub runs with.
      const [d] = (await db.query(`SELECT body FROM gateway.decisions WHERE case_id = 'CS-wait'`)).rows;
      expect(openJsonb<{ decidedAt: string }>(d.body).decidedAt).toBe(decidedAt);
    } finally {
      await checks.end();
    }
  });

  it('needs a decision-maker credential', async () => {
    await seedCase('CS-cred', true);
    expect((await decide('CS-cred', decision, TEST_TOKENS.police)).status).toBe(403);
    expect((await decide('CS-cred', decision, 'not-a-token-at-all')).status).toBe(401);
  });

  it('records the person who signed in as the decision maker, whatever the body names', async () => {
    await seedCase('CS-person', true);
    const res = await decide('CS-person', { ...decision, decisionMaker: { name: 'Somebody Else', role: 'typed in' } });
    expect(res.status).toBe(201);
    const [stored] = (await db.query(`SELECT recorded_by, body FROM gateway.decisions WHERE case_id = 'CS-person'`)).rows;
    const row = { recorded_by: stored.recorded_by, maker: openJsonb<{ decisionMaker: unknown }>(stored.body).decisionMaker };
    expect(row).toEqual({
      recorded_by: TEST_MANAGER.subject,
      maker: { name: TEST_MANAGER.name, role: 'decision-maker', subject: TEST_MANAGER.subject },
    });
  });

  it('refuses a person without the decision-maker role, a token from another identity provider and a tampered token, and audits each', async () => {
    await seedCase('CS-people', true);
    const idp = hub.identity;
    const ops = (await signIn(idp, 'ops-priya.nair', 'demo-priya')).accessToken;
    const other = await startTestIdentity();
    try {
      const elsewhere = (await signIn(other, TEST_MANAGER.subject, TEST_MANAGER.password)).accessToken;
      const [h, p, sig] = TEST_TOKENS.manager.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'dm-tom.okafor' })).toString('base64url')}.${sig}`;
      const started = new Date();
      expect((await decide('CS-people', decision, ops)).status).toBe(403);
      expect((await decide('CS-people', decision, elsewhere)).status).toBe(401);
      expect((await decide('CS-people', decision, tampered)).status).toBe(401);
      const { rows } = await db.query(
        `SELECT principal, credential, status, reason FROM gateway.access_refusals WHERE at >= $1 AND route = '/v1/cases/:caseId/decision' ORDER BY id`,
        [started],
      );
      expect(rows).toEqual([
        {
          principal: 'ops-priya.nair',
          credential: 'valid',
          status: 403,
          reason: 'this needs the decision-maker role; ops-priya.nair has the ops role',
        },
        { principal: null, credential: 'unknown', status: 401, reason: 'the token is not signed by the configured identity provider' },
        { principal: null, credential: 'unknown', status: 401, reason: 'the token is not signed by the configured identity provider' },
      ]);
      expect((await db.query(`SELECT count(*)::int AS n FROM gateway.decisions WHERE case_id = 'CS-people'`)).rows[0].n).toBe(0);
    } finally {
      await other.stop();
    }
  }, 90000);

  it('refuses a changed rating without a reason and a decision before checks are complete without an urgent override', async () => {
    await seedCase('CS-rules', false);
    expect((await decide('CS-rules', decision)).status).toBe(409);
    expect(
      (
        await decide('CS-rules', {
          ...decision,
          finalRating: 'RED',
          urgentOverride: { reason: 'Police report a weapon at the address tonight' },
        })
      ).status,
    ).toBe(422);
    const ok = await decide('CS-rules', {
      ...decision,
      finalRating: 'RED',
      ratingChangeReason: 'Weapon reported tonight',
      urgentOverride: { reason: 'Police report a weapon at the address tonight' },
    });
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
    await db.query(
      `INSERT INTO gateway.contacts (contact_id, source_agency, agency_reference, received_at, body) VALUES ('CT-late', 'police', 'REF-late', now(), '{}')`,
    );
    await db.query(`INSERT INTO gateway.contact_status (contact_id, case_id, stage) VALUES ('CT-late', 'CS-late', 'rated')`);
    await db.query(
      `INSERT INTO gateway.cases (case_id, contact_id, rating, policy_version, deadline, ready) VALUES ('CS-late', 'CT-late', 'AMBER', 'v', now() + interval '1 day', false)`,
    );
    // An urgent decision before checks finished.
    const res = await fetch(`${hub.gatewayUrl}/v1/cases/CS-late/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKENS.manager}` },
      body: JSON.stringify({
        decisionMaker: { name: 'Sam Patel', role: 'MASH team manager' },
        outcomes: ['strategy-discussion'],
        finalRating: 'AMBER',
        responsibleTeam: { name: 'Assessment Team', inHours: '01234 567890' },
        urgentOverride: { reason: 'Weapon reported at the address tonight' },
      }),
    });
    expect(res.status).toBe(201);
    await poll(
      async () =>
        (await db.query(`SELECT stage FROM gateway.contact_status WHERE contact_id = 'CT-late'`)).rows[0].stage === 'decided'
          ? true
          : undefined,
      30000,
      'decided',
    );
    const picture = (revision: number, summary: string) => ({
      ...validExamples.caseReady,
      caseId: 'CS-late',
      revision,
      chronology: [{ agency: 'police', date: '2026-11-20', summary }],
    });
    await port.publish([
      { topic: TOPICS.caseReady, key: 'CS-late', data: picture(1, 'Incident attended') },
      { topic: TOPICS.caseReady, key: 'CS-late', data: picture(2, 'Late police entry') },
    ]);
    await poll(
      async () => {
        const [c] = (await db.query(`SELECT chronology FROM gateway.cases WHERE case_id = 'CS-late'`)).rows;
        return openJsonb<{ summary: string }[]>(c.chronology).some((e) => e.summary === 'Late police entry') ? true : undefined;
      },
      30000,
      'the revised chronology',
    );
    const [s] = (await db.query(`SELECT stage FROM gateway.contact_status WHERE contact_id = 'CT-late'`)).rows;
    expect(s.stage).toBe('decided');
  }, 90000);
});
