import { DataSource, EntityManager } from 'typeorm';
import { CaseRated, CaseReady, CheckChased } from '@mash/contracts';
import { BoardAgencyStatus1700000000160 } from '../migrations/1700000000160-board-agency-status';
import { GatewayTables1700000000100 } from '../migrations/1700000000100-gateway-tables';
import { BoardProjection } from './board.projection';
import { createServiceDb, ServiceDb } from '../../../../test/support/serviceDb';

/**
 * The board's projection on real Postgres, each event in its own transaction as the transport runs
 * them: delivered in order one at a time, shuffled, and all at once in parallel, every case ends
 * with the same rows. Only what shares a partition keeps its order (the rating before its
 * revision, readiness before its revision); replies and chasing come from other topics.
 */
const projection = new BoardProjection();
const t0 = Date.parse('2026-11-23T09:00:00.000Z');
const at = (h: number) => new Date(t0 + h * 3600_000).toISOString();
let db: ServiceDb;
let ds: DataSource;

beforeAll(async () => {
  db = await createServiceDb('mash_boardproj', 'gateway', [GatewayTables1700000000100, BoardAgencyStatus1700000000160], 12);
  ds = db.ds;
}, 60000);

afterAll(() => db?.drop());

type Step = (m: EntityManager) => Promise<void>;

/** One case's events, as groups: each group is one partition's events, in that partition's order. */
function caseEvents(caseId: string): Step[][] {
  const rated: CaseRated = {
    caseId,
    contactId: `CT-${caseId}`,
    stage: 'start',
    rating: 'AMBER',
    ruleIds: [],
    reasons: [],
    policyVersion: 'p1',
    ratedAt: at(0),
    deadline: at(24),
    checkPlan: (['police', 'health', 'education'] as const).map((agency) => ({ agency, categories: ['identity'], dueAt: at(18) })),
    subjects: [],
    lawfulBasis: 'statutory-function',
  };
  const chased =
    (agency: CheckChased['agency'], kind: CheckChased['kind'], h: number): Step =>
    (m) =>
      projection.chased({ caseId, requestId: `RQ-${agency}`, agency, kind, at: at(h), dueAt: at(18) }, m);
  const replied =
    (agency: 'police' | 'health' | 'education', h: number, known: boolean): Step =>
    (m) =>
      projection.replied(agency, { caseId, requestId: `RQ-${agency}`, repliedAt: at(h), known }, m);
  const ready1: CaseReady = {
    caseId,
    readyAt: at(24),
    complete: false,
    reason: 'deadline-reached',
    replied: ['police', 'education'],
    missing: ['health'],
    chronology: [],
    revision: 1,
  };
  const ready2: CaseReady = {
    ...ready1,
    revision: 2,
    revisedAt: at(26),
    replied: ['police', 'education', 'health'],
    missing: [],
    repliedAfterReady: ['health'],
  };
  return [
    [(m) => projection.rated(rated, m)],
    [
      chased('health', 'reminder', 9),
      chased('health', 'reminder', 14),
      chased('health', 'escalation', 18),
      chased('education', 'reminder', 9),
      chased('police', 'malformed-reply', 3),
    ],
    [replied('police', 4, true)],
    [replied('education', 12, false)],
    [replied('health', 25, true)],
    [(m) => projection.ready(ready1, m), (m) => projection.ready(ready2, m)],
  ];
}

const tx = (s: Step) => ds.transaction('READ COMMITTED', s);

async function rows(caseId: string) {
  return ds.query(
    `SELECT agency, request_id, due_at, replied_at, known, reminders, last_reminded_at, escalated_at, refused_replies, missing, late
     FROM gateway.board_agency_status WHERE case_id = $1 ORDER BY agency`,
    [caseId],
  );
}

function shuffle<T>(xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

describe('board projection under reordered and parallel delivery', () => {
  let expected: unknown[];

  beforeAll(async () => {
    for (const group of caseEvents('CS-inorder')) for (const s of group) await tx(s);
    expected = await rows('CS-inorder');
  });

  it('the in-order result is the board the events describe', () => {
    expect(expected).toEqual([
      expect.objectContaining({
        agency: 'education',
        replied_at: new Date(at(12)),
        known: false,
        reminders: 1,
        missing: false,
        late: false,
        escalated_at: null,
      }),
      expect.objectContaining({
        agency: 'health',
        replied_at: new Date(at(25)),
        known: true,
        reminders: 2,
        last_reminded_at: new Date(at(14)),
        escalated_at: new Date(at(18)),
        missing: false,
        late: true,
      }),
      expect.objectContaining({
        agency: 'police',
        replied_at: new Date(at(4)),
        known: true,
        refused_replies: 1,
        missing: false,
        late: false,
      }),
    ]);
  });

  it('ends with the same rows when the partitions interleave in any order, one event at a time', async () => {
    for (let i = 0; i < 10; i++) {
      const caseId = `CS-shuffled-${i}`;
      const queues = caseEvents(caseId).map((g) => [...g]);
      // Take the next event of a random partition until all are drained.
      while (queues.some((q) => q.length)) {
        const q = shuffle(queues.filter((x) => x.length))[0];
        await tx(q.shift()!);
      }
      expect({ caseId, rows: await rows(caseId) }).toEqual({ caseId, rows: expected });
    }
  });

  it('ends with the same rows when every partition of many cases is delivered at once', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `CS-parallel-${i}`);
    await Promise.all(
      ids.flatMap((id) =>
        shuffle(caseEvents(id)).map(async (group) => {
          for (const s of group) await tx(s);
        }),
      ),
    );
    for (const caseId of ids) expect({ caseId, rows: await rows(caseId) }).toEqual({ caseId, rows: expected });
  });
});
