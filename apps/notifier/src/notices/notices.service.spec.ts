import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { CaseRated, CaseReady, Contact, ContactReceived, DecisionRecorded, noticeIssuedTopic } from '@mash/contracts';
import { exampleContact, validExamples } from '@mash/contracts/examples';
import { KafkaPort, messagingTablesMigration, Outbox, outboxEnvelopes } from '@mash/messaging';
import { NotifierTables1700000000400 } from '../migrations/1700000000400-notifier-tables';
import { NoticeDelivery1700000000401 } from '../migrations/1700000000401-notice-delivery';
import { NotifierRetention1700000000402 } from '../migrations/1700000000402-notifier-retention';
import { NoticesByCase1700000001920 } from '../migrations/1700000001920-notices-by-case';
import { NoticeSender } from '../sending/noticeSender';
import { DeliveryWorker } from '../sending/deliveryWorker';
import { noticeDeliveryRows } from '../sending/noticeDelivery.repository';
import { NoticesRepository } from './notices.repository';
import { NoticesService } from './notices.service';
import { disclosureAuditMigrationsFor } from '@mash/platform';
import { countingQueries } from '../../../../test/support/statementCount';

/**
 * The notices a case owes, on real Postgres with the notifier's tables and its real outbox (the
 * relay is not started: what would go to Kafka is read from the outbox table). Two referrers on one
 * case (the second report joined the first's case) and every event of the case handled in its own
 * transaction, all at once in parallel, for many cases, the decision told twice: each referrer gets
 * one acknowledgement and one outcome notice, each contributor one closing notice, never two.
 */
const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const dbName = `mash_notsvc_${randomBytes(4).toString('hex')}`;
let ds: DataSource;
let port: KafkaPort;
let service: NoticesService;

beforeAll(async () => {
  const admin = new Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${dbName}`;
  ds = new DataSource({
    type: 'postgres',
    url: url.toString(),
    migrationsTableName: 'migrations',
    extra: { max: 16 },
    migrations: [
      messagingTablesMigration('notifier'),
      NotifierTables1700000000400,
      NoticeDelivery1700000000401,
      NotifierRetention1700000000402,
      NoticesByCase1700000001920,
      ...disclosureAuditMigrationsFor('notifier'),
    ],
  });
  await ds.initialize();
  await ds.query(`CREATE SCHEMA notifier`);
  await ds.runMigrations();
  // Never connected: the outbox is only written here, its relay is not started.
  port = new KafkaPort({ brokers: ['127.0.0.1:1'], clientId: 'notices-spec', prefix: '' });
  service = new NoticesService(new NoticeSender(new Outbox(ds, port, 'notifier', 'notifier')), new NoticesRepository());
}, 60000);

afterAll(async () => {
  await ds?.destroy();
  const admin = new Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.end();
});

const received = (contactId: string, agency: 'police' | 'health', organisation: string): ContactReceived => ({
  contactId,
  receivedAt: '2026-11-23T09:00:00.000Z',
  sourceAgency: agency,
  contact: {
    ...exampleContact,
    agencyReference: contactId,
    referrer: { ...exampleContact.referrer, organisation, channel: { kind: 'topic' } },
  } as Contact,
});

function caseEvents(caseId: string): ((m: EntityManager) => Promise<void>)[] {
  const [a, b] = [`${caseId}-CT-a`, `${caseId}-CT-b`];
  const rated = (contactId: string, over: Partial<CaseRated> = {}): CaseRated => ({
    ...validExamples.caseRated,
    caseId,
    contactId,
    stage: 'start',
    deadline: '2026-11-24T09:00:00.000Z',
    ...over,
  });
  const ready: CaseReady = { ...validExamples.caseReady, caseId, replied: ['health', 'education'], missing: [] };
  const decision: DecisionRecorded = { ...validExamples.decisionRecorded, caseId, contactId: a, decisionId: `DC-${caseId}` };
  return [
    (m) => service.contactReceived(received(a, 'police', 'Example Constabulary'), m),
    (m) => service.contactReceived(received(b, 'health', 'Example Surgery'), m),
    (m) => service.caseRated(rated(a), m),
    (m) => service.caseRated(rated(b, { duplicateOf: a, checkPlan: [] }), m),
    (m) => service.caseReady(ready, m),
    (m) => service.decisionRecorded(decision, '2026-11-23T16:05:00.000Z', m),
    // The same decision again, as a producer retry would publish it under a new envelope.
    (m) => service.decisionRecorded(decision, '2026-11-23T16:05:00.000Z', m),
  ];
}

function shuffle<T>(xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

describe('notices under parallel and reordered delivery', () => {
  it('one acknowledgement and one outcome notice per referrer, one closing notice per contributor', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `CS-par-${i}`);
    // Every event of every case in its own transaction, all started together, each case's order shuffled.
    await Promise.all(ids.flatMap((id) => shuffle(caseEvents(id)).map((run) => ds.transaction('READ COMMITTED', run))));
    for (const caseId of ids) {
      const rows: { kind: string; contact_id: string | null; recipient: string; n: number }[] = await ds.query(
        `SELECT kind, contact_id, recipient, count(*)::int AS n FROM notifier.notices WHERE case_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
        [caseId],
      );
      expect({ caseId, rows }).toEqual({
        caseId,
        rows: [
          { kind: 'acknowledgement', contact_id: `${caseId}-CT-a`, recipient: 'Example Constabulary', n: 1 },
          { kind: 'acknowledgement', contact_id: `${caseId}-CT-b`, recipient: 'Example Surgery', n: 1 },
          { kind: 'closing', contact_id: `${caseId}-CT-a`, recipient: expect.any(String), n: 1 },
          { kind: 'closing', contact_id: `${caseId}-CT-a`, recipient: expect.any(String), n: 1 },
          { kind: 'outcome', contact_id: `${caseId}-CT-a`, recipient: 'Example Constabulary', n: 1 },
          { kind: 'outcome', contact_id: `${caseId}-CT-b`, recipient: 'Example Surgery', n: 1 },
        ],
      });
      // And what goes out: each outcome notice once on its referrer's agency topic.
      const issued = (
        await outboxEnvelopes<{ kind: string }>(ds, 'notifier', { key: caseId, topicLike: 'mash.notice.%.issued.v1' })
      ).filter((e) => e.data.kind === 'outcome');
      const out = [...new Set(issued.map((e) => e.type))]
        .sort()
        .map((topic) => ({ topic, n: issued.filter((e) => e.type === topic).length }));
      expect(out).toEqual([
        { topic: noticeIssuedTopic('health'), n: 1 },
        { topic: noticeIssuedTopic('police'), n: 1 },
      ]);
    }
  }, 60000);

  it('a case told again what it was told before issues nothing: no notice is composed into a write twice', async () => {
    const caseId = 'CS-again';
    for (const run of caseEvents(caseId)) await ds.transaction('READ COMMITTED', run);
    const before: { n: number }[] = await ds.query(`SELECT count(*)::int AS n FROM notifier.notices WHERE case_id = $1`, [caseId]);
    expect(before[0].n).toBe(6);
    const issue = jest.spyOn(NoticeSender.prototype, 'issue');
    try {
      for (const run of caseEvents(caseId)) await ds.transaction('READ COMMITTED', run);
      expect(issue).not.toHaveBeenCalled();
    } finally {
      issue.mockRestore();
    }
  }, 60000);
});

