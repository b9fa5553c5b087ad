import { Client } from 'pg';
import {
  CHECK_AGENCIES,
  DecisionOutcome,
  NoticeDelivered,
  NoticeIssued,
  noticeIssuedTopic,
  SUBMITTING_AGENCIES,
  TOPICS,
} from '@mash/contracts';
import { KafkaPort } from '@mash/messaging';
import { ANONYMOUS, SENSITIVE_STRINGS } from '../../apps/notifier/src/outcomeNotice/fixtures';
import { OUTCOME_LABEL, OUTCOME_ORDER } from '../../apps/notifier/src/outcomeNotice/outcomeText';
import { startTestHub, TestHub } from '../support/hub';
import { poll, TopicWatcher } from '../support/topics';
import { caseStory, CaseStory, decisionEnvelope, metric, publisher, publishUpToReady, sendEnvelope } from './notifierEvents';

const POLICE = {
  name: 'PC Jane Walker',
  role: 'Officer in the case',
  organisation: 'Example Constabulary',
  source: '6' as const,
  channel: { kind: 'topic' as const },
};
const NOTICE_TOPICS = [...new Set([...SUBMITTING_AGENCIES, ...CHECK_AGENCIES])].map(noticeIssuedTopic);

/**
 * What each referrer and contributor is told, read off the notice topics of a real notifier
 * process: the police (a topic referrer) per outcome type, closing notices to the agencies that
 * replied, an anonymous referrer counted as no channel, a decision delivered twice, and no notice
 * repeating what another agency said.
 */
