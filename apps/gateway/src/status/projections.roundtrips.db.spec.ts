import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import type { CaseRated, CaseReady, CheckChased, CheckReplied, DecisionRecorded, NoticeDelivered, TeamsAlerted } from '@mash/contracts';
import { MessageContext, Outbox } from '@mash/messaging';
import { BoardHandlers } from '../board/board.handlers';
import { BoardProjection } from '../board/board.projection';
import { StatusHandlers } from './status.handlers';
import { StatusProjection } from './status.projection';
import { createServiceDb, ServiceDb } from '../../../../test/support/serviceDb';
import { PROJECTION_MIGRATIONS } from './projectionTables.fixtures';
import { countingQueries } from '../../../../test/support/statementCount';

/**
 * What each event costs the gateway's projections in statements, on real Postgres: the gateway
 * handles every event of every contact (a rating, alert, replies, readiness, re-rating, decision,
 * notice), and each statement costs CPU in the service and in Postgres. Each event writes the case
 * and its contacts (and the board's rows) in one statement; only contention for the case row
 * (status.projection.spec) costs more. Counted at the handler's EntityManager, so the transaction's
 * BEGIN/COMMIT and the inbox are left out (the transport's, the same for every message). The
 * handlers come from Nest's container, wired as the gateway wires them.
 */
let db: ServiceDb;
let status: StatusHandlers;
let board: BoardHandlers;

beforeAll(async () => {
  db = await createServiceDb('gateway_roundtrips', 'gateway', PROJECTION_MIGRATIONS);
  const app = await Test.createTestingModule({
    controllers: [StatusHandlers, BoardHandlers],
    providers: [StatusProjection, BoardProjection],
  }).compile();
  status = app.get(StatusHandlers);
  board = app.get(BoardHandlers);
}, 60_000);

afterAll(() => db?.drop());

const T0 = Date.parse('2026-11-23T09:00:00.000Z');
const at = (min: number) => new Date(T0 + min * 60_000).toISOString();

/** Runs a handler in its own transaction as the transport would, counting the statements it sends. */
async function counted(topic: string, data: unknown, occurredAt: string, fn: (ctx: MessageContext) => Promise<void>): Promise<number> {
  let n = 0;
  await db.ds.transaction('READ COMMITTED', async (m) => {
    const counting = countingQueries(m, () => n++);
    const envelope = { id: `m-${randomBytes(6).toString('hex')}`, type: topic, occurredAt, producer: 'spec', key: 'k', data };
    // The projections publish nothing: no outbox.
    await fn(new MessageContext([{ topic, partition: 0, offset: '0', envelope }, counting, undefined as unknown as Outbox]));
  });
  return n;
}

async function receive(contactId: string, agency: string): Promise<void> {
  await db.ds.query(
    `INSERT INTO gateway.contacts (contact_id, source_agency, agency_reference, received_at, body) VALUES ($1, $2, $1, $3, '{}')`,
    [contactId, agency, at(0)],
  );
  await db.ds.query(`INSERT INTO gateway.contact_status (contact_id, stage, history) VALUES ($1, 'received', $2)`, [
    contactId,
    JSON.stringify([{ at: at(0), stage: 'received' }]),
  ]);
}

