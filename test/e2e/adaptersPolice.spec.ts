import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { dataKeys } from '@mash/at-rest';
import { Contact, contactInboundTopic, DeadLetter, NoticeIssued, noticeIssuedTopic, TOPICS } from '@mash/contracts';
import { exampleContact, validExamples } from '@mash/contracts/examples';
import { signBody } from '@mash/contracts';
import { KafkaPort } from '@mash/messaging';
import { CLIENT_ROUTES } from '@mash/adapter-kit';
import { ADAPTER_CLIENT_AUTH, startTestHub, TEST_TOKENS, TestHub } from '../support/hub';
import { freePort } from '../support/ports';
import { poll, TopicWatcher } from '../support/topics';
import { openJsonb } from '@mash/at-rest';

/**
 * The agency adapters as real processes in front of the real gateway: a police system posts its
 * native PVP record to the police adapter, which translates it and submits it over HTTP (or, in
 * Kafka mode, publishes it on the police inbound topic); a record that cannot be translated is
 * refused at the adapter with native paths and never reaches the hub; notices come back on the
 * police topic and, for health, on a signed webhook.
 */
const SAMPLES = join(__dirname, '..', '..', 'apps', 'adapters');
const sample = (agency: string, name: string) => readFileSync(join(SAMPLES, agency, 'samples', name), 'utf8');