describe('notifier notices: who is told what, once', () => {
  let hub: TestHub;
  let port: KafkaPort;
  let watcher: TopicWatcher;
  let db: Client;

  beforeAll(async () => {
    hub = await startTestHub([], { MASH_NOTICE_POLL_MS: '50' }, { services: ['notifier'] });
    port = publisher(hub.env);
    watcher = new TopicWatcher(hub.env.KAFKA_BROKERS, hub.env.MASH_TOPIC_PREFIX);
    await watcher.watch([...NOTICE_TOPICS, TOPICS.noticeDelivered]);
    db = new Client({ connectionString: hub.env.DATABASE_URL });
    await db.connect();
  }, 90000);

  afterAll(async () => {
    await db?.end();
    await watcher?.stop();
    await port?.close();
    await hub?.stop();
  }, 60000);

  const notices = () =>
    watcher.seen
      .filter((e) => e.topic !== TOPICS.noticeDelivered)
      .map((e) => ({ topic: e.topic, key: e.envelope.key, notice: e.envelope.data as NoticeIssued }));
  const receipts = () => watcher.seen.filter((e) => e.topic === TOPICS.noticeDelivered).map((e) => e.envelope.data as NoticeDelivered);
  const ofCase = (s: CaseStory) => notices().filter((n) => n.notice.caseId === s.caseId);

  it('each outcome type gives the police referrer the right notice on its topic, after an acknowledgement', async () => {
    const stories = OUTCOME_ORDER.map((o, i) => ({
      outcome: o,
      story: caseStory(`OUT${i}`, { referrer: POLICE, sourceAgency: 'police', outcomes: [o] }),
    }));
    for (const { story } of stories) await publishUpToReady(port, story);
    // Acknowledgements come with the rating, before any decision.
    await poll(
      async () => (stories.every(({ story }) => ofCase(story).some((n) => n.notice.kind === 'acknowledgement')) ? true : undefined),
      20000,
      'acknowledgements',
    );
    for (const { story } of stories) await sendEnvelope(port, decisionEnvelope(story));

    await poll(
      async () => (stories.every(({ story }) => ofCase(story).some((n) => n.notice.kind === 'outcome')) ? true : undefined),
      20000,
      'outcome notices',
    );
    for (const { outcome, story } of stories) {
      const mine = ofCase(story).filter((n) => n.topic === noticeIssuedTopic('police'));
      const ack = mine.find((n) => n.notice.kind === 'acknowledgement')!;
      expect(ack.notice).toMatchObject({
        contactId: story.contactId,
        agencyReference: story.contact.contact.agencyReference,
        recipient: 'Example Constabulary',
      });
      expect(ack.notice.text).toContain('Timescale: a decision is due by 24 November 2026');
      const outcomeNotices = mine.filter((n) => n.notice.kind === 'outcome');
      expect(outcomeNotices).toHaveLength(1);
      const n = outcomeNotices[0]!;
      expect(n.key).toBe(story.caseId);
      expect(n.notice.outcomes).toEqual([outcome]);
      expect(n.notice.decidedBy).toEqual(story.decision.decisionMaker);
      expect(n.notice.responsibleTeam).toEqual(story.decision.responsibleTeam);
      expect(n.notice.text).toContain(OUTCOME_LABEL[outcome]);
      for (const other of OUTCOME_ORDER)
        if (other !== outcome) expect(n.notice.text).not.toContain(OUTCOME_LABEL[other as DecisionOutcome]);
    }
    await poll(
      async () =>
        stories.every(({ story }) =>
          receipts().some((r) => r.caseId === story.caseId && r.kind === 'outcome' && r.status === 'delivered' && r.channel === 'topic'),
        )
          ? true
          : undefined,
      10000,
      'topic receipts',
    );
  }, 40000);

  it('every agency that replied gets a closing notice on its own topic; a missing one does not', async () => {
    const story = caseStory('CLOSE1', {
      referrer: POLICE,
      sourceAgency: 'police',
      replied: ['health', 'education', 'probation'],
      missing: ['housing'],
      outcomes: ['social-care-assessment'],
    });
    await publishUpToReady(port, story);
    await sendEnvelope(port, decisionEnvelope(story));
    await poll(
      async () => (ofCase(story).filter((n) => n.notice.kind === 'closing').length >= 3 ? true : undefined),
      20000,
      'closing notices',
    );
    await new Promise((r) => setTimeout(r, 300));
    const closing = ofCase(story).filter((n) => n.notice.kind === 'closing');
    expect(closing.map((n) => [n.topic, n.notice.recipient]).sort()).toEqual([
      [noticeIssuedTopic('education'), 'education'],
      [noticeIssuedTopic('health'), 'health'],
      [noticeIssuedTopic('probation'), 'probation'],
    ]);
    for (const n of closing) expect(n.notice.outcomes).toEqual(['social-care-assessment']);
  }, 30000);

  it('an anonymous referrer is recorded and counted as no channel, not skipped', async () => {
    const metricsUrl = `http://127.0.0.1:${hub.ports.notifier}/metrics`;
    const before = await metric(metricsUrl, 'mash_notices_no_channel_total', { kind: 'outcome', reason: 'anonymous' });
    const insertsBefore = await metric(metricsUrl, 'mash_db_statements_total', { kind: 'insert' });
    const story = caseStory('ANON1', { referrer: ANONYMOUS, sourceAgency: 'contact-centre', outcomes: ['nfa'] });
    await publishUpToReady(port, story);
    await sendEnvelope(port, decisionEnvelope(story));
    const rows = await poll(
      async () => {
        // Closing notices carry the decision's contact id too; they go to the contributors, not the referrer.
        const { rows } = await db.query(
          `SELECT kind, status, recipient, attempts FROM notifier.notices WHERE contact_id = $1 AND kind <> 'closing' ORDER BY kind`,
          [story.contactId],
        );
        return rows.length === 2 ? rows : undefined;
      },
      20000,
      'two notice rows',
    );
    expect(rows).toEqual([
      { kind: 'acknowledgement', status: 'no-channel', recipient: 'anonymous referrer', attempts: 1 },
      { kind: 'outcome', status: 'no-channel', recipient: 'anonymous referrer', attempts: 1 },
    ]);
    expect(await metric(metricsUrl, 'mash_notices_no_channel_total', { kind: 'outcome', reason: 'anonymous' })).toBe(before + 1);
    // The service counts what it sends to Postgres (docs/observability.md): at least the two notices' rows.
    expect(await metric(metricsUrl, 'mash_db_statements_total', { kind: 'insert' })).toBeGreaterThanOrEqual(insertsBefore + 2);
    await poll(
      async () =>
        receipts().some((r) => r.contactId === story.contactId && r.kind === 'outcome' && r.status === 'no-channel' && r.channel === 'none')
          ? true
          : undefined,
      10000,
      'no-channel receipt',
    );
    // Nothing addressed to the anonymous referrer goes out on any notice topic; only the contributors' closing notices do.
    await new Promise((r) => setTimeout(r, 300));
    expect(ofCase(story).filter((n) => n.notice.kind !== 'closing')).toEqual([]);
    expect(ofCase(story).filter((n) => n.notice.kind === 'closing')).toHaveLength(4);
  }, 30000);

  it('a decision delivered twice (same envelope, then a new envelope with the same decision) sends one notice each', async () => {
    const story = caseStory('TWICE1', {
      referrer: POLICE,
      sourceAgency: 'police',
      replied: ['health', 'education'],
      outcomes: ['early-help'],
    });
    await publishUpToReady(port, story);
    const first = decisionEnvelope(story);
    await sendEnvelope(port, first);
    await sendEnvelope(port, first); // a redelivery: the inbox remembers the envelope id
    const second = decisionEnvelope(story);
    expect(second.id).not.toBe(first.id);
    await sendEnvelope(port, second); // a re-publication: deterministic notice ids and ON CONFLICT
    // Both copies have been handled once the second envelope is in the inbox.
    await poll(
      async () => {
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM notifier.inbox WHERE message_id = ANY($1)`, [
          [first.id, second.id],
        ]);
        return rows[0].n === 2 ? true : undefined;
      },
      20000,
      'both decision envelopes handled',
    );
    const metricsUrl = `http://127.0.0.1:${hub.ports.notifier}/metrics`;
    expect(
      await metric(metricsUrl, 'mash_messages_consumed_total', { topic: TOPICS.decisionRecorded, outcome: 'duplicate' }),
    ).toBeGreaterThanOrEqual(1);
    await poll(
      async () => (ofCase(story).filter((n) => n.notice.kind !== 'acknowledgement').length >= 3 ? true : undefined),
      20000,
      'outcome and closing notices',
    );
    await new Promise((r) => setTimeout(r, 1000)); // room for any second copy to arrive
    const counts = ofCase(story).reduce<Record<string, number>>(
      (acc, n) => ((acc[`${n.notice.kind}:${n.notice.recipient}`] = (acc[`${n.notice.kind}:${n.notice.recipient}`] ?? 0) + 1), acc),
      {},
    );
    expect(counts).toEqual({
      'acknowledgement:Example Constabulary': 1,
      'outcome:Example Constabulary': 1,
      'closing:health': 1,
      'closing:education': 1,
    });
    const { rows } = await db.query(
      `SELECT kind, count(*)::int AS n FROM notifier.notices WHERE case_id = $1 GROUP BY kind ORDER BY kind`,
      [story.caseId],
    );
    expect(rows).toEqual([
      { kind: 'acknowledgement', n: 1 },
      { kind: 'closing', n: 2 },
      { kind: 'outcome', n: 1 },
    ]);
  }, 30000);

  it('no notice on any topic carries a chronology entry, a dissent, or anything else from the fixtures it must not', () => {
    const all = notices();
    expect(all.length).toBeGreaterThan(20);
    // The fixtures did carry these strings into the notifier: the chronology in caseReady, the dissent in the decision.
    for (const { notice } of all) {
      const s = JSON.stringify(notice);
      const leaked = SENSITIVE_STRINGS.filter((secret) => s.includes(secret));
      expect({ noticeId: notice.noticeId, leaked }).toEqual({ noticeId: notice.noticeId, leaked: [] });
    }
  });
});
