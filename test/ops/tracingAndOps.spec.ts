import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { join } from 'node:path';
import { CHECK_AGENCIES } from '@mash/contracts';
import { ADAPTER_CLIENT_AUTH, METRICS_AUTH, startTestHub, TEST_TOKENS, TestHub } from '../support/hub';
import { freePort } from '../support/ports';
import { poll } from '../support/topics';

/**
 * One contact's trace, end to end on the real broker: a police system posts its native record to
 * the police adapter with a W3C `traceparent`; the trace must come back to a tiny OTLP/HTTP
 * collector (this test) from every process the contact passes through: the adapter, the gateway,
 * triage, checks, the connectors that answer, the notifier, and the adapter again when the
 * outcome notice arrives on its topic. The decision is a person's separate request; the test
 * sends it in the same trace, as a case-management system following the contact would.
 * Then every process answers /health/ready, and /metrics only with the metrics token.
 */
interface ExportedSpan {
  service: string;
  traceId: string;
  name: string;
}

function collector(spans: ExportedSpan[]): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans?: {
            resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
            scopeSpans?: { spans?: { traceId: string; name: string }[] }[];
          }[];
        };
        for (const rs of body.resourceSpans ?? []) {
          const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
          for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) spans.push({ service, traceId: s.traceId, name: s.name });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch {
        res.writeHead(400).end();
      }
    });
  });
}