it('each event of a contact costs the projections one statement', async () => {
  const [caseId, a, b] = ['CS-rt-1', 'CT-rt-1-a', 'CT-rt-1-b'];
  await receive(a, 'police');
  await receive(b, 'education');
  const agencies = ['police', 'health', 'education'] as const;
  const rating: CaseRated = {
    caseId,
    contactId: a,
    stage: 'start',
    rating: 'RED',
    ruleIds: ['r1'],
    reasons: ['round trips'],
    policyVersion: 'p1',
    ratedAt: at(1),
    deadline: at(1440),
    checkPlan: agencies.map((agency) => ({ agency, categories: ['identity'], dueAt: at(600) })),
    subjects: [],
    lawfulBasis: 'statutory-function',
  };
  const alert: TeamsAlerted = { caseId, contactId: a, alertedAt: at(1), teams: ['MASH duty'], ruleIds: [] };
  const reply = (agency: (typeof agencies)[number], min: number): CheckReplied => ({
    requestId: `RQ-${agency}`,
    caseId,
    agency,
    repliedAt: at(min),
    known: true,
    entries: [],
  });
  const chased: CheckChased = { caseId, requestId: 'RQ-health', agency: 'health', kind: 'reminder', at: at(300), dueAt: at(600) };
  const ready: CaseReady = {
    caseId,
    readyAt: at(400),
    complete: true,
    reason: 'all-replied',
    replied: [...agencies],
    missing: [],
    chronology: [{ agency: 'police', date: '2026-11-20', summary: 'Attended' }],
    revision: 1,
  };
  const end: CaseRated = { ...rating, stage: 'end', checkPlan: [], ratedAt: at(401) };
  const join: CaseRated = { ...rating, contactId: b, checkPlan: [], duplicateOf: a, ratedAt: at(402) };
  const decision: DecisionRecorded = {
    decisionId: `DC-${caseId}`,
    caseId,
    contactId: a,
    decidedAt: at(500),
    decisionMaker: { name: 'Sam Patel', role: 'MASH team manager' },
    outcomes: ['early-help'],
    finalRating: 'RED',
    responsibleTeam: { name: 'Early Help', inHours: '01234 567890' },
  };
  const notice: NoticeDelivered = {
    noticeId: `N-${a}`,
    caseId,
    contactId: a,
    kind: 'outcome',
    recipient: 'org',
    channel: 'topic',
    status: 'delivered',
    attempts: 1,
    at: at(501),
  };

  const costs: Record<string, number> = {};
  costs.rated = await counted('mash.case.rated.v1', rating, at(1), (ctx) => status.rated(rating, ctx));
  costs.alerted = await counted('mash.case.teams-alerted.v1', alert, at(1), (ctx) => status.alerted(alert, ctx));
  for (const [i, agency] of agencies.entries()) {
    const r = reply(agency, 100 + i);
    costs[`replied ${agency}`] = await counted(`mash.check.${agency}.replied.v1`, r, at(100 + i), (ctx) => board.replied(r, ctx));
  }
  costs.chased = await counted('mash.check.chased.v1', chased, at(300), (ctx) => board.chased(chased, ctx));
  costs.ready = await counted('mash.case.ready.v1', ready, at(400), (ctx) => status.ready(ready, ctx));
  costs['re-rated'] = await counted('mash.case.rated.v1', end, at(401), (ctx) => status.rated(end, ctx));
  costs['joined'] = await counted('mash.case.rated.v1', join, at(402), (ctx) => status.rated(join, ctx));
  await db.ds.query(`UPDATE gateway.cases SET decision_id = $2 WHERE case_id = $1`, [caseId, decision.decisionId]);
  costs.decided = await counted('mash.decision.recorded.v1', decision, at(500), (ctx) => status.decided(decision, ctx));
  costs.noticed = await counted('mash.notice.delivered.v1', notice, at(501), (ctx) => status.noticed(notice, ctx));
  console.log(
    `gateway projection statements per event: ${Object.entries(costs)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; ${Object.values(costs).reduce((x, y) => x + y, 0)} in all`,
  );

  // The events were taken in: both referrers follow the case to its decision, the board has its agencies.
  const rows = await db.ds.query(`SELECT contact_id, case_id, stage FROM gateway.contact_status ORDER BY contact_id`);
  expect(rows).toEqual([
    { contact_id: a, case_id: caseId, stage: 'referrer-informed' },
    { contact_id: b, case_id: caseId, stage: 'decided' },
  ]);
  const [picture] = await db.ds.query(
    `SELECT stage, ready, rating_start IS NOT NULL AS start, rating_end IS NOT NULL AS "end" FROM gateway.cases`,
  );
  expect(picture).toEqual({ stage: 'decided', ready: true, start: true, end: true });
  const agencyRows = await db.ds.query(
    `SELECT agency, due_at IS NOT NULL AS planned, replied_at IS NOT NULL AS replied, reminders, missing FROM gateway.board_agency_status ORDER BY agency`,
  );
  expect(agencyRows).toEqual(
    ['education', 'health', 'police'].map((agency) => ({
      agency,
      planned: true,
      replied: true,
      reminders: agency === 'health' ? 1 : 0,
      missing: false,
    })),
  );

  expect(costs).toEqual(Object.fromEntries(Object.keys(costs).map((k) => [k, 1])));
});
