import { request } from 'node:http';
import { Client } from 'pg';
import type { Bundle, CapabilityStatement, OperationOutcome } from '@medplum/fhirtypes';
import { CaseRated, CaseReady, Contact, TeamsAlerted, TOPICS } from '@mash/contracts';
import { KafkaPort, messagingConfigFromEnv } from '@mash/messaging';
import { poll } from '../support/topics';
import { loadCodeMap, shippedPolicy } from '@mash/policy';
import { consentResource, ukCoreReferral } from '../../apps/adapters/health/src/testing/ukCoreReferral';
import { ADAPTER_CLIENT_AUTH, METRICS_AUTH, startTestHub, TEST_TOKENS, TestHub } from '../support/hub';
import { freePort } from '../support/ports';
import { TopicWatcher } from '../support/topics';
import { openJsonb } from '@mash/at-rest';

const london = shippedPolicy('london');
const AGENCIES = ['police', 'health', 'education', 'contact-centre'] as const;

/**
 * FHIR as NHS systems send it, through the real health adapter process, gateway and triage: UK
 * Core bundles built from the FHIR types, a standard Consent (permit or deny), SNOMED CT findings.
 * And every adapter holding the gateway's limits (size, depth, rate) with an HTTP answer each time.
 */
describe('health adapter: UK Core FHIR end to end; every adapter holds the front door limits', () => {
  let hub: TestHub;
  let watcher: TopicWatcher;
  let db: Client;
  let port: KafkaPort;
  const url: Record<string, string> = {};
  let n = 0;

  beforeAll(async () => {
    hub = await startTestHub([], {}, { services: ['gateway', 'triage'] });
    const adapters = [
      { name: 'adapter-health', agency: 'health', env: {} as Record<string, string> },
      // Limit instances: a small burst so the rate limit is reached in a few requests.
      ...AGENCIES.map((agency) => ({
        name: `limits-${agency}`,
        agency,
        env: { ADAPTER_RATE_LIMIT_BURST: '6', ADAPTER_RATE_LIMIT_PER_SEC: '0.01' },
      })),
    ];
    await Promise.all(adapters.map(async (a) => (hub.ports[a.name] = await freePort())));
    await Promise.all(
      adapters.map((a) => {
        url[a.name] = `http://127.0.0.1:${hub.ports[a.name]}`;
        const env = {
          ...a.env,
          ADAPTER_TOKEN: TEST_TOKENS[a.agency as keyof typeof TEST_TOKENS],
          ADAPTER_REJECT_LOG: 'off',
          ADAPTER_PORT: String(hub.ports[a.name]),
        };
        return hub.start({ name: a.name, entry: `apps/adapters/${a.agency}/src/main`, principal: `adapter-${a.agency}`, env });
      }),
    );
    watcher = new TopicWatcher(hub.env.KAFKA_BROKERS, hub.env.MASH_TOPIC_PREFIX);
    await watcher.watch([TOPICS.caseRated, TOPICS.teamsAlerted]);
    db = new Client({ connectionString: hub.env.DATABASE_URL });
    await db.connect();
    port = new KafkaPort(messagingConfigFromEnv('test-checks', hub.env));
  }, 150000);

  afterAll(async () => {
    await port?.close();
    await db?.end();
    await watcher?.stop();
    await hub?.stop();
  }, 60000);

  /** A baby's birth date about five months before today, so she is under one on the hub's clock. */
  const babyBorn = () => new Date(Date.now() - 150 * 86400_000).toISOString().slice(0, 10);
  const post = async (adapter: string, body: unknown) => {
    const res = await fetch(`${url[adapter]}/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', ...ADAPTER_CLIENT_AUTH },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, contentType: res.headers.get('content-type'), body: (await res.json()) as any };
  };
  const referral = (o: Parameters<typeof ukCoreReferral>[0]): Bundle =>
    ukCoreReferral({ reference: `REF-${hub.runId}-${++n}`, birthDate: babyBorn(), authoredOn: new Date().toISOString(), ...o });
  const rated = async (contactId: string) =>
    (
      await watcher.waitFor<CaseRated>(
        (e) => e.topic === TOPICS.caseRated && e.envelope.data.contactId === contactId && e.envelope.data.stage === 'start',
        30000,
      )
    ).envelope.data;
  const gatewayContacts = async () => (await db.query(`SELECT count(*)::int AS n FROM gateway.contacts`)).rows[0].n as number;

  it('SNOMED CT coded bruising on a baby who is not yet mobile, Consent permit: Red, teams alerted', async () => {
    const bundle = referral({
      consent: 'permit',
      findings: [
        { code: '125667009', display: 'Contusion (disorder)', note: 'Bruise on the cheek of a five-month-old who is not yet rolling.' },
      ],
    });
    const r = await post('adapter-health', bundle);
    expect(r.status).toBe(202);
    const start = await rated(r.body.contactId);
    expect(start.rating).toBe('RED');
    expect(start.ruleIds[0]).toBe('R-INFANT-INJURY');
    expect(start.lawfulBasis).toBe('consent');
    const alert = await watcher.waitFor<TeamsAlerted>(
      (e) => e.topic === TOPICS.teamsAlerted && e.envelope.data.contactId === r.body.contactId,
      15000,
    );
    expect(alert.envelope.data).toMatchObject({ caseId: start.caseId, teams: london.redAlert.teams });
    // The sender's own code travels with the contact, for the decision maker to read.
    const { rows } = await db.query(`SELECT body FROM gateway.contacts WHERE contact_id = $1`, [r.body.contactId]);
    expect(openJsonb<Contact>(rows[0].body).presentingIssues).toEqual([
      {
        code: '18C',
        label: 'Contusion (disorder)',
        coding: { system: 'http://snomed.info/sct', code: '125667009', display: 'Contusion (disorder)' },
      },
    ]);

    // Acting as the checks service: the picture is complete, triage rates the end of checks.
    const ready: CaseReady = {
      caseId: start.caseId,
      readyAt: new Date().toISOString(),
      complete: true,
      reason: 'all-replied',
      replied: ['health'],
      missing: [],
      chronology: [],
    };
    await port.publish([{ topic: TOPICS.caseReady, key: start.caseId, data: ready }]);
    const end = (
      await watcher.waitFor<CaseRated>(
        (e) => e.topic === TOPICS.caseRated && e.envelope.data.caseId === start.caseId && e.envelope.data.stage === 'end',
        30000,
      )
    ).envelope.data;

    // The decision maker's picture: who the case is about, and the rating's rules and reasons at start and end.
    const picture = await poll(
      async () => {
        const res = await fetch(`${hub.gatewayUrl}/v1/cases/${start.caseId}`, {
          headers: { authorization: `Bearer ${TEST_TOKENS.manager}` },
        });
        const body = (await res.json()) as any;
        return body.ratingEnd ? body : undefined;
      },
      20000,
      'case picture with the end rating',
    );
    expect(picture.subjects.children).toEqual([
      expect.objectContaining({
        contactId: r.body.contactId,
        kind: 'child',
        role: 'subject',
        givenName: 'Ivy',
        identifiers: { nhsNumber: '9434765919' },
      }),
    ]);
    expect(picture.subjects.adults).toEqual([
      expect.objectContaining({ contactId: r.body.contactId, kind: 'adult', role: 'parent-carer', givenName: 'Mae' }),
    ]);
    expect(picture.subjects.households).toEqual([
      expect.objectContaining({
        contactId: r.body.contactId,
        address: expect.objectContaining({ postcode: 'EX3 4CD' }),
        relationships: [{ from: 'mother-1', to: 'child-1', type: 'parent' }],
      }),
    ]);
    expect(picture.presentingIssues).toEqual([
      expect.objectContaining({ code: '18C', coding: expect.objectContaining({ code: '125667009' }) }),
    ]);
    expect(picture.ratingStart).toEqual({
      rating: 'RED',
      ruleIds: start.ruleIds,
      reasons: start.reasons,
      policyVersion: start.policyVersion,
      ratedAt: start.ratedAt,
    });
    expect(picture.ratingEnd).toEqual({
      rating: end.rating,
      ruleIds: end.ruleIds,
      reasons: end.reasons,
      policyVersion: end.policyVersion,
      ratedAt: end.ratedAt,
    });
    expect(picture.ratingStart.reasons[0]).toBe(london.thresholds.rules.find((x) => x.id === 'R-INFANT-INJURY')!.reason);
  });

  it('Consent deny is accepted, recorded as refused, and limits the checks to what the policy allows', async () => {
    const r = await post(
      'adapter-health',
      referral({
        consent: 'deny',
        findings: [{ code: '248062006', display: 'Self-injurious behavior (finding)' }],
        birthDate: '2012-02-02',
      }),
    );
    expect(r.status).toBe(202);
    const start = await rated(r.body.contactId);
    const { rows } = await db.query(`SELECT body FROM gateway.contacts WHERE contact_id = $1`, [r.body.contactId]);
    expect(openJsonb<Contact>(rows[0].body).consent).toMatchObject({ status: 'refused', lawfulBasis: 'statutory-function' });
    expect(start.lawfulBasis).toBe('statutory-function');
    const allowed = london.consentLimits.refused;
    for (const item of start.checkPlan) {
      expect(Object.keys(allowed)).toContain(item.agency);
      for (const c of item.categories) expect(allowed[item.agency]).toContain(c);
    }
    expect(start.reasons.join(' ')).toMatch(/Consent refused .*checks limited/);
  });

  it('a bundle with no consent answer is refused with an OperationOutcome naming the location; nothing reaches the hub', async () => {
    const before = await gatewayContacts();
    const r = await post(
      'adapter-health',
      referral({
        consent: consentResource('permit', { status: 'draft' }),
        findings: [{ code: '125605004', display: 'Fracture of bone (disorder)' }],
      }),
    );
    expect(r.status).toBe(422);
    expect(r.contentType).toMatch(/^application\/fhir\+json/);
    const outcome = r.body as OperationOutcome;
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue).toEqual([
      expect.objectContaining({ severity: 'error', code: 'required', expression: ['Bundle.entry[1].resource.extension'] }),
    ]);
    expect(await gatewayContacts()).toBe(before);
  });

  it('a SNOMED CT code with no mapping is kept, shown in the rating reasons and counted at the adapter', async () => {
    const r = await post(
      'adapter-health',
      referral({
        consent: 'permit',
        birthDate: '2014-05-05',
        findings: [{ code: '22298006', display: 'Myocardial infarction (disorder)' }],
      }),
    );
    expect(r.status).toBe(202);
    const start = await rated(r.body.contactId);
    expect(start.reasons).toContain(
      `Code 22298006 (Myocardial infarction (disorder)) from http://snomed.info/sct has no mapping in code map ${loadCodeMap().version}: no rule counted it, read it yourself.`,
    );
    const metrics = await (await fetch(`${url['adapter-health']}/metrics`, { headers: METRICS_AUTH })).text();
    expect(metrics).toContain('mash_adapter_unmapped_codes_total{agency="health",system="http://snomed.info/sct"} 1');
  });

  it('the same bundle sent five times at once is one contact', async () => {
    const bundle = referral({ consent: 'permit', findings: [{ code: '125605004', display: 'Fracture of bone (disorder)' }] });
    const answers = await Promise.all(Array.from({ length: 5 }, () => post('adapter-health', bundle)));
    expect(answers.every((a) => a.status === 202 || a.status === 200)).toBe(true);
    expect(new Set(answers.map((a) => a.body.contactId)).size).toBe(1);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM gateway.contacts WHERE agency_reference = $1`, [
      answers[0].body.agencyReference,
    ]);
    expect(rows[0].n).toBe(1);
  });

  it('serves its capability statement with both message events at GET /metadata', async () => {
    const res = await fetch(`${url['adapter-health']}/metadata`);
    expect(res.status).toBe(200);
    const cs = (await res.json()) as CapabilityStatement;
    expect(cs.resourceType).toBe('CapabilityStatement');
    expect(cs.messaging?.[0].supportedMessage?.map((m) => m.definition)).toContain(
      'https://fhir.nhs.uk/CodeSystem/message-events-bars|servicerequest-request',
    );
  });

  /** A raw POST that reports a reset connection as such rather than throwing it away. */
  const rawPost = (adapter: string, body: Buffer) =>
    new Promise<{ status?: number; text?: string; reset?: string }>((resolve) => {
      const u = new URL(`${url[adapter]}/records`);
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': body.length, ...ADAPTER_CLIENT_AUTH },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode, text }));
          res.on('error', (err) => resolve({ reset: String(err) }));
        },
      );
      req.on('error', (err) => resolve({ reset: String(err) }));
      req.end(body);
    });

  it.each(AGENCIES)(
    '%s adapter: 413 naming the limit on a 3 MiB body, 422 on JSON nested too deep, 429 past its rate; never a reset connection',
    async (agency) => {
      const adapter = `limits-${agency}`;
      const big = await rawPost(adapter, Buffer.from(JSON.stringify({ filler: 'x'.repeat(3 * 1024 * 1024) })));
      expect(big.reset).toBeUndefined();
      expect(big.status).toBe(413);
      expect(big.text).toContain('2 MiB');

      const deep = await rawPost(adapter, Buffer.from(`${'['.repeat(5000)}${']'.repeat(5000)}`));
      expect(deep.status).toBe(422);
      expect(JSON.parse(deep.text!)).toMatchObject(
        agency === 'health'
          ? { issue: [expect.objectContaining({ code: 'too-costly' })] }
          : { errors: [expect.objectContaining({ rule: 'maxDepth' })] },
      );

      const answers = [];
      for (let i = 0; i < 8; i++) answers.push(await rawPost(adapter, Buffer.from('{}')));
      expect(answers.every((a) => a.reset === undefined)).toBe(true);
      expect(answers.map((a) => a.status)).toContain(429);
      expect(answers.filter((a) => a.status !== 429).every((a) => a.status === 422)).toBe(true);
    },
  );
});