/** Runs one event's handling in its own transaction, counting the statements it sends. */
async function counted(run: (m: EntityManager) => Promise<void>): Promise<number> {
  let n = 0;
  await ds.transaction('READ COMMITTED', (m) => run(countingQueries(m, () => n++)));
  return n;
}

describe('what a case costs the notifier in statements', () => {
  // Under a burst every statement is paid for every contact (docs/architecture.md "Runs of messages"):
  // what an event owes is issued in a fixed number of statements, however many notices that is.
  it('a decision owing four notices costs no more statements than a rating owing one', async () => {
    const caseId = 'CS-count';
    const [receivedA, receivedB, ratedA, ratedB, ready, decision, decisionAgain] = caseEvents(caseId);
    // The referrer kept under the contact's lock, then the contact's case looked up (none yet).
    expect(await counted(receivedA)).toBe(2);
    await counted(receivedB);
    const ratingOwingOne = await counted(ratedA);
    await counted(ratedB);
    await counted(ready);
    const before: { n: number }[] = await ds.query(`SELECT count(*)::int AS n FROM notifier.notices WHERE case_id = $1`, [caseId]);
    const decisionOwingFour = await counted(decision);
    const after: { n: number }[] = await ds.query(`SELECT count(*)::int AS n FROM notifier.notices WHERE case_id = $1`, [caseId]);
    expect(after[0].n - before[0].n).toBe(4);
    // The event's record under its locks, read the case, insert the notices, their disclosures,
    // then their attempts, settlements and events in one statement.
    expect(ratingOwingOne).toBeLessThanOrEqual(5);
    expect(decisionOwingFour).toBeLessThanOrEqual(ratingOwingOne);
    // Told again: the decision refused by its key under the lock, and one read.
    expect(await counted(decisionAgain)).toBe(2);
  }, 60000);
});

describe("the delivery worker's poll", () => {
  it('costs one statement and no transaction when nothing is due, and takes a due notice in a transaction', async () => {
    let statements = 0;
    let transactions = 0;
    const counting = new Proxy(ds, {
      get: (target, prop, receiver) => {
        if (prop === 'query') return (...args: Parameters<DataSource['query']>) => (statements++, target.query(...args));
        if (prop === 'transaction')
          return (...args: unknown[]) => (transactions++, (target.transaction as (...a: unknown[]) => unknown)(...args));
        return Reflect.get(target, prop, receiver);
      },
    });
    const outbox = new Outbox(ds, port, 'notifier', 'notifier');
    const worker = new DeliveryWorker(counting, outbox, new NoticeSender(outbox));
    await ds.query(`UPDATE notifier.notices SET status = 'delivered' WHERE status = 'pending'`);
    expect(await worker.deliverOne()).toBe(false);
    expect({ statements, transactions }).toEqual({ statements: 1, transactions: 0 });

    // A webhook notice whose endpoint is not registered: due now, so the poll takes it and tries it.
    const notice = { ...validExamples.noticeIssued, noticeId: 'notice-poll-1', caseId: 'CS-poll' };
    await ds.transaction((m) =>
      noticeDeliveryRows.insertNew(m, [
        { notice, channel: { kind: 'webhook', endpoint: 'nowhere' } as { kind: string }, agency: 'police' },
      ]),
    );
    expect(await worker.deliverOne()).toBe(true);
    expect(transactions).toBe(1);
    const [row]: { attempts: number }[] = await ds.query(`SELECT attempts FROM notifier.notices WHERE notice_id = 'notice-poll-1'`);
    expect(row.attempts).toBe(1);
  }, 30000);
});
