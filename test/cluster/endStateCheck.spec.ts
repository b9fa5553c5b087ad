import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { checkRequestedTopic, noticeIssuedTopic, TOPICS } from '@mash/contracts';
import { checkEndState } from '../support/endState';
import { LoggedMessage, LogReader } from '../support/logReader';

const REFERRER = noticeIssuedTopic('police');

/**
 * The end-state check that the broker-kill and scale-out tests rely on must itself fail when an
 * effect is missing or doubled: a well-formed contact passes, and each kind of fault planted in the
 * tables or on the log is named. Real Postgres (a scratch database with the columns the check
 * reads); the log records go through LogReader's own bookkeeping, without a broker.
 */
describe('end-state check: finds every missing or doubled effect', () => {
  const admin = new Client({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
  const name = `mash_endstate_${randomBytes(4).toString('hex')}`;
  let db: Client;
  let log: LogReader;
  let offset = 0;

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    url.pathname = `/${name}`;
    db = new Client({ connectionString: url.toString() });
    await db.connect();
    await db.query(`
      CREATE SCHEMA triage; CREATE SCHEMA checks; CREATE SCHEMA notifier;
      CREATE TABLE triage.cases (case_id text, contact_id text, check_plan jsonb, duplicate_of text);
      CREATE TABLE triage.contacts (contact_id text, case_id text);
      CREATE TABLE checks.cases (case_id text, ready_at timestamptz);
      CREATE TABLE checks.requests (case_id text, agency text, replied_at timestamptz);
      CREATE TABLE notifier.notices (contact_id text, kind text, notice_id text);`);
  });

  afterAll(async () => {
    await db?.end();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  const put = (topic: string, id: string, data: object, partition = 0) =>
    log.record({ topic, partition, offset: String(offset++), envelope: { id, type: topic, data } } as unknown as LoggedMessage);

  /** One contact CT-1 -> case CS-1, planned police and health, both replied, ready once, told once. */
  beforeEach(async () => {
    await db.query(`TRUNCATE triage.cases, triage.contacts, checks.cases, checks.requests, notifier.notices`);
    await db.query(`INSERT INTO triage.cases VALUES ('CS-1', 'CT-1', '[{"agency":"police"},{"agency":"health"}]', NULL)`);
    await db.query(`INSERT INTO triage.contacts VALUES ('CT-1', 'CS-1')`);
    await db.query(`INSERT INTO checks.cases VALUES ('CS-1', now())`);
    await db.query(`INSERT INTO checks.requests VALUES ('CS-1', 'police', now()), ('CS-1', 'health', now())`);
    await db.query(
      `INSERT INTO notifier.notices VALUES ('CT-1', 'acknowledgement', 'N-ack'), ('CT-1', 'outcome', 'N-out'), ('CT-1', 'closing', 'N-close')`,
    );
    log = new LogReader('unused', 'unused.');
    put(checkRequestedTopic('police'), 'E-rq-p', { caseId: 'CS-1', agency: 'police', requestId: 'RQ-p' });
    put(checkRequestedTopic('health'), 'E-rq-h', { caseId: 'CS-1', agency: 'health', requestId: 'RQ-h' });
    put(TOPICS.caseReady, 'E-ready', { caseId: 'CS-1' });
    put(REFERRER, 'E-ack', { contactId: 'CT-1', kind: 'acknowledgement', noticeId: 'N-ack' });
    put(REFERRER, 'E-out', { contactId: 'CT-1', kind: 'outcome', noticeId: 'N-out' });
  });

  const check = () => checkEndState(db, log, ['CT-1'], REFERRER);

  it('passes a contact that ended right', async () => {
    expect(await check()).toEqual({ contacts: 1, cases: 1, requests: 2, notices: 3, rewrittenEnvelopes: 0, violations: [] });
  });

  it('counts an envelope written twice to the log without calling it a second effect', async () => {
    put(checkRequestedTopic('police'), 'E-rq-p', { caseId: 'CS-1', agency: 'police', requestId: 'RQ-p' }, 1);
    expect(await check()).toMatchObject({ rewrittenEnvelopes: 1, violations: [] });
  });

  it('names a second request to one agency for one case', async () => {
    put(checkRequestedTopic('police'), 'E-rq-p2', { caseId: 'CS-1', agency: 'police', requestId: 'RQ-p2' });
    expect((await check()).violations).toEqual(['case CS-1: 2 request envelopes (2 request ids) to police']);
  });

  it('names a request to an agency outside the plan, and a planned request that never went out', async () => {
    put(checkRequestedTopic('housing'), 'E-rq-x', { caseId: 'CS-1', agency: 'housing', requestId: 'RQ-x' });
    await db.query(`UPDATE triage.cases SET check_plan = '[{"agency":"police"},{"agency":"health"},{"agency":"education"}]'`);
    expect((await check()).violations).toEqual([
      'case CS-1: requests in checks for health,police, planned education,health,police',
      'case CS-1: request to housing, which is not in its plan',
      'case CS-1: no request to education on its topic',
    ]);
  });

  it('names a request with no reply and a case never ready', async () => {
    await db.query(`UPDATE checks.requests SET replied_at = NULL WHERE agency = 'health'`);
    await db.query(`UPDATE checks.cases SET ready_at = NULL`);
    expect((await check()).violations).toEqual(['case CS-1: no reply recorded from health', 'case CS-1: not ready in checks']);
  });

  it('names readiness declared twice', async () => {
    put(TOPICS.caseReady, 'E-ready-2', { caseId: 'CS-1' });
    expect((await check()).violations).toEqual(['case CS-1: readiness declared 2 times']);
  });

  it('names a second outcome notice, in the notifier and on the topic', async () => {
    await db.query(`INSERT INTO notifier.notices VALUES ('CT-1', 'outcome', 'N-out-2')`);
    put(REFERRER, 'E-out-2', { contactId: 'CT-1', kind: 'outcome', noticeId: 'N-out-2' });
    expect((await check()).violations).toEqual([
      'contact CT-1: 2 outcome notices in the notifier',
      `contact CT-1: 2 outcome notices (2 envelopes) on ${REFERRER}`,
    ]);
  });

  it('names a contact with two cases, and one with none', async () => {
    await db.query(`INSERT INTO triage.cases VALUES ('CS-2', 'CT-1', '[]', NULL)`);
    expect((await check()).violations[0]).toBe('contact CT-1: 2 cases');
    expect((await checkEndState(db, log, ['CT-1', 'CT-9'], REFERRER)).violations).toContain('contact CT-9: no case');
  });

  it('names anything parked in the dead-letter topic', async () => {
    put(TOPICS.deadLetter, 'E-dl', {
      originalTopic: TOPICS.caseReady,
      consumer: 'gateway',
      reason: 'precondition not met: no contact yet',
    });
    expect((await check()).violations).toEqual([`dead letter from gateway on ${TOPICS.caseReady}: precondition not met: no contact yet`]);
  });
});
