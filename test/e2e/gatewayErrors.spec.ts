import { Contact } from '@mash/contracts';
import { exampleContact } from '@mash/contracts/examples';
import { startTestHub, TEST_TOKENS, TestHub } from '../support/hub';

/**
 * Every way the front door says no, over HTTP against the real gateway process: each answer names
 * the reason (and every field error with its path and rule), and each refused body is in quarantine.
 */
describe('the gateway refuses by name', () => {
  let hub: TestHub;
  let n = 0;

  beforeAll(async () => {
    // A low flood limit, spent only by the flood test (the bucket is per adapter).
    hub = await startTestHub([], { MASH_RATE_LIMIT_PER_SEC: '2', MASH_RATE_LIMIT_BURST: '20' }, { services: ['gateway'] });
  }, 120000);

  afterAll(async () => {
    await hub?.stop();
  }, 60000);

  const contact = (change: (c: any) => void = () => undefined): Contact => {
    const c: any = structuredClone(exampleContact);
    c.agencyReference = `ERR-${hub.runId}-${++n}`;
    change(c);
    return c;
  };
  const post = async (agency: string, token: string | undefined, body: unknown) => {
    const res = await fetch(`${hub.gatewayUrl}/v1/agencies/${agency}/contacts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const answer = (await res.json()) as any;
    // One error format: every refusal is an RFC 9457 problem document of its status.
    if (res.status >= 400) {
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer).toMatchObject({
        type: expect.stringMatching(/^\/problems\/[a-z-]+$/),
        title: expect.any(String),
        status: res.status,
        detail: expect.any(String),
        errors: expect.arrayContaining([]),
      });
    }
    return { status: res.status, headers: res.headers, body: answer };
  };
  const quarantined = async (id: number) =>
    (await (
      await fetch(`${hub.gatewayUrl}/v1/ops/quarantine/${id}`, { headers: { authorization: `Bearer ${TEST_TOKENS.ops}` } })
    ).json()) as any;
  const pathsAndRules = (body: any) => (body.errors as { path: string; rule: string }[]).map((e) => `${e.path} ${e.rule}`);

  it('accepts a contact at once: contact id, received time, next steps and the timescales from policy', async () => {
    const r = await post('police', TEST_TOKENS.police, contact());
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({
      contactId: expect.stringMatching(/^CT-/),
      status: 'accepted',
      statusUrl: `/v1/contacts/${r.body.contactId}`,
      policyVersion: 'london-2025.1',
    });
    expect(Date.parse(r.body.receivedAt)).toBeGreaterThan(Date.now() - 60000);
    expect(r.body.nextSteps).toMatch(/decide/);
    expect(r.body.timescales).toMatchObject({
      RED: expect.stringMatching(/^4 hours, day and night/),
      AMBER: '1 working day',
      GREEN: '3 working days',
    });
  });

  it('keeps one contact per agency reference: the second submission is 200 with the same id', async () => {
    const c = contact();
    const first = await post('police', TEST_TOKENS.police, c);
    const again = await post('police', TEST_TOKENS.police, { ...c, narrative: 'A resend with other words.' });
    expect([first.status, again.status]).toEqual([202, 200]);
    expect(again.body).toMatchObject({ contactId: first.body.contactId, status: 'already-received', receivedAt: first.body.receivedAt });
  });

  it("shows a contact's status to the adapter that sent it, and to no other", async () => {
    const { body } = await post('police', TEST_TOKENS.police, contact());
    const mine = await fetch(`${hub.gatewayUrl}/v1/contacts/${body.contactId}`, {
      headers: { authorization: `Bearer ${TEST_TOKENS.police}` },
    });
    expect(mine.status).toBe(200);
    expect(await mine.json()).toMatchObject({
      contactId: body.contactId,
      stage: 'received',
      history: [expect.objectContaining({ stage: 'received' })],
    });
    const theirs = await fetch(`${hub.gatewayUrl}/v1/contacts/${body.contactId}`, {
      headers: { authorization: `Bearer ${TEST_TOKENS.health}` },
    });
    expect(theirs.status).toBe(404);
    expect((await fetch(`${hub.gatewayUrl}/v1/contacts/${body.contactId}`)).status).toBe(401);
  });

  it('answers with the same problem document where Nest raises the error: unknown contact, wrong role, no credential, unknown route', async () => {
    const get = async (path: string, token?: string) => {
      const res = await fetch(`${hub.gatewayUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as any };
    };
    const cases = [
      {
        r: await get('/v1/contacts/CT-does-not-exist', TEST_TOKENS.police),
        status: 404,
        type: '/problems/not-found',
        detail: "no contact 'CT-does-not-exist' for police",
        instance: '/v1/contacts/CT-does-not-exist',
      },
      {
        r: await get('/v1/ops/quarantine', TEST_TOKENS.police),
        status: 403,
        type: '/problems/forbidden',
        detail: 'this needs the ops role; police has the adapter role',
        instance: '/v1/ops/quarantine',
      },
      {
        r: await get('/v1/contacts/CT-x'),
        status: 401,
        type: '/problems/unauthenticated',
        detail: 'a valid credential is required',
        instance: '/v1/contacts/CT-x',
      },
      {
        r: await get('/v1/no-such-route?q=1'),
        status: 404,
        type: '/problems/not-found',
        detail: 'Cannot GET /v1/no-such-route?q=1',
        instance: '/v1/no-such-route',
      },
    ];
    for (const c of cases) {
      expect(c.r.status).toBe(c.status);
      expect(c.r.type).toMatch(/^application\/problem\+json/);
      // Exactly the problem members: Nest's own {message, error, statusCode} must not leak through.
      expect(c.r.body).toEqual({
        type: c.type,
        title: expect.any(String),
        status: c.status,
        detail: c.detail,
        instance: c.instance,
        errors: [],
      });
    }
    // Each problem type is dereferenceable under the gateway.
    const about = await get('/problems/not-found');
    expect(about.status).toBe(200);
    expect(about.body).toMatchObject({ type: '/problems/not-found', status: 404, title: 'Not found' });
  });

  it('404: an agency it does not know', async () => {
    const r = await post('fire-brigade', TEST_TOKENS.police, contact());
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ type: '/problems/not-found', detail: expect.stringMatching(/unknown agency 'fire-brigade'/) });
    expect(await quarantined(r.body.quarantineId)).toMatchObject({ status: 404, sender: 'unknown' });
  });

  it('401: no credential, or one it does not know', async () => {
    for (const token of [undefined, 'not-a-real-token-at-all']) {
      const r = await post('police', token, contact());
      expect(r.status).toBe(401);
      expect(await quarantined(r.body.quarantineId)).toMatchObject({ status: 401, sender: 'unauthenticated:police' });
    }
    // A decision maker's credential is not an adapter's.
    expect((await post('police', TEST_TOKENS.manager, contact())).status).toBe(401);
  });

  it('403: an adapter submitting as another agency', async () => {
    const r = await post('health', TEST_TOKENS.police, contact());
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ type: '/problems/forbidden', detail: 'the police adapter may submit only as police' });
    expect(await quarantined(r.body.quarantineId)).toMatchObject({ status: 403, sender: 'police' });
  });

  it('413: a body over the size limit, kept as a note of its size', async () => {
    const r = await post(
      'police',
      TEST_TOKENS.police,
      contact((c) => (c.narrative = 'x'.repeat(1_200_000))),
    );
    expect(r.status).toBe(413);
    expect(r.body.type).toBe('/problems/body-too-large');
    const row = await quarantined(r.body.quarantineId);
    expect(row).toMatchObject({ status: 413, sender: 'unverified:police' });
    expect(row.raw).toMatch(/bytes not kept/);
  });

  it('422: every field error at once, each with its path and rule', async () => {
    const r = await post(
      'police',
      TEST_TOKENS.police,
      contact((c) => {
        delete c.narrative;
        c.urgency = 'URGENT';
        c.subjects[0].identifiers = { nhsNumber: '9434765918' };
        c.subjects[0].dateOfBirth = '2019-02-30';
        c.riskScore = 99;
        c.presentingIssues = [];
      }),
    );
    expect(r.status).toBe(422);
    expect(r.body.type).toBe('/problems/invalid-fields');
    expect(pathsAndRules(r.body)).toEqual(
      expect.arrayContaining([
        '/narrative required',
        '/urgency enum',
        '/subjects/0/identifiers/nhsNumber format',
        '/subjects/0/dateOfBirth format',
        '/riskScore additionalProperties',
        '/presentingIssues minItems',
      ]),
    );
    for (const e of r.body.errors) expect(e.message.length).toBeGreaterThan(3);
    const row = await quarantined(r.body.quarantineId);
    expect(row.errors).toEqual(r.body.errors);
    expect(JSON.parse(row.raw).riskScore).toBe(99);
  });

  it('422: no consent answer, or consent not given without a reason, is refused', async () => {
    const none = await post(
      'police',
      TEST_TOKENS.police,
      contact((c) => delete c.consent),
    );
    expect(none.status).toBe(422);
    expect(pathsAndRules(none.body)).toContain('/consent required');
    const bare = await post(
      'police',
      TEST_TOKENS.police,
      contact((c) => (c.consent = { status: 'refused' })),
    );
    expect(bare.status).toBe(422);
    expect(pathsAndRules(bare.body)).toEqual(expect.arrayContaining(['/consent/reason required', '/consent/lawfulBasis required']));
  });

  it('422: an anonymous referrer who gives a name, in words a person understands', async () => {
    const r = await post(
      'police',
      TEST_TOKENS.police,
      contact((c) => (c.referrer = { source: '9', name: 'Sue', channel: { kind: 'none', reason: 'anonymous' } })),
    );
    expect(r.status).toBe(422);
    expect(r.body.errors).toContainEqual({
      path: '/referrer/name',
      rule: 'false schema',
      message: 'must be left out: an anonymous referrer (source 9) gives no name or phone',
    });
    expect(JSON.stringify(r.body)).not.toContain('boolean schema');
  });

  it('422 maxDepth: nesting far deeper than any contact, named with its path', async () => {
    const body = JSON.stringify({ ...contact(), subjects: '__NEST__' }).replace('"__NEST__"', '['.repeat(50_000) + ']'.repeat(50_000));
    const r = await post('police', TEST_TOKENS.police, body);
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ rule: 'maxDepth', path: expect.stringMatching(/^\/subjects\/0\/0\//) })]);
  });

  it('400: broken JSON, kept exactly as it came', async () => {
    const text = JSON.stringify(contact()).slice(0, 120);
    const r = await post('police', TEST_TOKENS.police, text);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ type: '/problems/unreadable-body', detail: expect.stringMatching(/not valid JSON/) });
    expect((await quarantined(r.body.quarantineId)).raw).toBe(text);
  });

  it('429 with Retry-After when one adapter floods, the others unaffected, every refusal quarantined', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, () => post('education', TEST_TOKENS.education, contact())));
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(10);
    expect(limited[0].headers.get('retry-after')).toMatch(/^\d+$/);
    for (const r of limited.slice(0, 3)) expect(await quarantined(r.body.quarantineId)).toMatchObject({ status: 429, sender: 'education' });
    expect((await post('health', TEST_TOKENS.health, contact())).status).toBe(202);
  });

  it('lets only ops read the quarantine', async () => {
    expect(
      (await fetch(`${hub.gatewayUrl}/v1/ops/quarantine`, { headers: { authorization: `Bearer ${TEST_TOKENS.police}` } })).status,
    ).toBe(403);
    const list = (await (
      await fetch(`${hub.gatewayUrl}/v1/ops/quarantine`, { headers: { authorization: `Bearer ${TEST_TOKENS.ops}` } })
    ).json()) as any[];
    expect(list.length).toBeGreaterThan(5);
    expect(list[0]).not.toHaveProperty('raw');
  });

  it('publishes its contracts: OpenAPI from libs/contracts, AsyncAPI for every topic', async () => {
    const openapi = (await (await fetch(`${hub.gatewayUrl}/openapi.json`)).json()) as any;
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.components.schemas)).toEqual(
      expect.arrayContaining(['Contact', 'FieldError', 'Problem', 'Acceptance', 'DecisionRequest', 'consent']),
    );
    expect(openapi.paths['/v1/agencies/{agency}/contacts'].post.responses).toHaveProperty('413');
    // Self-contained: every reference resolves inside the document.
    for (const [, name] of JSON.stringify(openapi).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g))
      expect(openapi.components.schemas).toHaveProperty(name);
    const asyncapi = (await (await fetch(`${hub.gatewayUrl}/asyncapi.json`)).json()) as any;
    expect(asyncapi.asyncapi).toBe('3.0.0');
    const addresses = Object.values(asyncapi.channels).map((c: any) => c.address);
    expect(addresses).toEqual(
      expect.arrayContaining([
        'mash.contact.received.v1',
        'mash.contact.police.inbound.v1',
        'mash.notice.health.issued.v1',
        'mash.deadletter.v1',
      ]),
    );
  });
});
