import { EntityManager } from 'typeorm';
import { CaseRated, CheckAgency, CheckReplied } from '@mash/contracts';
import { MessageContext } from '@mash/messaging';
import { elapsedTimeForEveryAgency } from './chasing';
import { ChecksDb, createChecksDb } from '../../../test/support/checksDb.fixtures';
import { PictureService } from './picture/picture.service';
import { requestIdFor, RequestsService } from './requests/requests.service';

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
    const counting = new Proxy(m, {
      get: (target, prop, receiver) =>
        prop === 'query'
          ? (...args: Parameters<EntityManager['query']>) => (n++, target.query(...args))
          : Reflect.get(target, prop, receiver),
    });
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
  // The plan's size does not change what a rating costs.
  expect(ratingLarge).toBe(ratingSmall);
  expect(ratingLarge).toBeLessThanOrEqual(6);
  expect(Math.max(...replies.slice(0, -1))).toBeLessThanOrEqual(7);
  expect(replies[replies.length - 1]).toBeLessThanOrEqual(10);
});
