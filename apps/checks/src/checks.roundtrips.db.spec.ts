import { CaseRated, CheckAgency, CheckReplied } from '@mash/contracts';
import { MessageContext } from '@mash/messaging';
import { elapsedTimeForEveryAgency } from './chasing';
import { ChecksDb, createChecksDb } from '../../../test/support/checksDb.fixtures';
import { PictureService } from './picture/picture.service';
import { requestIdFor, RequestsService } from './requests/requests.service';
import { TimersService } from './timers/timers.service';
import { statementCounter } from '@mash/platform';
import { countingQueries } from '../../../test/support/statementCount';

/**
 * What one message costs checks in statements, on real Postgres: under a burst every round trip
 * is paid tens of thousands of times (the 10,000-contact burst found checks the slowest stage).
 * A rating asks the agencies of its plan in a fixed number of statements whatever the plan's size;
 * a reply costs a fixed number too, the last reply of a case (which makes it ready) a few more.
 * Counted at the handler's EntityManager, so the transaction's own BEGIN/COMMIT and the inbox are
 * left out (the transport's, the same for every message).
 */
let db: ChecksDb;
let requests: RequestsService;

beforeAll(async () => {
  db = await createChecksDb('checks_roundtrips');
  requests = new RequestsService(new PictureService(db.outbox), elapsedTimeForEveryAgency);
}, 60_000);

afterAll(async () => {
  await db?.drop();
});

/** Runs a handler as the transport would, counting the statements it sends. */
async function counted(topic: string, data: unknown, fn: (ctx: MessageContext) => Promise<void>): Promise<number> {
  let n = 0;
  await db.handled(topic, data, async (ctx) => {
    const m = ctx.manager;
    const counting = countingQueries(m, () => n++);
    await fn(new MessageContext([ctx.getArgByIndex(0), counting, ctx.getArgByIndex(2)]));
  });
  return n;
}

const T0 = new Date('2026-11-23T09:00:00.000Z');
const rel = (min: number) => new Date(T0.getTime() + min * 60_000).toISOString();

function rated(caseId: string, agencies: CheckAgency[]): CaseRated {
  return {
    caseId,
    contactId: `CT-${caseId}`,
    stage: 'start',
    rating: 'AMBER',
    ruleIds: ['r1'],
    reasons: ['round trips'],
    policyVersion: 'rt-1',
    ratedAt: T0.toISOString(),
    deadline: rel(600),
    checkPlan: agencies.map((agency) => ({ agency, categories: ['identity'], dueAt: rel(300) })),
    subjects: [{ subjectId: 's1', kind: 'child', givenName: 'Amy', familyName: 'Example', dateOfBirth: '2019-03-02' }],
    lawfulBasis: 'risk-of-significant-harm',
  };
}

const reply = (c: CaseRated, agency: CheckAgency): CheckReplied => ({
  requestId: requestIdFor(c.caseId, agency),
  caseId: c.caseId,
  agency,
  repliedAt: rel(10),
  known: false,
  entries: [],
});

it('a rating asks its agencies, and each reply is taken, in a fixed number of statements', async () => {
  const small = rated('CS-rt-2', ['police', 'health']);
  const large = rated('CS-rt-7', ['police', 'health', 'education', 'probation', 'housing', 'adult-social-care', 'youth-justice']);
  const ratingSmall = await counted('mash.case.rated.v1', small, (ctx) => requests.fanOut(small, ctx, T0));
  const ratingLarge = await counted('mash.case.rated.v1', large, (ctx) => requests.fanOut(large, ctx, T0));
  const replies: number[] = [];
  for (const [i, agency] of large.checkPlan.map((p) => p.agency).entries()) {
    replies.push(
      await counted(`mash.check.${agency}.replied.v1`, reply(large, agency), (ctx) =>
        requests.collect(reply(large, agency), agency, ctx, new Date(T0.getTime() + (20 + i) * 60_000)),
      ),
    );
  }

  console.log(
    `checks statements per message: rating with 2 agencies ${ratingSmall}, with 7 agencies ${ratingLarge}; replies ${replies.join(', ')} (the last makes the case ready)`,
  );
  const [ready] = await db.published<{ reason: string }>('mash.case.ready.v1', large.caseId);
  expect(ready.reason).toBe('all-replied');
  // The plan's size does not change what a rating costs: the case, its requests with their
  // timers, its messages, its disclosures.
  expect(ratingLarge).toBe(ratingSmall);
  expect(ratingLarge).toBeLessThanOrEqual(4);
  // A reply: the case's lock, its request and the time (read only once the lock is held), the
  // reply recorded with the case's picture back, its disclosure.
  expect(Math.max(...replies.slice(0, -1))).toBeLessThanOrEqual(4);
  // The last adds the ready picture and marking the case ready (its timers cancelled with it).
  expect(replies[replies.length - 1]).toBeLessThanOrEqual(6);
});

