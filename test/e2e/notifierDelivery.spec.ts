import http from 'node:http';
import { Client } from 'pg';
import { DeadLetter, NoticeDelivered, NoticeIssued, TOPICS } from '@mash/contracts';
import { KafkaPort, openRaw } from '@mash/messaging';
import { verifySignature } from '@mash/contracts';
import { startLocalSmtp, LocalSmtp } from '../../apps/notifier/src/delivery';
import { GP, SENSITIVE_STRINGS } from '../../apps/notifier/src/outcomeNotice/fixtures';
import { startTestHub, TestHub } from '../support/hub';
import { freePort } from '../support/ports';
import { poll, TopicWatcher } from '../support/topics';
import { caseStory, decisionEnvelope, metric, publisher, publishUpToReady, runReplay, sendEnvelope } from './notifierEvents';

const SECRET = 'health-adapter-e2e-secret-0001';

/**
 * Delivery on the referrer's own channel, with the notifier as a real process on real Kafka and
 * Postgres: a health adapter's webhook that is down at first (retries, dead letter, replay, then
 * a signed delivery), and a school's secure email through a local SMTP server.
 */
describe('notifier delivery: webhook retries, dead letter and replay; email', () => {
  let hub: TestHub;
  let port: KafkaPort;
  let watcher: TopicWatcher;
  let smtp: LocalSmtp;
  let db: Client;
  let webhookPort: number;
  let orgPort: number;

  beforeAll(async () => {
    webhookPort = await freePort();
    orgPort = await freePort();
    smtp = await startLocalSmtp(0);
    hub = await startTestHub(
      [],
      {
        MASH_WEBHOOK_SECRETS: `health=${SECRET},police=police-adapter-e2e-secret-01`,
        // The registry ops configure: health's endpoint, and one GP practice's own (ODS code Y77777).
        // Police has none. The addresses contacts name are never here.
        MASH_WEBHOOK_ENDPOINTS: `health=http://127.0.0.1:${webhookPort}/mash/notices,health:Y77777=http://127.0.0.1:${orgPort}/practice/notices`,
        MASH_NOTICE_MAX_ATTEMPTS: '3',
        MASH_NOTICE_BACKOFF_BASE_MS: '200',
        MASH_NOTICE_BACKOFF_MAX_MS: '400',
        MASH_NOTICE_POLL_MS: '50',
        MASH_WEBHOOK_TIMEOUT_MS: '2000',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtp.port),
        // The digest of the current day, polled often: the day's outcome arrives during the test.
        MASH_DIGEST_ENABLED: 'true',
        MASH_DIGEST_LAG_DAYS: '0',
        MASH_DIGEST_POLL_MS: '300',
      },
      { services: ['notifier'] },
    );
    port = publisher(hub.env);
    watcher = new TopicWatcher(hub.env.KAFKA_BROKERS, hub.env.MASH_TOPIC_PREFIX);
    await watcher.watch([TOPICS.deadLetter, TOPICS.noticeDelivered]);
    db = new Client({ connectionString: hub.env.DATABASE_URL });
    await db.connect();
  }, 90000);

  afterAll(async () => {
    await db?.end();
    await watcher?.stop();
    await port?.close();
    await hub?.stop();
    await smtp?.close();
  }, 60000);

  const receipts = () => watcher.seen.filter((e) => e.topic === TOPICS.noticeDelivered).map((e) => e.envelope.data as NoticeDelivered);

  it('a webhook receiver that is down gets retries, then the dead-letter topic, then a replay delivers a signed notice', async () => {
    // What the contact names does not matter: health's registered endpoint is what is called.
    const url = 'https://contact-named.example/ignored';
    const story = caseStory('WH1', {
      referrer: { ...GP, channel: { kind: 'webhook', url } },
      sourceAgency: 'health',
      outcomes: ['early-help'],
    });
    await publishUpToReady(port, story);
    await sendEnvelope(port, decisionEnvelope(story));

    const outcomeRow = await poll(
      async () => {
        const { rows } = await db.query(`SELECT notice_id FROM notifier.notices WHERE contact_id = $1 AND kind = 'outcome'`, [
          story.contactId,
        ]);
        return rows[0] as { notice_id: string } | undefined;
      },
      20000,
      'outcome notice row',
    );
    const outcomeId = outcomeRow.notice_id;

    // Retries: the attempt count grows while the receiver refuses connections.
    const attemptCounts: number[] = [];
    await poll(
      async () => {
        const { rows } = await db.query(
          `SELECT count(*)::int AS n FROM notifier.delivery_attempts WHERE notice_id = $1 AND status = 'failed'`,
          [outcomeId],
        );
        if (attemptCounts.at(-1) !== rows[0].n) attemptCounts.push(rows[0].n);
        return rows[0].n >= 3 ? true : undefined;
      },
      20000,
      'three failed attempts',
    );
    expect(attemptCounts.length).toBeGreaterThanOrEqual(2);
    expect(attemptCounts).toEqual([...attemptCounts].sort((a, b) => a - b));

    // Then the dead-letter topic, with the reason and the replay command.
    const letter = await watcher.waitFor<DeadLetter>(
      (e) => e.topic === TOPICS.deadLetter && e.envelope.data.reason.includes(outcomeId),
      20000,
    );
    expect(letter.envelope.data.attempts).toBe(3);
    expect(letter.envelope.data.reason).toMatch(/ECONNREFUSED/);
    expect(letter.envelope.data.reason).toContain(`npm run replay:notices -- --notice ${outcomeId}`);
    expect((JSON.parse(openRaw(letter.envelope.data).value) as NoticeIssued).noticeId).toBe(outcomeId);
    const failedReceipt = await watcher.waitFor<NoticeDelivered>(
      (e) => e.topic === TOPICS.noticeDelivered && e.envelope.data.noticeId === outcomeId,
      10000,
    );
    expect(failedReceipt.envelope.data).toMatchObject({ status: 'failed', channel: 'webhook', attempts: 3 });
    const { rows: dead } = await db.query(`SELECT status, attempts FROM notifier.notices WHERE notice_id = $1`, [outcomeId]);
    expect(dead[0]).toEqual({ status: 'dead-lettered', attempts: 3 });
    // Parked means parked: no more attempts while nobody replays it.
    await new Promise((r) => setTimeout(r, 800));
    const { rows: still } = await db.query(`SELECT count(*)::int AS n FROM notifier.delivery_attempts WHERE notice_id = $1`, [outcomeId]);
    expect(still[0].n).toBe(3);

    // The receiver comes up; an operator replays every dead-lettered notice (the acknowledgement too).
    const received: { body: string; notice: NoticeIssued; valid: boolean; wrongSecret: boolean }[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const sig = req.headers['x-mash-signature'] as string | undefined;
        const ts = req.headers['x-mash-timestamp'] as string | undefined;
        received.push({
          body,
          notice: JSON.parse(body),
          valid: verifySignature(body, sig, SECRET, ts),
          wrongSecret: verifySignature(body, sig, 'police-adapter-e2e-secret-01', ts),
        });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(webhookPort, '127.0.0.1', r));
    try {
      const { rows: deadIds } = await db.query(
        `SELECT notice_id FROM notifier.notices WHERE status = 'dead-lettered' AND case_id = $1 ORDER BY notice_id`,
        [story.caseId],
      );
      expect(deadIds.length).toBe(2); // acknowledgement and outcome, both to the same receiver

      const replay = await runReplay(hub.env, ['--all-dead', '--by', 'e2e-operator', '--reason', 'receiver back up']);
      expect({ code: replay.code, stderr: replay.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(replay.stdout)).toMatchObject({ replayed: 2 });

      const delivered = await watcher.waitFor<NoticeDelivered>(
        (e) => e.topic === TOPICS.noticeDelivered && e.envelope.data.noticeId === outcomeId && e.envelope.data.status === 'delivered',
        20000,
      );
      expect(delivered.envelope.data).toMatchObject({
        channel: 'webhook',
        kind: 'outcome',
        caseId: story.caseId,
        attempts: 1,
        detail: 'HTTP 204',
      });
      await poll(async () => (received.length >= 2 ? true : undefined), 10000, 'two webhook deliveries');
      const outcome = received.find((r) => r.notice.noticeId === outcomeId)!;
      expect(outcome.valid).toBe(true);
      expect(outcome.wrongSecret).toBe(false);
      expect(outcome.notice.outcomes).toEqual(['early-help']);
      expect(received.map((r) => r.notice.kind).sort()).toEqual(['acknowledgement', 'outcome']);

      const { rows: after } = await db.query(`SELECT status, replays FROM notifier.notices WHERE notice_id = $1`, [outcomeId]);
      expect(after[0]).toEqual({ status: 'delivered', replays: 1 });
      const { rows: audit } = await db.query(`SELECT requested_by, reason FROM notifier.replays WHERE notice_id = $1`, [outcomeId]);
      expect(audit).toEqual([{ requested_by: 'e2e-operator', reason: 'receiver back up' }]);

      // A second replay finds nothing dead and resends nothing.
      const again = await runReplay(hub.env, ['--notice', outcomeId]);
      expect(again.code).toBe(1);
      expect(JSON.parse(again.stdout)).toMatchObject({ replayed: 0, refused: [{ noticeId: outcomeId, status: 'delivered' }] });
      await new Promise((r) => setTimeout(r, 500));
      expect(received.length).toBe(2);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 90000);

  it('a contact naming a webhook URL cannot make the notifier call it: registered endpoints only, else no channel (counted)', async () => {
    /** A counting HTTP server: what a contact might name (an internal address), or the practice's registered endpoint. */
    const counting = async (port: number) => {
      const hits: { path: string; body: string; valid: boolean }[] = [];
      const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          hits.push({
            path: req.url ?? '',
            body,
            valid: verifySignature(body, req.headers['x-mash-signature'] as string, SECRET, req.headers['x-mash-timestamp'] as string),
          });
          res.statusCode = 204;
          res.end();
        });
      });
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
      return {
        hits,
        port,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      };
    };
    const internal = await counting(await freePort());
    const practice = await counting(orgPort);
    try {
      const internalUrl = (path: string) => `http://127.0.0.1:${internal.port}${path}`;
      // A GP practice ops registered: its notices reach the practice's endpoint, not the one the contact names.
      const gp = caseStory('WH2', {
        referrer: { ...GP, odsCode: 'Y77777', channel: { kind: 'webhook', url: internalUrl('/admin/reset') } },
        sourceAgency: 'health',
        outcomes: ['nfa'],
      });
      // Police registered no endpoint: the webhook a police contact names gets no notice at all.
      const police = caseStory('WH3', {
        referrer: {
          name: 'PC Example',
          organisation: 'Example Constabulary',
          source: '5A',
          channel: { kind: 'webhook', url: internalUrl('/steal') },
        },
        sourceAgency: 'police',
        outcomes: ['nfa'],
      });
      for (const story of [gp, police]) {
        await publishUpToReady(port, story);
        await sendEnvelope(port, decisionEnvelope(story));
      }

      await poll(async () => (practice.hits.length >= 2 ? true : undefined), 20000, "two notices at the practice's registered endpoint");
      expect(practice.hits.map((h) => h.path)).toEqual(['/practice/notices', '/practice/notices']);
      expect(practice.hits.every((h) => h.valid)).toBe(true);
      expect(practice.hits.map((h) => (JSON.parse(h.body) as NoticeIssued).kind).sort()).toEqual(['acknowledgement', 'outcome']);

      const policeRows = await poll(
        async () => {
          const { rows } = await db.query(
            `SELECT kind, status, channel FROM notifier.notices WHERE contact_id = $1 AND kind IN ('acknowledgement', 'outcome') ORDER BY kind`,
            [police.contactId],
          );
          return rows.length >= 2 ? rows : undefined;
        },
        20000,
        "the police referrer's notices",
      );
      expect(policeRows).toEqual([
        { kind: 'acknowledgement', status: 'no-channel', channel: { kind: 'none', reason: 'no-registered-endpoint' } },
        { kind: 'outcome', status: 'no-channel', channel: { kind: 'none', reason: 'no-registered-endpoint' } },
      ]);
      await poll(
        async () => (receipts().filter((r) => r.caseId === police.caseId && r.status === 'no-channel').length === 2 ? true : undefined),
        10000,
        'two no-channel receipts',
      );
      expect(receipts().find((r) => r.caseId === police.caseId && r.status === 'no-channel')?.detail).toBe(
        'no channel: no-registered-endpoint',
      );
      const counted = await metric(`http://127.0.0.1:${hub.ports.notifier}/metrics`, 'mash_notices_no_channel_total', {
        kind: 'outcome',
        reason: 'no-registered-endpoint',
      });
      expect(counted).toBeGreaterThanOrEqual(1);

      // Neither contact's own address was ever called; the stored rows keep the registry key, not an address.
      await new Promise((r) => setTimeout(r, 500));
      expect(internal.hits).toEqual([]);
      const { rows: gpRows } = await db.query(
        `SELECT DISTINCT channel FROM notifier.notices WHERE contact_id = $1 AND kind IN ('acknowledgement', 'outcome')`,
        [gp.contactId],
      );
      expect(gpRows).toEqual([{ channel: { kind: 'webhook', endpoint: 'health:Y77777' } }]);
    } finally {
      await internal.close();
      await practice.close();
    }
  }, 60000);

  it('an email referrer (a school) gets the acknowledgement and the outcome through SMTP, with receipts', async () => {
    const before = smtp.messages.length;
    const story = caseStory('EM1', {
      referrer: {
        name: 'Mrs K Patel',
        role: 'Designated Safeguarding Lead',
        organisation: 'Example Primary School',
        source: '2A',
        channel: { kind: 'email', address: 'dsl@example-primary.sch.uk' },
      },
      sourceAgency: 'education',
      outcomes: ['nfa', 'signposting'],
    });
    await publishUpToReady(port, story);
    await sendEnvelope(port, decisionEnvelope(story));
    const mails = await poll(
      async () => {
        const mine = smtp.messages.slice(before).filter((m) => m.headers['x-mash-notice-kind'] !== 'digest');
        return mine.length >= 2 ? mine : undefined;
      },
      20000,
      'two notice emails',
    );
    expect(mails).toHaveLength(2);
    expect(mails.every((m) => m.envelopeTo.includes('dsl@example-primary.sch.uk'))).toBe(true);
    const outcome = mails.find((m) => m.headers['x-mash-notice-kind'] === 'outcome')!;
    expect(outcome.subject).toBe('MASH: outcome of your contact (ref REF-EM1)');
    expect(outcome.text).toContain('Signposted to universal or community services');
    expect(outcome.text).toContain("No further action by children's social care");
    const ack = mails.find((m) => m.headers['x-mash-notice-kind'] === 'acknowledgement')!;
    expect(ack.text).toContain('Timescale: a decision is due by 24 November 2026');
    await poll(
      async () =>
        receipts().filter((r) => r.caseId === story.caseId && r.channel === 'email' && r.status === 'delivered').length === 2
          ? true
          : undefined,
      10000,
      'two email receipts',
    );

    // The organisation's daily digest lists the no-further-action outcome by reference, once.
    const digest = await poll(
      async () => smtp.messages.find((m) => m.headers['x-mash-notice-kind'] === 'digest'),
      15000,
      'daily digest email',
    );
    expect(digest.envelopeTo).toEqual(['dsl@example-primary.sch.uk']);
    expect(digest.text).toContain('To: Example Primary School');
    expect(digest.text).toContain('Your ref REF-EM1');
    expect(digest.text).toContain('No further action (1)');
    for (const secret of SENSITIVE_STRINGS) expect(digest.text).not.toContain(secret);
    const { rows } = await db.query(`SELECT status, attempts FROM notifier.digests WHERE organisation = 'Example Primary School'`);
    expect(rows).toEqual([{ status: 'delivered', attempts: 1 }]);
    await new Promise((r) => setTimeout(r, 700)); // two more digest polls: still one digest
    expect(smtp.messages.filter((m) => m.headers['x-mash-notice-kind'] === 'digest')).toHaveLength(1);
  }, 40000);
});
