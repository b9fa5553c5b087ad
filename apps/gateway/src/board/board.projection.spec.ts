import { DataSource, EntityManager } from 'typeorm';
import { CaseRated, CaseReady, CheckChased } from '@mash/contracts';
import { NotReadyYet } from '@mash/messaging';
import { StatusProjection } from '../status/status.projection';
import { BoardProjection } from './board.projection';
import { createServiceDb, ServiceDb } from '../../../../test/support/serviceDb';
import { PROJECTION_MIGRATIONS } from '../status/projectionTables.fixtures';

/**
 * The board's projection on real Postgres, each event in its own transaction as the transport runs
 * them: delivered in order one at a time, shuffled, and all at once in parallel, every case ends
 * with the same rows. Only what shares a partition keeps its order (the rating before its
 * revision, readiness before its revision); replies and chasing come from other topics. The
 * rating's and readiness's rows are written with the case, so they go through the status
 * projection as the gateway handles them; readiness before its case is rated is not ready yet and
 * is delivered again, as the transport does.
 */
const projection = new BoardProjection();
const status = new StatusProjection(projection);
const t0 = Date.parse('2026-11-23T09:00:00.000Z');
const at = (h: number) => new Date(t0 + h * 3600_000).toISOString();
let db: ServiceDb;
let ds: DataSource;

beforeAll(async () => {
  db = await createServiceDb('mash_boardproj', 'gateway', PROJECTION_MIGRATIONS, 12);
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
    [(m) => status.rated(rated, at(0), m)],
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
    [(m) => status.ready(ready1, at(24), m), (m) => status.ready(ready2, at(26), m)],
  ];
}

const tx = (s: Step) => ds.transaction('READ COMMITTED', s);

/** One event in its own transaction; false when it is not ready yet (nothing written). */
async function attempt(s: Step): Promise<boolean> {
  try {
    await tx(s);
    return true;
  } catch (err) {
    if (err instanceof NotReadyYet) return false;
    throw err;
  }
}

/** Delivered again until ready, as the transport does. */
async function deliver(s: Step): Promise<void> {
  while (!(await attempt(s))) await new Promise((r) => setTimeout(r, 2 + Math.random() * 8));
}

/** The case's contact as intake stores it, before triage rates it. */
async function receive(caseId: string): Promise<void> {
  await ds.query(
    `INSERT INTO gateway.contacts (contact_id, source_agency, agency_reference, received_at, body) VALUES ($1, 'police', $1, $2, '{}')`,
    [`CT-${caseId}`, at(0)],
  );
  await ds.query(`INSERT INTO gateway.contact_status (contact_id, stage, history) VALUES ($1, 'received', '[]')`, [`CT-${caseId}`]);
}

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
    await receive('CS-inorder');
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
      await receive(caseId);
      const queues = caseEvents(caseId).map((g) => [...g]);
      // Take the next event of a random partition until all are drained; one not ready yet stays first in its partition.
      while (queues.some((q) => q.length)) {
        const q = shuffle(queues.filter((x) => x.length))[0];
        if (await attempt(q[0])) q.shift();
      }
      expect({ caseId, rows: await rows(caseId) }).toEqual({ caseId, rows: expected });
    }
  });

  it('ends with the same rows when every partition of many cases is delivered at once', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `CS-parallel-${i}`);
    for (const id of ids) await receive(id);
    await Promise.all(
      ids.flatMap((id) =>
        shuffle(caseEvents(id)).map(async (group) => {
          for (const s of group) await deliver(s);
        }),
      ),
    );
    for (const caseId of ids) expect({ caseId, rows: await rows(caseId) }).toEqual({ caseId, rows: expected });
  });
});
