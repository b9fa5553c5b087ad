import { Client } from 'pg';
import { Contact, NoticeIssued, noticeIssuedTopic } from '@mash/contracts';
import { exampleContact } from '@mash/contracts/examples';
import { startTestHub, TEST_TOKENS, TestHub } from '../support/hub';
import { poll, TopicWatcher } from '../support/topics';

interface Status {
  contactId: string;
  stage: string;
  caseId?: string;
  rating?: string;
  readyAt?: string;
  decidedAt?: string;
  outcomes?: string[];
  noticeStatus?: string;
  history: { at: string; stage: string }[];
}

/**
 * Several agencies report one incident about one child: the later reports join the first one's
 * case. Every referrer, not only the first, sees the case's progress in its own status and is told
 * the outcome once: two reports sent at the same moment, and a third that arrives after the decision.
 * Real processes on real Kafka and Postgres.
 */
describe('every referrer of a case follows the case and is told its outcome once', () => {
  let hub: TestHub;
  let notices: TopicWatcher;
  let db: Client;

  beforeAll(async () => {
    hub = await startTestHub(
      (['police', 'health', 'education'] as const).map((a) => ({ name: `connector-${a}`, entry: `apps/connectors/${a}/src/main` })),
    );
    notices = new TopicWatcher(hub.env.KAFKA_BROKERS, hub.env.MASH_TOPIC_PREFIX);
    await notices.watch((['police', 'health', 'education'] as const).map(noticeIssuedTopic));
    db = new Client({ connectionString: hub.env.DATABASE_URL });
    await db.connect();
  }, 240000);

  afterAll(async () => {
    await db?.end();
    await notices?.stop();
    await hub?.stop();
  }, 60000);

  const api = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${hub.gatewayUrl}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
    });
  const status = async (contactId: string, token: string) => (await (await api(`/v1/contacts/${contactId}`, token)).json()) as Status;
  const outcomeNotices = (contactId: string) =>
    notices.seen.filter(
      (e) => (e.envelope.data as NoticeIssued).contactId === contactId && (e.envelope.data as NoticeIssued).kind === 'outcome',
    );

  const report = (agency: 'police' | 'health' | 'education', reference: string, referrer: Contact['referrer']): Contact => ({
    ...exampleContact,
    agencyReference: reference,
    referrer,
    incident: { ...exampleContact.incident!, reference: `INC-JOIN-${hub.runId}` },
  });
  const submit = async (agency: 'police' | 'health' | 'education', contact: Contact) => {
    const res = await api(`/v1/agencies/${agency}/contacts`, TEST_TOKENS[agency], { method: 'POST', body: JSON.stringify(contact) });
    expect(res.status).toBe(202);
    return ((await res.json()) as { contactId: string }).contactId;
  };

  let caseId: string;
  let rating: string;
  let policeContact: string;
  let healthContact: string;

  it('two agencies reporting one incident at the same moment: both referrers see the case get ready', async () => {
    [policeContact, healthContact] = await Promise.all([
      submit('police', report('police', `PVP-JOIN-${hub.runId}`, exampleContact.referrer)),
      submit(
        'health',
        report('health', `GP-JOIN-${hub.runId}`, {
          name: 'Dr A Shah',
          role: 'GP',
          organisation: 'Example Surgery',
          source: '3A',
          channel: { kind: 'topic' },
        }),
      ),
    ]);
    // Ready, and re-rated at the end of checks: the rating the decision maker decides on.
    const [p, h] = await poll(
      async () => {
        const both = [await status(policeContact, TEST_TOKENS.police), await status(healthContact, TEST_TOKENS.health)];
        return both.every((s) => s.readyAt && s.caseId && s.history.some((x) => x.stage === 're-rated')) ? both : undefined;
      },
      120000,
      'both contacts ready for decision and re-rated',
    );
    // One case for the two reports, and the second referrer sees it as far as the first does.
    expect(h.caseId).toBe(p.caseId);
    caseId = p.caseId!;
    for (const s of [p, h]) {
      expect(['ready-for-decision', 're-rated']).toContain(s.stage);
      expect(s.history.map((x) => x.stage)).toContain('ready-for-decision');
      expect({ readyAt: s.readyAt, rating: s.rating }).toEqual({ readyAt: p.readyAt, rating: p.rating });
    }
    rating = p.rating!;
    // One agency still never reads the other's contact.
    expect((await api(`/v1/contacts/${healthContact}`, TEST_TOKENS.police)).status).toBe(404);
  }, 180000);

  it('the decision reaches both referrers, one outcome notice each', async () => {
    const decision = await api(`/v1/cases/${caseId}/decision`, TEST_TOKENS.manager, {
      method: 'POST',
      body: JSON.stringify({
        decisionMaker: { name: 'Sam Patel', role: 'MASH team manager' },
        outcomes: ['early-help'],
        finalRating: rating,
        responsibleTeam: { name: 'Early Help Hub North', inHours: '01234 567890' },
      }),
    });
    expect(decision.status).toBe(201);
    const informed = await poll(
      async () => {
        const both = [await status(policeContact, TEST_TOKENS.police), await status(healthContact, TEST_TOKENS.health)];
        return both.every((s) => s.stage === 'referrer-informed') ? both : undefined;
      },
      60000,
      'both referrers informed',
    );
    for (const s of informed) {
      expect({ outcomes: s.outcomes, decided: Boolean(s.decidedAt), notice: s.noticeStatus }).toEqual({
        outcomes: ['early-help'],
        decided: true,
        notice: 'delivered',
      });
      expect(s.history.filter((x) => x.stage === 'decided')).toHaveLength(1);
    }
    expect(outcomeNotices(policeContact).map((e) => e.topic)).toEqual([noticeIssuedTopic('police')]);
    expect(outcomeNotices(healthContact).map((e) => e.topic)).toEqual([noticeIssuedTopic('health')]);
  }, 90000);

  it('a third report after the decision joins the decided case: its referrer is told the outcome, nobody is told twice', async () => {
    const schoolContact = await submit(
      'education',
      report('education', `EDU-JOIN-${hub.runId}`, {
        name: 'Mrs K Patel',
        role: 'Designated Safeguarding Lead',
        organisation: 'Example Primary School',
        source: '2A',
        channel: { kind: 'topic' },
      }),
    );
    const s = await poll(
      async () => {
        const x = await status(schoolContact, TEST_TOKENS.education);
        return x.stage === 'referrer-informed' ? x : undefined;
      },
      60000,
      'the school referrer informed',
    );
    expect({ caseId: s.caseId, outcomes: s.outcomes, decided: Boolean(s.decidedAt), ready: Boolean(s.readyAt) }).toEqual({
      caseId,
      outcomes: ['early-help'],
      decided: true,
      ready: true,
    });
    expect(outcomeNotices(schoolContact).map((e) => e.topic)).toEqual([noticeIssuedTopic('education')]);
    // Give any duplicate time to show, then count every outcome notice the case produced.
    await new Promise((r) => setTimeout(r, 3000));
    for (const c of [policeContact, healthContact, schoolContact]) expect({ c, n: outcomeNotices(c).length }).toEqual({ c, n: 1 });
    const rows = (
      await db.query(
        `SELECT contact_id, count(*)::int AS n FROM notifier.notices WHERE case_id = $1 AND kind = 'outcome' GROUP BY contact_id ORDER BY contact_id`,
        [caseId],
      )
    ).rows;
    expect(rows).toEqual([policeContact, healthContact, schoolContact].sort().map((c) => ({ contact_id: c, n: 1 })));
  }, 90000);
});
