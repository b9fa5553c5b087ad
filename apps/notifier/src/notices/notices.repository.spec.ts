import { DataSource } from 'typeorm';
import { exampleContact, validExamples } from '@mash/contracts/examples';
import { NotifierTables1700000000400 } from '../migrations/1700000000400-notifier-tables';
import { NoticeDelivery1700000000401 } from '../migrations/1700000000401-notice-delivery';
import { NotifierRetention1700000000402 } from '../migrations/1700000000402-notifier-retention';
import { NoticesRepository } from './notices.repository';
import { createServiceDb, ServiceDb } from '../../../../test/support/serviceDb';

/** The notifier's repository on real Postgres with its migrations: rows in, domain values out. */
const repo = new NoticesRepository();
let db: ServiceDb;
let ds: DataSource;

beforeAll(async () => {
  db = await createServiceDb('mash_notrepo', 'notifier', [
    NotifierTables1700000000400,
    NoticeDelivery1700000000401,
    NotifierRetention1700000000402,
  ]);
  ds = db.ds;
}, 60000);

afterAll(() => db?.drop());

describe('notices repository', () => {
  it('gives every referrer of a case, once both halves are known, with Dates, and the start deadline kept', async () => {
    await ds.transaction(async (m) => {
      const referrer = exampleContact.referrer;
      await repo.keepReferrer(
        m,
        {
          contactId: 'CT-1',
          sourceAgency: 'police',
          agencyReference: 'R1',
          referrer,
          receivedAt: '2026-11-23T09:00:00.000Z',
        },
        [['contact', 'CT-1']],
      );
      await repo.keepReferrer(
        m,
        {
          contactId: 'CT-2',
          sourceAgency: 'health',
          agencyReference: 'R2',
          referrer,
          receivedAt: '2026-11-23T09:05:00.000Z',
        },
        [['contact', 'CT-2']],
      );
      // A contact with only its rating known (its contactReceived not here yet) is no referrer yet.
      await repo.attach(
        m,
        {
          contactId: 'CT-3',
          caseId: 'CS-1',
          deadline: '2026-11-24T09:00:00.000Z',
          ratedAt: '2026-11-23T09:06:00.000Z',
          stage: 'start',
        },
        [
          ['contact', 'CT-3'],
          ['case', 'CS-1'],
        ],
      );
      await repo.attach(
        m,
        {
          contactId: 'CT-1',
          caseId: 'CS-1',
          deadline: '2026-11-24T09:00:00.000Z',
          ratedAt: '2026-11-23T09:01:00.000Z',
          stage: 'start',
        },
        [
          ['contact', 'CT-1'],
          ['case', 'CS-1'],
        ],
      );
      await repo.attach(
        m,
        {
          contactId: 'CT-2',
          caseId: 'CS-1',
          deadline: '2026-11-24T09:00:00.000Z',
          ratedAt: '2026-11-23T09:06:00.000Z',
          stage: 'start',
        },
        [
          ['contact', 'CT-2'],
          ['case', 'CS-1'],
        ],
      );
      // The end-of-checks re-rating moves the case's deadline, not the promise made to the referrer.
      await repo.attach(
        m,
        {
          contactId: 'CT-1',
          caseId: 'CS-1',
          deadline: '2026-11-23T13:00:00.000Z',
          ratedAt: '2026-11-23T12:00:00.000Z',
          stage: 'end',
        },
        [
          ['contact', 'CT-1'],
          ['case', 'CS-1'],
        ],
      );
      const { referrers } = await repo.caseOnRecord(m, 'CS-1');
      expect(referrers.map((r) => r.contactId)).toEqual(['CT-1', 'CT-2']);
      expect(referrers[0].receivedAt).toBeInstanceOf(Date);
      expect(referrers[0].receivedAt.toISOString()).toBe('2026-11-23T09:00:00.000Z');
      expect(referrers[0].deadline?.toISOString()).toBe('2026-11-24T09:00:00.000Z');
      expect(await repo.lockCaseOf(m, 'CT-3')).toBe('CS-1');
      expect(await repo.lockCaseOf(m, 'CT-9')).toBeUndefined();
    });
  });

  it('keeps each decision and contributor once however often it is told', async () => {
    await ds.transaction(async (m) => {
      const d = { ...validExamples.decisionRecorded, caseId: 'CS-2', decisionId: 'DC-2' };
      await repo.keepDecision(m, d, '2026-11-23T16:05:00.123Z', [['case', 'CS-2']]);
      await repo.keepDecision(m, d, '2026-11-23T16:09:00.000Z', [['case', 'CS-2']]);
      await repo.addContributors(m, 'CS-2', ['police', 'health'], [['case', 'CS-2']]);
      await repo.addContributors(m, 'CS-2', ['health', 'education'], [['case', 'CS-2']]);
      await repo.addContributors(m, 'CS-2', [], [['case', 'CS-2']]);
      const { decisions, contributors, noticeIds } = await repo.caseOnRecord(m, 'CS-2');
      expect(decisions).toHaveLength(1);
      expect(decisions[0].publishedAt.toISOString()).toBe('2026-11-23T16:05:00.123Z');
      expect(decisions[0].decision.decisionId).toBe('DC-2');
      expect(contributors).toEqual(['education', 'health', 'police']);
      expect(noticeIds.size).toBe(0);
    });
  });

  it("takes a write's locks before it writes, in the same statement: a holder's commit comes first, and what is read after sees it", async () => {
    const holder = ds.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await repo.lock(holder.manager, ['case', 'CS-L']);
    await holder.query(`INSERT INTO notifier.contributors (case_id, agency) VALUES ('CS-L', 'police')`);
    let wrote = false;
    const writer = ds.transaction(async (m) => {
      await repo.keepDecision(m, { ...validExamples.decisionRecorded, caseId: 'CS-L', decisionId: 'DC-L' }, '2026-11-23T16:05:00.000Z', [
        ['case', 'CS-L'],
      ]);
      wrote = true;
      return repo.caseOnRecord(m, 'CS-L');
    });
    try {
      await new Promise((r) => setTimeout(r, 400));
      expect(wrote).toBe(false);
      // The writer waits on the advisory lock having written nothing yet (no transaction id taken).
      const waiting: { xid: string | null }[] = await ds.query(
        `SELECT backend_xid::text AS xid FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory'`,
      );
      expect(waiting).toEqual([{ xid: null }]);
    } finally {
      await holder.commitTransaction();
      await holder.release();
    }
    const record = await writer;
    expect(wrote).toBe(true);
    expect(record.contributors).toEqual(['police']);
    expect(record.decisions.map((d) => d.decision.decisionId)).toEqual(['DC-L']);
  });
});