describe('agency adapters as processes', () => {
  let hub: TestHub;
  let db: Client;
  let deadLetters: TopicWatcher;
  let port: KafkaPort;
  const url: Record<string, string> = {};
  let rejectLog: string;

  beforeAll(async () => {
    hub = await startTestHub([], {}, { services: ['gateway'] });
    rejectLog = join(__dirname, '..', '..', '.run', 'test-logs', hub.runId, 'police-rejected.jsonl');
    const adapters: { name: string; agency: string; env: Record<string, string> }[] = [
      { name: 'adapter-police', agency: 'police', env: { ADAPTER_TOKEN: TEST_TOKENS.police, ADAPTER_REJECT_LOG: rejectLog } },
      {
        name: 'adapter-police-kafka',
        agency: 'police',
        env: { ADAPTER_TOKEN: TEST_TOKENS.police, ADAPTER_MODE: 'kafka', ADAPTER_REJECT_LOG: 'off' },
      },
      { name: 'adapter-health', agency: 'health', env: { ADAPTER_TOKEN: TEST_TOKENS.health, ADAPTER_REJECT_LOG: 'off' } },
    ];
    await Promise.all(adapters.map(async (a) => (hub.ports[a.name] = await freePort())));
    // Adapters start in a second or two (no Nest, no database): start them side by side.
    await Promise.all(
      adapters.map((a) => {
        url[a.name] = `http://127.0.0.1:${hub.ports[a.name]}`;
        return hub.start({
          name: a.name,
          principal: `adapter-${a.agency}`,
          entry: `apps/adapters/${a.agency}/src/main`,
          env: { ...a.env, ADAPTER_PORT: String(hub.ports[a.name]) },
        });
      }),
    );
    db = new Client({ connectionString: hub.env.DATABASE_URL });
    await db.connect();
    deadLetters = new TopicWatcher(hub.env.KAFKA_BROKERS, hub.env.MASH_TOPIC_PREFIX);
    await deadLetters.watch([TOPICS.deadLetter]);
    port = new KafkaPort({ brokers: hub.env.KAFKA_BROKERS.split(','), clientId: 'test-adapters', prefix: hub.env.MASH_TOPIC_PREFIX });
  }, 150000);

  afterAll(async () => {
    await port?.close();
    await deadLetters?.stop();
    await db?.end();
    await hub?.stop();
  }, 60000);

  const counts = async () => {
    const { rows } = await db.query(
      `SELECT (SELECT count(*) FROM gateway.contacts)::int AS contacts, (SELECT count(*) FROM gateway.quarantine)::int AS quarantined`,
    );
    return rows[0] as { contacts: number; quarantined: number };
  };
  const postRecord = async (adapter: string, body: string) => {
    const res = await fetch(`${url[adapter]}/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...ADAPTER_CLIENT_AUTH },
      body,
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('takes a native PVP record over HTTP and the contact reaches the gateway, its status visible', async () => {
    const r = await postRecord('adapter-police', sample('police', 'pvp-domestic-abuse-medium.json'));
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({
      agencyReference: 'EX:PVP-2026-004711',
      via: 'http',
      contactId: expect.stringMatching(/^CT-/),
      status: 'accepted',
      timescales: expect.any(Object),
    });
    // Asked of the gateway directly with the police credential, and through the adapter.
    const direct = await fetch(`${hub.gatewayUrl}/v1/contacts/${r.body.contactId}`, {
      headers: { authorization: `Bearer ${TEST_TOKENS.police}` },
    });
    expect(await direct.json()).toMatchObject({ contactId: r.body.contactId, agencyReference: 'EX:PVP-2026-004711', stage: 'received' });
    const via = await fetch(`${url['adapter-police']}/contacts/${r.body.contactId}`, { headers: ADAPTER_CLIENT_AUTH });
    expect(await via.json()).toMatchObject({ contactId: r.body.contactId, stage: 'received' });
    const { rows } = await db.query(`SELECT body FROM gateway.contacts WHERE contact_id = $1`, [r.body.contactId]);
    expect(openJsonb(rows[0].body)).toMatchObject({
      agencyReference: 'EX:PVP-2026-004711',
      urgency: 'same-day',
      domesticAbuse: { dashRiskLevel: 'medium' },
    });
    // The same record again is the same contact.
    const again = await postRecord('adapter-police', sample('police', 'pvp-domestic-abuse-medium.json'));
    expect(again).toMatchObject({ status: 200, body: { contactId: r.body.contactId, status: 'already-received' } });
  });

  it('refuses an untranslatable record with 422 at native paths, keeps it locally, and sends the hub nothing', async () => {
    const before = await counts();
    const raw = sample('police', 'invalid-incomplete-form.json');
    const r = await postRecord('adapter-police', raw);
    expect(r.status).toBe(422);
    expect(r.body.forwarded).toBe(false);
    const paths = (r.body.errors as { path: string; rule: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/submittedAt', '/notificationId', '/consent/asked']));
    expect(paths.every((p) => !p.startsWith('/subjects') && !p.startsWith('/referrer'))).toBe(true);
    expect(await counts()).toEqual(before);
    const kept = readFileSync(rejectLog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ reason: 'untranslatable', raw, errors: r.body.errors });
    // Logged by count only: nothing of the record is in the adapter's log.
    expect(readFileSync(hub.processes.get('adapter-police')!.logFile, 'utf8')).not.toContain('Kim');
  });

  it('in Kafka mode publishes to the police inbound topic, and the gateway makes it a contact', async () => {
    const native = JSON.parse(sample('police', 'pvp-domestic-abuse-medium.json'));
    native.notificationId = 'PVP-2026-KAFKA-1';
    const r = await postRecord('adapter-police-kafka', JSON.stringify(native));
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ via: 'kafka', topic: 'mash.contact.police.inbound.v1', agencyReference: 'EX:PVP-2026-KAFKA-1' });
    const contactId = await poll(
      async () => {
        const { rows } = await db.query(
          `SELECT contact_id FROM gateway.contacts WHERE agency_reference = 'EX:PVP-2026-KAFKA-1' AND source_agency = 'police'`,
        );
        return rows[0]?.contact_id as string | undefined;
      },
      30000,
      'contact from the inbound topic',
    );
    const status = await fetch(`${hub.gatewayUrl}/v1/contacts/${contactId}`, {
      headers: { authorization: `Bearer ${TEST_TOKENS.police}` },
    });
    expect(await status.json()).toMatchObject({ stage: 'received' });
  });

  it('dead-letters an invalid submission on the inbound topic, and one claiming another agency', async () => {
    const before = await counts();
    const envelope = (id: string, data: unknown) =>
      JSON.stringify({ id, type: contactInboundTopic('police'), occurredAt: new Date().toISOString(), producer: 'test', key: id, data });
    const broken = { ...structuredClone(exampleContact), agencyReference: 'KAFKA-BAD-1', urgency: 'whenever' };
    delete (broken as any).consent;
    await port.sendRaw([
      { topic: contactInboundTopic('police'), key: 'bad-1', value: envelope('bad-1', { agency: 'police', submission: broken }) },
      {
        topic: contactInboundTopic('police'),
        key: 'bad-2',
        value: envelope('bad-2', { agency: 'health', submission: { ...exampleContact, agencyReference: 'KAFKA-BAD-2' } }),
      },
    ]);
    const invalid = await deadLetters.waitFor<DeadLetter>((e) => e.envelope.data.key === 'bad-1', 30000);
    expect(invalid.envelope.data).toMatchObject({
      originalTopic: 'mash.contact.police.inbound.v1',
      consumer: 'gateway',
      reason: 'message breaks its contract',
    });
    expect((invalid.envelope.data.errors as { path: string }[]).map((e) => e.path)).toEqual(
      expect.arrayContaining(['/data/submission/urgency', '/data/submission/consent']),
    );
    const impostor = await deadLetters.waitFor<DeadLetter>((e) => e.envelope.data.key === 'bad-2', 30000);
    expect(impostor.envelope.data.reason).toMatch(/claims agency health on the police inbound topic/);
    expect((await counts()).contacts).toBe(before.contacts);
    // Ops find both in the gateway's quarantine too, beside the HTTP rejections.
    const kept = await poll(
      async () => {
        const { rows } = await db.query(
          `SELECT sender, channel, reason, raw FROM gateway.quarantine WHERE channel = 'kafka mash.contact.police.inbound.v1' ORDER BY id`,
        );
        return rows.length >= 2 ? rows : undefined;
      },
      30000,
      'inbound rejections in quarantine',
    );
    expect(kept.map((k: { sender: string }) => k.sender)).toEqual(['police', 'police']);
    // Sealed at rest: opened with the same (demo) keyring the hub runs with.
    expect(kept.map((k: { raw: string }) => JSON.parse(dataKeys().open(k.raw)).id).sort()).toEqual(['bad-1', 'bad-2']);
  });

  it('every agency-system route refuses a missing or wrong credential before reading the body, and keeps nothing of it', async () => {
    const routes = [
      { method: 'POST', path: '/records', body: sample('police', 'pvp-domestic-abuse-medium.json') },
      { method: 'GET', path: '/contacts/CT-anything' },
      { method: 'GET', path: '/notices' },
      { method: 'GET', path: '/notices?contactId=CT-notice-test' },
    ];
    // Each refused route matches the adapter's list of agency-system routes: a route added there is covered here.
    for (const r of routes) expect(CLIENT_ROUTES.test(`${r.method} ${new URL(r.path, 'http://x').pathname}`)).toBe(true);
    const before = await counts();
    for (const adapter of ['adapter-police', 'adapter-police-kafka', 'adapter-health']) {
      for (const r of routes) {
        for (const authorization of [
          undefined,
          'Bearer not-the-agency-credential-0000',
          `Bearer ${TEST_TOKENS.police}`,
          'Basic YWRtaW46YWRtaW4=',
        ]) {
          const res = await fetch(`${url[adapter]}${r.path}`, {
            method: r.method,
            headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
            body: r.body,
          });
          expect({ adapter, route: `${r.method} ${r.path}`, authorization, status: res.status }).toEqual({
            adapter,
            route: `${r.method} ${r.path}`,
            authorization,
            status: 401,
          });
        }
      }
    }
    // Nothing reached the gateway and nothing was quarantined for the refused records.
    expect(await counts()).toEqual(before);
    // Liveness, readiness and the published capability statement stay open.
    expect((await fetch(`${url['adapter-police']}/health/live`)).status).toBe(200);
    expect((await fetch(`${url['adapter-police']}/health/ready`)).status).toBe(200);
    expect((await fetch(`${url['adapter-health']}/metadata`)).status).toBe(200);
  });

  it('shows the outcome notices published on the police topic at GET /notices', async () => {
    const notice: NoticeIssued = { ...validExamples.noticeIssued, noticeId: `N-${hub.runId}`, contactId: 'CT-notice-test' };
    await port.publish([{ topic: noticeIssuedTopic('police'), key: notice.caseId, data: notice }]);
    for (const adapter of ['adapter-police', 'adapter-police-kafka']) {
      const seen = await poll(
        async () => {
          const list = (await (
            await fetch(`${url[adapter]}/notices?contactId=CT-notice-test`, { headers: ADAPTER_CLIENT_AUTH })
          ).json()) as { notices: { via: string; notice: NoticeIssued }[] };
          return list.notices.length ? list.notices : undefined;
        },
        30000,
        `notice at ${adapter}`,
      );
      expect(seen).toEqual([expect.objectContaining({ via: 'topic', notice })]);
    }
  });

  it('health: submits with its webhook as the notice channel, and accepts only correctly signed notices', async () => {
    const r = await postRecord('adapter-health', sample('health', 'health-visitor-bruising-cpis.json'));
    expect(r.status).toBe(202);
    const { rows } = await db.query(`SELECT body FROM gateway.contacts WHERE contact_id = $1`, [r.body.contactId]);
    expect(openJsonb<Contact>(rows[0].body).referrer.channel).toEqual({ kind: 'webhook', url: `${url['adapter-health']}/notices/webhook` });

    const notice: NoticeIssued = { ...validExamples.noticeIssued, noticeId: `NH-${hub.runId}`, contactId: r.body.contactId };
    const body = JSON.stringify(notice);
    const ts = String(Math.floor(Date.now() / 1000));
    const deliver = (signature: string, timestamp = ts) =>
      fetch(`${url['adapter-health']}/notices/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Mash-Signature': signature, 'X-Mash-Timestamp': timestamp },
        body,
      });
    expect((await deliver(signBody(body, 'not-the-shared-secret-at-all', ts))).status).toBe(401);
    expect((await deliver(signBody(body, 'mash-demo-webhook-secret-health', '1000000000'), '1000000000')).status).toBe(401);
    expect((await deliver(signBody(body, 'mash-demo-webhook-secret-health', ts))).status).toBe(200);
    expect((await deliver(signBody(body, 'mash-demo-webhook-secret-health', ts))).status).toBe(200); // a redelivery is fine, and shows once
    const list = (await (await fetch(`${url['adapter-health']}/notices`, { headers: ADAPTER_CLIENT_AUTH })).json()) as {
      notices: { via: string; notice: NoticeIssued }[];
    };
    expect(list.notices).toEqual([expect.objectContaining({ via: 'webhook', notice })]);
  });
});
