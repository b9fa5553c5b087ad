import { CheckReplied } from '@mash/contracts';
import { CasesRepository } from './cases/cases.repository';
import { elapsedTimeForEveryAgency } from './chasing';
import { ChecksDb, createChecksDb } from '../../../test/support/checksDb.fixtures';
import { PictureService } from './picture/picture.service';
import { PictureRepository } from './picture/picture.repository';
import { checksRetentionSteps } from './retention/checksRetention';
import { RequestsRepository } from './requests/requests.repository';
import { requestIdFor, RequestsService } from './requests/requests.service';

/** The repositories against real Postgres: rows in, domain values out, and the locks they take. */
let db: ChecksDb;
const cases = new CasesRepository();
const requests = new RequestsRepository();
const pictures = new PictureRepository();

const T0 = new Date('2026-11-23T09:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const MIN = 60_000;

beforeAll(async () => {
  db = await createChecksDb('checks_repo');
}, 30000);
afterAll(async () => {
  await db?.drop();
});

let n = 0;
async function openCase(deadline = at(100 * MIN)) {
  const caseId = `CS-repo-${++n}`;
  await db.ds.transaction((m) => cases.open(m, { caseId, contactId: `CT-${n}`, rating: 'AMBER', deadline }, T0));
  return caseId;
}

describe('CasesRepository', () => {
  it('opens a case once and gives it back as domain values (Dates are Dates)', async () => {
    const caseId = `CS-repo-${++n}`;
    const first = await db.ds.transaction((m) => cases.open(m, { caseId, contactId: 'CT-x', rating: 'RED', deadline: at(40 * MIN) }, T0));
    const again = await db.ds.transaction((m) =>
      cases.open(m, { caseId, contactId: 'CT-x', rating: 'RED', deadline: at(40 * MIN) }, at(MIN)),
    );
    expect(first).toEqual(T0);
    expect(again).toBeNull();
    const c = await db.ds.transaction((m) => cases.lock(m, caseId));
    expect(c).toEqual({ caseId, deadline: at(40 * MIN), readyAt: null, readyReason: null, revision: 0, planRevision: 1, prunedAt: null });
    expect(c!.deadline).toBeInstanceOf(Date);
    expect(await db.ds.transaction((m) => cases.lock(m, 'CS-none'))).toBeUndefined();
  });

  it('lock waits for the holder; lockFree leaves a held case out instead of waiting', async () => {
    const caseId = await openCase();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = db.ds.transaction(async (m) => {
      await cases.lock(m, caseId);
      locked();
      await held;
    });
    await isLocked;
    expect(await db.ds.transaction((m) => cases.lockFree(m, [caseId]))).toEqual([]);
    let waited = false;
    const waiter = db.ds.transaction(async (m) => {
      await cases.lock(m, caseId);
      waited = true;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(waited).toBe(false);
    release();
    await Promise.all([holder, waiter]);
    expect(waited).toBe(true);
  });

  it('present is the clock read after the lock, never earlier than a time recorded on the case', async () => {
    const caseId = await openCase();
    await db.ds.transaction((m) =>
      requests.insert(m, {
        requestId: `RQ-p-${n}`,
        caseId,
        agency: 'police',
        categories: ['identity'],
        requestedAt: at(5 * MIN),
        dueAt: at(50 * MIN),
        revision: 1,
      }),
    );
    await db.ds.transaction((m) => requests.markReplied(m, `RQ-p-${n}`, at(7 * MIN), false));
    // A clock behind what the case already holds is moved up to it; one ahead is kept.
    expect(await db.ds.transaction((m) => cases.present(m, caseId, at(MIN)))).toEqual(at(7 * MIN));
    expect(await db.ds.transaction((m) => cases.present(m, caseId, at(9 * MIN)))).toEqual(at(9 * MIN));
    // Without a test clock: the database's, which is now, far past 2026-11-23.
    const before = Date.now();
    const now = await db.ds.transaction((m) => cases.present(m, caseId));
    expect(now.getTime()).toBeGreaterThanOrEqual(before - 5000);
  });

  it('records readiness, revision, decision; readyAmong trusts only recorded readiness', async () => {
    const a = await openCase();
    const b = await openCase();
    await db.ds.transaction((m) => cases.markReady(m, [{ caseId: a, readyAt: at(3 * MIN), reason: 'all-replied' }]));
    await db.ds.transaction((m) => cases.markDecided(m, a, at(200 * MIN)));
    await db.ds.transaction((m) => cases.markDecided(m, a, at(300 * MIN)));
    expect(await db.ds.transaction((m) => cases.readyAmong(m, [a, b]))).toEqual(new Set([a]));
    expect(await db.ds.transaction((m) => cases.lock(m, a))).toMatchObject({
      readyAt: at(3 * MIN),
      readyReason: 'all-replied',
      revision: 1,
    });
    const [{ decided_at }] = await db.ds.query(`SELECT decided_at FROM checks.cases WHERE case_id = $1`, [a]);
    expect(new Date(decided_at)).toEqual(at(200 * MIN));
  });
});

describe('RequestsRepository', () => {
  it('stores requests and gives the current one per agency (the latest revision)', async () => {
    const caseId = await openCase();
    await db.ds.transaction(async (m) => {
      await requests.insert(m, {
        requestId: `RQ-a-${n}`,
        caseId,
        agency: 'health',
        categories: ['health'],
        requestedAt: T0,
        dueAt: at(10 * MIN),
        revision: 1,
      });
      await requests.insert(m, {
        requestId: `RQ-b-${n}`,
        caseId,
        agency: 'health',
        categories: ['identity', 'health'],
        requestedAt: at(MIN),
        dueAt: at(20 * MIN),
        revision: 2,
      });
      await requests.insert(m, {
        requestId: `RQ-c-${n}`,
        caseId,
        agency: 'police',
        categories: ['identity'],
        requestedAt: T0,
        dueAt: at(30 * MIN),
        revision: 1,
      });
    });
    const { requests: current } = await db.ds.transaction((m) => pictures.ofCases(m, [caseId]));
    expect(current.map((r) => [r.agency, r.requestId, r.dueAt]).sort()).toEqual([
      ['health', `RQ-b-${n}`, at(20 * MIN)],
      ['police', `RQ-c-${n}`, at(30 * MIN)],
    ]);
    expect(await db.ds.transaction((m) => requests.latest(m, caseId, 'health'))).toMatchObject({ requestId: `RQ-b-${n}`, repliedAt: null });
    expect(await db.ds.transaction((m) => requests.find(m, 'RQ-none'))).toBeUndefined();
  });

  it('takes due timers once across concurrent takers, and marks them fired with Dates back', async () => {
    const caseId = await openCase();
    const requestId = `RQ-t-${n}`;
    await db.ds.transaction(async (m) => {
      await requests.insert(
        m,
        {
          requestId,
          caseId,
          agency: 'police',
          categories: ['identity'],
          requestedAt: T0,
          dueAt: at(10 * MIN),
          revision: 1,
        },
        [
          {
            kind: 'reminder',
            fireAt: at(5 * MIN),
            caseId,
            requestId,
            agency: 'police',
            dueAt: at(10 * MIN),
            key: `${requestId}:reminder:1`,
          },
          {
            kind: 'escalation',
            fireAt: at(10 * MIN),
            caseId,
            requestId,
            agency: 'police',
            dueAt: at(10 * MIN),
            key: `${requestId}:escalation`,
          },
          // Same key again: kept once.
          {
            kind: 'escalation',
            fireAt: at(11 * MIN),
            caseId,
            requestId,
            agency: 'police',
            dueAt: at(11 * MIN),
            key: `${requestId}:escalation`,
          },
        ],
      );
    });
    const taken = await Promise.all(
      [1, 2, 3].map(() =>
        db.ds.transaction(async (m) => {
          const due = (await requests.takeDue(m, at(10 * MIN), 10)).filter((t) => t.caseId === caseId);
          await new Promise((r) => setTimeout(r, 50));
          return requests.markFired(
            m,
            due.map((t) => t.id),
          );
        }),
      ),
    );
    const all = taken.flat();
    expect(all.map((t) => t.kind).sort()).toEqual(['escalation', 'reminder']);
    expect(all.find((t) => t.kind === 'reminder')!.fireAt).toEqual(at(5 * MIN));
    expect(
      await db.ds.transaction((m) => requests.takeDue(m, at(100 * MIN), 10)).then((d) => d.filter((t) => t.caseId === caseId)),
    ).toEqual([]);
  });
});

describe('PictureRepository and retention', () => {
  const reply = (caseId: string, requestId: string): CheckReplied => ({
    requestId,
    caseId,
    agency: 'police',
    repliedAt: T0.toISOString(),
    known: true,
    entries: [{ date: '2026-01-01', category: 'offending', summary: 'Caution' }],
  });

  it('records a reply (request replied, chasing stopped, body stored) and gives back the picture with it, as a fresh read would', async () => {
    const caseId = await openCase();
    const police = `RQ-r-${n}`;
    const health1 = `RQ-h1-${n}`;
    const health2 = `RQ-h2-${n}`;
    const request = (requestId: string, agency: 'police' | 'health', revision: number, dueAt: Date) => ({
      requestId,
      caseId,
      agency,
      categories: ['offending' as const],
      requestedAt: T0,
      dueAt,
      revision,
    });
    const reminder = (requestId: string, agency: 'police' | 'health') => ({
      kind: 'reminder' as const,
      fireAt: at(5 * MIN),
      caseId,
      requestId,
      agency,
      dueAt: at(10 * MIN),
      key: `${requestId}:reminder:1`,
    });
    await db.ds.transaction(async (m) => {
      await requests.insertMany(
        m,
        [
          request(police, 'police', 1, at(10 * MIN)),
          request(health1, 'health', 1, at(20 * MIN)),
          request(health2, 'health', 2, at(30 * MIN)),
        ],
        [reminder(police, 'police'), reminder(health2, 'health')],
      );
    });
    // An answer to health's first request (a revised plan asked health again since).
    const healthReply = { ...reply(caseId, health1), agency: 'health' as const };
    const first = await db.ds.transaction((m) => pictures.recordReply(m, healthReply, at(3 * MIN), false));
    expect(first).toEqual(await db.ds.transaction((m) => pictures.ofCases(m, [caseId])));
    expect(first.requests.find((r) => r.agency === 'health')).toEqual({
      requestId: health2,
      caseId,
      agency: 'health',
      dueAt: at(30 * MIN),
      repliedAt: null,
    });

    const recorded = await db.ds.transaction((m) => pictures.recordReply(m, reply(caseId, police), at(4 * MIN), true));
    const sort = <T extends { agency: string }>(xs: T[]) => [...xs].sort((a, b) => a.agency.localeCompare(b.agency));
    expect({ ...recorded, replies: sort(recorded.replies) }).toEqual({
      requests: expect.arrayContaining([
        { requestId: police, caseId, agency: 'police', dueAt: at(10 * MIN), repliedAt: at(4 * MIN) },
        { requestId: health2, caseId, agency: 'health', dueAt: at(30 * MIN), repliedAt: null },
      ]),
      replies: [
        { caseId, agency: 'health', receivedAt: at(3 * MIN), body: healthReply, dueAt: at(20 * MIN) },
        { caseId, agency: 'police', receivedAt: at(4 * MIN), body: reply(caseId, police), dueAt: at(10 * MIN) },
      ],
    });
    expect(recorded.requests).toHaveLength(2);
    expect(recorded.replies[0].receivedAt).toBeInstanceOf(Date);
    const fresh = await db.ds.transaction((m) => pictures.ofCases(m, [caseId]));
    expect({ requests: sort(recorded.requests), replies: sort(recorded.replies) }).toEqual({
      requests: sort(fresh.requests),
      replies: sort(fresh.replies),
    });
    // The police request's chasing stopped, health's current request is still chased; what was said is sealed at rest.
    const timers = await db.ds.query(
      `SELECT request_id, cancelled_at IS NOT NULL AS cancelled FROM checks.timers WHERE case_id = $1 ORDER BY request_id`,
      [caseId],
    );
    expect(timers).toEqual([
      { request_id: health2, cancelled: false },
      { request_id: police, cancelled: true },
    ]);
    const [{ late, plain }] = await db.ds.query(
      `SELECT q.late, jsonb_typeof(p.body) = 'object' AS plain FROM checks.requests q JOIN checks.replies p USING (request_id) WHERE request_id = $1`,
      [police],
    );
    expect(late).toBe(true);
    expect(plain).toBe(false);
  });

  it('a reply racing retention: committed before the prune it is deleted, after it no content is kept', async () => {
    const picture = new PictureService(db.outbox);
    const service = new RequestsService(picture, elapsedTimeForEveryAgency);
    const rated = (caseId: string) => ({
      caseId,
      contactId: `CT-${caseId}`,
      stage: 'start' as const,
      rating: 'AMBER' as const,
      ruleIds: ['r'],
      reasons: ['r'],
      policyVersion: 'p',
      ratedAt: T0.toISOString(),
      deadline: at(100 * MIN).toISOString(),
      checkPlan: [
        { agency: 'police' as const, categories: ['offending' as const], dueAt: at(50 * MIN).toISOString() },
        { agency: 'health' as const, categories: ['health' as const], dueAt: at(50 * MIN).toISOString() },
      ],
      subjects: [{ subjectId: 's1', kind: 'child' as const }],
      lawfulBasis: 'section-47' as const,
    });
    const caseId = `CS-ret-${++n}`;
    await db.handled('mash.case.rated.v1', rated(caseId), (ctx) => service.fanOut(rated(caseId), ctx, T0));
    const police = reply(caseId, requestIdFor(caseId, 'police'));
    await db.handled('r', police, (ctx) => service.collect(police, 'police', ctx, at(MIN)));
    await db.ds.transaction((m) => cases.markDecided(m, caseId, at(200 * MIN)));

    const steps = checksRetentionSteps();
    const run = async () => {
      for (const step of steps) await db.ds.transaction((m) => step.run(m, at(300 * MIN), 100));
    };
    await run();
    expect(await db.ds.query(`SELECT count(*)::int AS n FROM checks.replies WHERE case_id = $1`, [caseId])).toEqual([{ n: 0 }]);
    // Health answers after the case was stripped: counted as replied, its content not kept nor published.
    const health = { ...reply(caseId, requestIdFor(caseId, 'health')), agency: 'health' as const };
    const before = (await db.published('mash.case.ready.v1', caseId)).length;
    await db.handled('r', health, (ctx) => service.collect(health, 'health', ctx, at(400 * MIN)));
    await run();
    expect(await db.ds.query(`SELECT count(*)::int AS n FROM checks.replies WHERE case_id = $1`, [caseId])).toEqual([{ n: 0 }]);
    expect((await db.published('mash.case.ready.v1', caseId)).length).toBe(before);
    const [{ replied_at }] = await db.ds.query(`SELECT replied_at FROM checks.requests WHERE request_id = $1`, [health.requestId]);
    expect(replied_at).not.toBeNull();
  });
});
