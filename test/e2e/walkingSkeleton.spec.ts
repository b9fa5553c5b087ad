import { Kafka, logLevel } from 'kafkajs';
import { NoticeIssued, noticeIssuedTopic } from '@mash/contracts';
import { exampleContact } from '@mash/contracts/examples';
import { Client } from 'pg';
import { kafkaCredentialsFromEnv } from '@mash/messaging';
import { exportDisclosures, verifyAll } from '../../scripts/audit';
import { startTestHub, TEST_MANAGER, TEST_TOKENS, TestHub } from '../support/hub';
import { untilReadyForDecision } from '../support/readiness';
import { poll, TopicWatcher } from '../support/topics';

/**
 * The mission end to end, every step a real process on real Kafka and Postgres: a police
 * notification reaches the front door, is rated, checked with police, health and education
 * connectors, decided by a named manager, and the police referrer gets the outcome notice.
 */
describe('a police notification leads to an outcome notice for its referrer', () => {
  let hub: TestHub;
  let notices: TopicWatcher;

  beforeAll(async () => {
    hub = await startTestHub(
      (['police', 'health', 'education'] as const).map((a) => ({ name: `connector-${a}`, entry: `apps/connectors/${a}/src/main` })),
    );
    notices = new TopicWatcher(hub.env.KAFKA_BROKERS, hub.env.MASH_TOPIC_PREFIX);
    await notices.watch([noticeIssuedTopic('police')]);
  }, 240000);

  afterAll(async () => {
    await notices?.stop();
    await hub?.stop();
  }, 60000);

  const api = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${hub.gatewayUrl}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
    });

  it('flows from police adapter to referrer notice', async () => {
    const contact = { ...exampleContact, agencyReference: `PVP-E2E-${hub.runId}` };
    const submitted = await api('/v1/agencies/police/contacts', TEST_TOKENS.police, { method: 'POST', body: JSON.stringify(contact) });
    const accepted = (await submitted.json()) as { contactId: string; receivedAt: string };
    expect({ status: submitted.status, body: accepted }).toMatchObject({ status: 202 });
    const { contactId } = accepted;

    // Same agency reference again: same contact, nothing new.
    const again = await api('/v1/agencies/police/contacts', TEST_TOKENS.police, { method: 'POST', body: JSON.stringify(contact) });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { contactId: string }).contactId).toBe(contactId);

    // Rated Amber at the start (DA, DASH medium, child present); re-rated Red at the end of checks,
    // because police and the school report current domestic abuse (rule RR-CURRENT-HARM).
    const ready = await untilReadyForDecision(hub, TEST_TOKENS.police, contactId, { reRated: true, timeoutMs: 90000 });
    expect(ready.history.map((h) => h.stage)).toContain('ready-for-decision');
    expect(ready.rating).toBe('RED');
    // Escalated to Red: the decision is due on Red's clock (4 hours from receipt), not Amber's.
    expect(new Date(ready.deadline).getTime()).toBeLessThanOrEqual(new Date(accepted.receivedAt).getTime() + 4 * 3600_000);

    const picture = (await (await api(`/v1/cases/${ready.caseId}`, TEST_TOKENS.manager)).json()) as {
      replied: string[];
      missing: string[];
      chronology: { agency: string; summary: string }[];
    };
    expect(picture.replied.sort()).toEqual(['education', 'health', 'police']);
    expect(picture.missing).toEqual([]);
    expect(new Set(picture.chronology.map((e) => e.agency)).size).toBeGreaterThanOrEqual(2);

    const decision = await api(`/v1/cases/${ready.caseId}/decision`, TEST_TOKENS.manager, {
      method: 'POST',
      body: JSON.stringify({
        decisionMaker: { name: 'Sam Patel', role: 'MASH team manager' },
        outcomes: ['early-help'],
        finalRating: 'AMBER',
        ratingChangeReason: 'The last police incident was four days ago and the family engage with early help; Amber with a review.',
        responsibleTeam: { name: 'Early Help Hub North', inHours: '01234 567890', outOfHours: 'Emergency Duty Team 01234 000000' },
      }),
    });
    expect(decision.status).toBe(201);

    const notice = await notices.waitFor<NoticeIssued>(
      (e) => e.envelope.data.contactId === contactId && e.envelope.data.kind === 'outcome',
      60000,
    );
    expect(notice.envelope.key).toBe(ready.caseId);
    expect(notice.envelope.data.outcomes).toEqual(['early-help']);
    // The person who signed in, not the name typed into the body.
    expect(notice.envelope.data.decidedBy).toEqual({ name: TEST_MANAGER.name, role: 'decision-maker' });
    // The referrer hears the outcome, never what other agencies said.
    for (const entry of picture.chronology) expect(notice.envelope.data.text).not.toContain(entry.summary);

    const informed = await poll(
      async () => {
        const s = (await (await api(`/v1/contacts/${contactId}`, TEST_TOKENS.police)).json()) as { stage: string };
        return s.stage === 'referrer-informed' ? s : undefined;
      },
      30000,
      'referrer informed',
    );
    expect(informed.stage).toBe('referrer-informed');

    // Everything disclosed about this child, in the audit trail an auditor exports, and every chain intact.
    const pg = new Client({ connectionString: hub.env.DATABASE_URL });
    await pg.connect();
    try {
      const trail = await poll(
        async () => {
          const rows = await exportDisclosures(pg, { caseId: ready.caseId });
          return rows.some((r) => r.action === 'notice-issued' && r.detail.kind === 'outcome') ? rows : undefined;
        },
        30000,
        'outcome notice in the audit trail',
      );
      const of = (action: string) => trail.filter((r) => r.action === action);
      expect(of('contact-received').map((r) => [r.service, r.principal, r.contactId])).toEqual([['gateway', 'police', contactId]]);
      expect(
        of('check-requested')
          .map((r) => r.detail.agency)
          .sort(),
      ).toEqual(['education', 'health', 'police']);
      expect(
        of('check-requested').every((r) => r.service === 'checks' && r.detail.lawfulBasis && (r.detail.categories as string[]).length > 0),
      ).toBe(true);
      expect(
        of('reply-received')
          .map((r) => r.principal)
          .sort(),
      ).toEqual(['education', 'health', 'police']);
      expect(of('read-case').map((r) => r.principal)).toEqual([TEST_MANAGER.subject]);
      expect(of('decision-recorded').map((r) => [r.principal, r.detail.outcomes])).toEqual([[TEST_MANAGER.subject, ['early-help']]]);
      // The referrer's acknowledgement and outcome; a closing notice to each agency that contributed.
      const issued = of('notice-issued')
        .map((r) => `${r.detail.kind}:${r.detail.recipient}`)
        .sort();
      expect(issued).toEqual(['acknowledgement:police', 'closing:education', 'closing:health', 'closing:police', 'outcome:police']);
      const chains = await verifyAll(pg, new Map());
      expect(chains.map((v) => [v.schema, v.ok])).toEqual([
        ['checks', true],
        ['gateway', true],
        ['notifier', true],
        ['triage', true],
      ]);
    } finally {
      await pg.end();
    }
  }, 180000);

  it('shows all four services as consumer groups on the broker', async () => {
    const sasl = kafkaCredentialsFromEnv(hub.env);
    const admin = new Kafka({
      clientId: 'test',
      brokers: hub.env.KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
      ...(sasl ? { sasl } : {}),
    }).admin();
    await admin.connect();
    try {
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
      for (const s of ['gateway', 'triage', 'checks', 'notifier']) expect(groups).toContain(`${hub.runId}.${s}`);
    } finally {
      await admin.disconnect();
    }
  });
});