it('a reply after readiness, and one after the deadline its timer has not fired yet, in a fixed number of statements', async () => {
  const c = rated('CS-rt-late', ['police', 'health', 'education']);
  await counted('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
  const collect = (agency: CheckAgency, min: number) =>
    counted(`mash.check.${agency}.replied.v1`, reply(c, agency), (ctx) =>
      requests.collect(reply(c, agency), agency, ctx, new Date(T0.getTime() + min * 60_000)),
    );
  await collect('police', 20);
  // Past the 600-minute deadline, no timer fired: this reply declares the case ready as of its
  // deadline, then revises the picture with itself.
  const afterDeadline = await collect('health', 700);
  // The case is ready: this reply revises the picture.
  const afterReady = await collect('education', 710);
  console.log(`checks statements per reply: after the deadline ${afterDeadline}, after readiness ${afterReady}`);
  const pictures = await db.published<{ revision: number; reason: string }>('mash.case.ready.v1', c.caseId);
  expect(pictures.map((p) => [p.revision, p.reason])).toEqual([
    [1, 'deadline-reached'],
    [2, 'deadline-reached'],
    [3, 'deadline-reached'],
  ]);
  expect(afterReady).toBeLessThanOrEqual(6);
  expect(afterDeadline).toBeLessThanOrEqual(9);
});

it('a look at the timers that finds nothing due costs one statement, transaction and all', async () => {
  const timers = new TimersService(db.ds, db.outbox, new PictureService(db.outbox));
  // Every timer the cases above scheduled is long due by the real clock: out of the way.
  await db.ds.query(`UPDATE checks.timers SET cancelled_at = clock_timestamp() WHERE fired_at IS NULL AND cancelled_at IS NULL`);
  const c = rated('CS-rt-tick', ['police']);
  await counted('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, new Date()));
  // Its timers are not due yet.
  await db.ds.query(`UPDATE checks.timers SET fire_at = clock_timestamp() + interval '1 hour' WHERE case_id = $1`, [c.caseId]);

  // Every statement the DataSource sends, BEGIN and COMMIT among them.
  let n = 0;
  const logger = db.ds.logger;
  Object.assign(db.ds, { logger: { ...statementCounter, logQuery: () => n++ } });
  try {
    const tick = () => (timers as unknown as { tick(): Promise<number> }).tick();
    const sleep = await tick();
    const idle = n;
    // The case's timers fall due.
    await db.ds.query(`UPDATE checks.timers SET fire_at = clock_timestamp() - interval '1 minute' WHERE case_id = $1`, [c.caseId]);
    n = 0;
    await tick();
    const firing = n;
    console.log(`checks statements per timer look: nothing due ${idle}, due timers fired ${firing}`);
    expect(idle).toBe(1);
    expect(sleep).toBeGreaterThan(0);
    expect(
      await db.ds.query(`SELECT count(*)::int AS n FROM checks.timers WHERE case_id = $1 AND fired_at IS NOT NULL`, [c.caseId]),
    ).toEqual([{ n: 2 }]);
  } finally {
    Object.assign(db.ds, { logger });
  }
});
