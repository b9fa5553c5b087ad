import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import createClient from 'openapi-fetch';
import { exampleContact } from '@mash/contracts/examples';
import { buildOpenApi } from '../../apps/gateway/src/openapi/openapi';
import type { components, paths } from '../contract/gatewayApi';
import { startTestHub, TEST_TOKENS, TestHub } from '../support/hub';
import { poll } from '../support/topics';

/**
 * The OpenAPI document is usable by a generator: the client types are generated from it
 * (openapi-typescript), a generated client (openapi-fetch) drives the real gateway, triage and
 * checks through every operation, and each answer is validated against the response schema the
 * document declares for its status. A controller that answers something else fails here.
 */
describe('a client generated from /openapi.json, against the real gateway', () => {
  let hub: TestHub;
  const doc = buildOpenApi() as {
    paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
    components: object;
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true, formats: { 'nhs-number': true, upn: true } });
  addFormats(ajv);
  ajv.addSchema({ $id: 'https://gateway.invalid/openapi.json', components: doc.components });
  const checked: string[] = [];

  /** The answer conforms to the schema the document declares for this operation and status. */
  const conforms = (
    path: string,
    method: string,
    status: number,
    body: unknown,
    mediaType = status >= 400 ? 'application/problem+json' : 'application/json',
  ) => {
    const declared = doc.paths[path]?.[method]?.responses[String(status)]?.content?.[mediaType]?.schema as { $ref?: string } | undefined;
    expect(`${method} ${path} ${status} ${declared ? 'declared' : 'not declared'}`).toBe(`${method} ${path} ${status} declared`);
    const validate = ajv.compile({ $ref: `https://gateway.invalid/openapi.json${declared!.$ref}` });
    expect(validate(body) ? [] : validate.errors).toEqual([]);
    checked.push(`${method} ${path} ${status}`);
  };

  // The hand-written Contact type is looser than the generated one (codes as string): the example is the same JSON.
  const example = exampleContact as unknown as components['schemas']['Contact'];
  const as = (token: string) => createClient<paths>({ baseUrl: hub.gatewayUrl, headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    hub = await startTestHub([], {}, { services: ['gateway', 'triage', 'checks'] });
  }, 180000);

  afterAll(async () => {
    await hub?.stop();
  }, 60000);

  it('the committed client types are exactly what the generator makes of the document today', async () => {
    const committed = readFileSync(join(__dirname, '..', 'contract', 'gatewayApi.ts'), 'utf8');
    // The generator is ESM inside: it runs as its own process (on the build npm test makes first).
    const root = join(__dirname, '..', '..');
    const generated = execFileSync(process.execPath, [join(root, 'scripts', 'launch.js'), 'scripts/generateGatewayClient', '--stdout'], {
      cwd: root,
      encoding: 'utf8',
    });
    // On a difference: npm run generate:client, and review the change to the API it shows.
    expect(committed === generated ? 'same' : 'stale: run npm run generate:client').toBe('same');
    // And the document the gateway serves is the one the types were generated from.
    const served = await (await fetch(`${hub.gatewayUrl}/openapi.json`)).json();
    expect(served).toEqual(JSON.parse(JSON.stringify(buildOpenApi())));
  });

  it('submits, follows and decides a contact through the typed client, each answer as declared', async () => {
    const police = as(TEST_TOKENS.police);
    const manager = as(TEST_TOKENS.manager);
    const ops = as(TEST_TOKENS.ops);
    const contact: components['schemas']['Contact'] = { ...example, agencyReference: `TC-${hub.runId}` };

    const submitted = await police.POST('/v1/agencies/{agency}/contacts', { params: { path: { agency: 'police' } }, body: contact });
    expect(submitted.response.status).toBe(202);
    conforms('/v1/agencies/{agency}/contacts', 'post', 202, submitted.data);
    const contactId = submitted.data!.contactId;
    const again = await police.POST('/v1/agencies/{agency}/contacts', { params: { path: { agency: 'police' } }, body: contact });
    expect([again.response.status, again.data?.contactId]).toEqual([200, contactId]);
    conforms('/v1/agencies/{agency}/contacts', 'post', 200, again.data);

    // Triage rates it; the status shows the case id once it has.
    const caseId = await poll(
      async () => (await police.GET('/v1/contacts/{contactId}', { params: { path: { contactId } } })).data?.caseId ?? undefined,
      90000,
      'the contact rated',
    );
    const status = await police.GET('/v1/contacts/{contactId}', { params: { path: { contactId } } });
    conforms('/v1/contacts/{contactId}', 'get', 200, status.data);

    const picture = await poll(
      async () => {
        const r = await manager.GET('/v1/cases/{caseId}', { params: { path: { caseId } } });
        return r.response.status === 200 ? r.data : undefined;
      },
      60000,
      'the case picture',
    );
    conforms('/v1/cases/{caseId}', 'get', 200, picture);

    const override = await manager.POST('/v1/cases/{caseId}/consent-override', {
      params: { path: { caseId } },
      body: { basis: 'risk-of-significant-harm', reason: 'Typed client test: the checks must go ahead today.' },
    });
    expect(override.response.status).toBe(201);
    conforms('/v1/cases/{caseId}/consent-override', 'post', 201, override.data);

    const decided = await manager.POST('/v1/cases/{caseId}/decision', {
      params: { path: { caseId } },
      body: {
        outcomes: ['early-help'],
        finalRating: picture!.rating,
        responsibleTeam: { name: 'Early Help Hub North', inHours: '01234 567890' },
        urgentOverride: { reason: 'Typed client test: deciding before every agency has replied.' },
      } as components['schemas']['DecisionRequest'],
    });
    expect([decided.response.status, decided.error]).toEqual([201, undefined]);
    conforms('/v1/cases/{caseId}/decision', 'post', 201, decided.data);
    const twice = await manager.POST('/v1/cases/{caseId}/decision', { params: { path: { caseId } }, body: decided.data as never });
    expect(twice.response.status).toBe(422);
    const refusedAgain = await manager.POST('/v1/cases/{caseId}/consent-override', {
      params: { path: { caseId } },
      body: { basis: 'section-47', reason: 'Too late: the case is decided already.' },
    });
    expect(refusedAgain.response.status).toBe(409);
    conforms('/v1/cases/{caseId}/consent-override', 'post', 409, refusedAgain.error);

    const board = await ops.GET('/v1/board', { params: { query: { limit: 10 } } });
    conforms('/v1/board', 'get', 200, board.data);
    const lag = await ops.GET('/v1/ops/lag');
    conforms('/v1/ops/lag', 'get', 200, lag.data);

    // A manager holds the case and lifts the hold; ops may not.
    const held = await manager.POST('/v1/cases/{caseId}/legal-hold', {
      params: { path: { caseId } },
      body: { held: true, reason: 'Typed client test: care proceedings issued.' },
    });
    expect([held.response.status, held.data?.held]).toEqual([201, true]);
    conforms('/v1/cases/{caseId}/legal-hold', 'post', 201, held.data);
    const lifted = await manager.POST('/v1/cases/{caseId}/legal-hold', {
      params: { path: { caseId } },
      body: { held: false, reason: 'Typed client test: proceedings concluded.' },
    });
    expect([lifted.response.status, lifted.data?.held]).toEqual([201, false]);
    const notManager = await ops.POST('/v1/cases/{caseId}/legal-hold', {
      params: { path: { caseId } },
      body: { held: true, reason: 'Typed client test: ops may not hold a case.' },
    });
    expect(notManager.response.status).toBe(403);
    conforms('/v1/cases/{caseId}/legal-hold', 'post', 403, notManager.error);
    const noSuchCase = await manager.POST('/v1/cases/{caseId}/legal-hold', {
      params: { path: { caseId: 'CS-none' } },
      body: { held: true, reason: 'Typed client test: there is no such case.' },
    });
    expect(noSuchCase.response.status).toBe(404);
    conforms('/v1/cases/{caseId}/legal-hold', 'post', 404, noSuchCase.error);

    const today = new Date().toISOString().slice(0, 10);
    const figures = await ops.GET('/v1/indicators', { params: { query: { from: today, to: today } } });
    expect(figures.response.status).toBe(200);
    conforms('/v1/indicators', 'get', 200, figures.data);
    const backwards = await ops.GET('/v1/indicators', { params: { query: { from: today, to: '2020-01-01' } } });
    expect(backwards.response.status).toBe(400);
    conforms('/v1/indicators', 'get', 400, backwards.error);
  }, 240000);

  it('reads every refusal as the declared problem document, field errors and quarantine included', async () => {
    const police = as(TEST_TOKENS.police);
    const ops = as(TEST_TOKENS.ops);
    const invalid = await police.POST('/v1/agencies/{agency}/contacts', {
      params: { path: { agency: 'police' } },
      body: { ...example, agencyReference: `TC-bad-${hub.runId}`, urgency: 'URGENT' } as never,
    });
    expect(invalid.response.status).toBe(422);
    conforms('/v1/agencies/{agency}/contacts', 'post', 422, invalid.error);
    const problem = invalid.error as components['schemas']['Problem'];
    expect(problem.errors.map((e) => `${e.path} ${e.rule}`)).toContain('/urgency enum');

    const list = await ops.GET('/v1/ops/quarantine', { params: { query: { limit: 5 } } });
    conforms('/v1/ops/quarantine', 'get', 200, list.data);
    const one = await ops.GET('/v1/ops/quarantine/{id}', { params: { path: { id: problem.quarantineId! } } });
    conforms('/v1/ops/quarantine/{id}', 'get', 200, one.data);

    const wrongAgency = await police.POST('/v1/agencies/{agency}/contacts', { params: { path: { agency: 'health' } }, body: example });
    conforms('/v1/agencies/{agency}/contacts', 'post', 403, wrongAgency.error);
    const nobody = await createClient<paths>({ baseUrl: hub.gatewayUrl }).GET('/v1/contacts/{contactId}', {
      params: { path: { contactId: 'CT-none' } },
    });
    conforms('/v1/contacts/{contactId}', 'get', 401, nobody.error);
    const unknown = await police.GET('/v1/contacts/{contactId}', { params: { path: { contactId: 'CT-none' } } });
    conforms('/v1/contacts/{contactId}', 'get', 404, unknown.error);
    const noCase = await as(TEST_TOKENS.manager).GET('/v1/cases/{caseId}', { params: { path: { caseId: 'CS-none' } } });
    conforms('/v1/cases/{caseId}', 'get', 404, noCase.error);
    const notOps = await police.GET('/v1/ops/lag');
    conforms('/v1/ops/lag', 'get', 403, notOps.error);
    const type = await police.GET('/problems/{slug}', { params: { path: { slug: 'invalid-fields' } } });
    conforms('/problems/{slug}', 'get', 200, type.data);
    const ready = await police.GET('/health/ready');
    conforms('/health/ready', 'get', 200, ready.data);
  }, 60000);
});