describe('one trace from the adapter to the outcome notice, and every process observable', () => {
  let hub: TestHub;
  let otlp: Server;
  const spans: ExportedSpan[] = [];
  const connectors = CHECK_AGENCIES.map((a) => `connector-${a}`);

  beforeAll(async () => {
    otlp = collector(spans);
    const otlpPort = await freePort();
    await new Promise<void>((r) => otlp.listen(otlpPort, '127.0.0.1', r));
    hub = await startTestHub([], { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`, OTEL_BSP_SCHEDULE_DELAY: '200' });
    for (const a of CHECK_AGENCIES) hub.ports[`connector-${a}`] = await freePort();
    // Connectors start in seconds (no Nest, no database): side by side; each is ready when its ops port says so.
    await Promise.all(
      CHECK_AGENCIES.map((a) =>
        hub.start({
          name: `connector-${a}`,
          entry: `apps/connectors/${a}/src/main`,
          env: { CONNECTOR_PORT: String(hub.ports[`connector-${a}`]) },
        }),
      ),
    );
    hub.ports['adapter-police'] = await freePort();
    await hub.start({
      name: 'adapter-police',
      principal: 'adapter-police',
      entry: 'apps/adapters/police/src/main',
      env: { ADAPTER_TOKEN: TEST_TOKENS.police, ADAPTER_REJECT_LOG: 'off', ADAPTER_PORT: String(hub.ports['adapter-police']) },
    });
  }, 300000);

  afterAll(async () => {
    await hub?.stop();
    await new Promise((r) => otlp?.close(r));
  }, 60000);

  it('carries one trace id through adapter, gateway, triage, checks, connectors, notifier and back to the adapter', async () => {
    const traceId = randomBytes(16).toString('hex');
    const traceparent = (span = randomBytes(8).toString('hex')) => `00-${traceId}-${span}-01`;
    const adapter = `http://127.0.0.1:${hub.ports['adapter-police']}`;
    const record = readFileSync(
      join(__dirname, '..', '..', 'apps', 'adapters', 'police', 'samples', 'pvp-domestic-abuse-medium.json'),
      'utf8',
    );
    const posted = await fetch(`${adapter}/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: traceparent(), ...ADAPTER_CLIENT_AUTH },
      body: record,
    });
    const accepted = (await posted.json()) as { contactId: string };
    expect(posted.status).toBe(202);
    expect(posted.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const api = (path: string, token: string, init: RequestInit = {}) =>
      fetch(`${hub.gatewayUrl}${path}`, {
        ...init,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
      });
    const ready = await poll(
      async () => {
        const s = (await (await api(`/v1/contacts/${accepted.contactId}`, TEST_TOKENS.police)).json()) as {
          caseId?: string;
          readyAt?: string;
        };
        return s.readyAt ? s : undefined;
      },
      120000,
      'case ready for decision',
    );

    const decision = await api(`/v1/cases/${ready.caseId}/decision`, TEST_TOKENS.manager, {
      method: 'POST',
      headers: { traceparent: traceparent() },
      body: JSON.stringify({
        decisionMaker: { name: 'Sam Patel', role: 'MASH team manager' },
        outcomes: ['strategy-discussion'],
        finalRating: 'RED',
        ratingChangeReason: 'Police and school both report current domestic abuse.',
        responsibleTeam: { name: 'Assessment Team', inHours: '01234 567890', outOfHours: 'Emergency Duty Team 01234 000000' },
      }),
    });
    expect(decision.status).toBe(201);
    await poll(
      async () => {
        const r = (await (await fetch(`${adapter}/notices?contactId=${accepted.contactId}`, { headers: ADAPTER_CLIENT_AUTH })).json()) as {
          notices: { notice: { kind: string } }[];
        };
        return r.notices.some((n) => n.notice.kind === 'outcome') ? true : undefined;
      },
      60000,
      'outcome notice at the police adapter',
    );

    const want = ['adapter-police', 'gateway', 'triage', 'checks', 'notifier'];
    const services = await poll(
      async () => {
        const seen = new Set(spans.filter((s) => s.traceId === traceId).map((s) => s.service));
        return want.every((w) => seen.has(w)) && [...seen].some((s) => s.startsWith('connector-')) ? seen : undefined;
      },
      30000,
      'spans of every service in the one trace',
    );
    expect([...services].filter((s) => !s.startsWith('connector-')).sort()).toEqual([...want].sort());
    const ofTrace = spans.filter((s) => s.traceId === traceId);
    // The way in, the database work, and the way back out to the adapter.
    expect(ofTrace).toContainEqual({ service: 'adapter-police', traceId, name: 'POST /records' });
    expect(ofTrace).toContainEqual({ service: 'gateway', traceId, name: 'POST /v1/agencies/:agency/contacts' });
    expect(ofTrace.some((s) => s.service === 'triage' && s.name === 'db transaction')).toBe(true);
    expect(ofTrace).toContainEqual({ service: 'adapter-police', traceId, name: 'mash.notice.police.issued.v1 process' });
  }, 240000);

  it('answers /health/ready on every process, and /metrics only with the metrics token', async () => {
    const processes = ['gateway', 'triage', 'checks', 'notifier', 'adapter-police', ...connectors];
    for (const p of processes) {
      const base = `http://127.0.0.1:${hub.ports[p]}`;
      const ready = await fetch(`${base}/health/ready`);
      expect({ p, status: ready.status }).toEqual({ p, status: 200 });
      const refused = await fetch(`${base}/metrics`);
      expect({ p, status: refused.status, type: refused.headers.get('content-type') }).toEqual({
        p,
        status: 401,
        type: expect.stringContaining('application/problem+json'),
      });
      expect(((await refused.json()) as { type: string }).type).toBe('/problems/unauthenticated');
      const wrong = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer not-the-metrics-token' } });
      expect({ p, status: wrong.status }).toEqual({ p, status: 401 });
      const metrics = await fetch(`${base}/metrics`, { headers: METRICS_AUTH });
      expect({ p, status: metrics.status }).toEqual({ p, status: 200 });
      expect(await metrics.text()).toMatch(/^# HELP mash_/m);
    }
    // HTTP request metrics on the gateway, by route template (never a contact id).
    const text = await (await fetch(`${hub.gatewayUrl}/metrics`, { headers: METRICS_AUTH })).text();
    expect(text).toMatch(/mash_http_requests_total\{method="POST",route="\/v1\/agencies\/:agency\/contacts",status="202"\} \d+/);
    expect(text).not.toMatch(/route="[^"]*CT-/);
  }, 60000);
});
