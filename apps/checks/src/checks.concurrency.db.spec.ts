import { CaseRated, CaseReady, CHECK_AGENCIES, CheckAgency, CheckReplied, CheckRequested } from '@mash/contracts';
import { MessageContext, outboxEnvelopes } from '@mash/messaging';
import { elapsedTimeForEveryAgency } from './chasing';
import { ChecksDb, createChecksDb } from '../../../test/support/checksDb.fixtures';
import { PictureService } from './picture/picture.service';
import { requestIdFor, RequestsService } from './requests/requests.service';
import { TimersService } from './timers/timers.service';
import { prng } from '@mash/contracts/examples/seededRandom';

/**
 * Readiness under concurrency, on real Postgres and the real handlers, each delivery in its own
 * transaction as the transport runs it. Many cases at once; for each, every reply lands together
 * (Promise.all), in shuffled order, in the same or neighbouring milliseconds, some twice (a
 * connector answering a redelivered request), some after a first attempt that died before its
 * commit; plan revisions and two timer "replicas" race them.
 * Nothing may be stranded (all planned agencies replied, not ready), nothing declared twice, no
 * agency asked twice for one request, no timer fired twice.
 */
const CASES = Number(process.env.CHECKS_STRESS_CASES ?? 200);
const SEED = Number(process.env.CHECKS_STRESS_SEED ?? Date.now() % 100_000);

const T0 = new Date('2026-11-23T09:00:00.000Z');
const MIN = 60_000;
const at = (ms: number) => new Date(T0.getTime() + ms);

// Seeded, so a failing run can be repeated with CHECKS_STRESS_SEED.
const random = prng(SEED);
function shuffled<T>(xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * - replies: only replies, racing one another;
 * - revision: a revised plan adding an agency races the first plan's replies;
 * - deadline: the case deadline falls among its replies and the timers fire while they land;
 * - clock: no test time at all, the handlers read the clock themselves.
 */
type Scenario = 'replies' | 'revision' | 'deadline' | 'clock';

interface StressCase {
  scenario: Scenario;
  rated: CaseRated;
  /** The agency a revision adds (revision scenario). */
  added?: CheckAgency;
}

let db: ChecksDb;
let picture: PictureService;
let requests: RequestsService;
let timersA: TimersService;
let timersB: TimersService;

beforeAll(async () => {
  // Enough connections that the replies of one case really do wait on one another's lock.
  db = await createChecksDb('checks_stress', 24);
  picture = new PictureService(db.outbox);
  requests = new RequestsService(picture, elapsedTimeForEveryAgency);
  timersA = new TimersService(db.ds, db.outbox, picture);
  timersB = new TimersService(db.ds, db.outbox, picture);
  timersA.options.batch = 40;
  timersB.options.batch = 17;
}, 60_000);

afterAll(async () => {
  await db?.drop();
});

function makeCase(i: number, scenario: Scenario): StressCase {
  const agencies = shuffled(CHECK_AGENCIES).slice(0, 2 + Math.floor(random() * 4));
  const base = scenario === 'clock' ? new Date() : T0;
  const rel = (ms: number) => new Date(base.getTime() + ms).toISOString();
  const deadline = scenario === 'deadline' ? rel(10 * MIN) : rel(100 * MIN);
  const rated: CaseRated = {
    caseId: `CS-stress-${SEED}-${i}`,
    contactId: `CT-stress-${SEED}-${i}`,
    stage: 'start',
    rating: 'AMBER',
    ruleIds: ['r1'],
    reasons: ['stress'],
    policyVersion: 'stress-1',
    ratedAt: base.toISOString(),
    deadline,
    checkPlan: agencies.map((agency) => ({ agency, categories: ['identity'], dueAt: rel((4 + Math.floor(random() * 60)) * MIN) })),
    subjects: [{ subjectId: 's1', kind: 'child', givenName: 'Amy', familyName: 'Example', dateOfBirth: '2019-03-02' }],
    lawfulBasis: 'risk-of-significant-harm',
  };
  const added = scenario === 'revision' ? CHECK_AGENCIES.find((a) => !agencies.includes(a)) : undefined;
  return { scenario, rated, added };
}

const replyOf = (c: CaseRated, agency: CheckAgency, revision = 1): CheckReplied => ({
  requestId: requestIdFor(c.caseId, agency, revision),
  caseId: c.caseId,
  agency,
  repliedAt: c.ratedAt,
  known: false,
  entries: [],
});

/**
 * Each reply of a case with its received time: within 3 ms of one another (same millisecond for
 * several), around `centre`; shuffled, and some delivered twice (the duplicate at its own time).
 */
function deliveries(c: CaseRated, agencies: readonly CheckAgency[], centre: number, revision = 1) {
  const out: { reply: CheckReplied; agency: CheckAgency; now?: Date }[] = [];
  for (const agency of agencies) {
    out.push({ reply: replyOf(c, agency, revision), agency, now: at(centre + Math.floor(random() * 4)) });
    if (random() < 0.25) out.push({ reply: replyOf(c, agency, revision), agency, now: at(centre + Math.floor(random() * 4)) });
  }
  return shuffled(out);
}

/** A handler that dies before its commit (kill -9 mid-transaction): all of its work rolls back. */
class Crash extends Error {}
let crashes = 0;
function maybeCrashFirst(topic: string, data: unknown, fn: (ctx: MessageContext) => Promise<void>): Promise<void> {
  const deliver = () => db.handled(topic, data, fn);
  if (random() >= 0.1) return deliver();
  crashes++;
  return db
    .handled(topic, data, async (ctx) => {
      await fn(ctx);
      throw new Crash();
    })
    .catch((err) => {
      if (!(err instanceof Crash)) throw err;
    })
    .then(deliver);
}

async function collectAll(ds: ReturnType<typeof deliveries>, realClock = false): Promise<void> {
  await Promise.all(
    ds.map((d) =>
      maybeCrashFirst(`mash.check.${d.agency}.replied.v1`, d.reply, (ctx) =>
        realClock ? requests.collect(d.reply, d.agency, ctx) : requests.collect(d.reply, d.agency, ctx, d.now),
      ),
    ),
  );
}

/** One case's deliveries, racing each other (and, from outside, every other case and the timers). */
async function drive(s: StressCase): Promise<void> {
  const c = s.rated;
  const agencies = c.checkPlan.map((p) => p.agency);
  switch (s.scenario) {
    case 'replies':
      return collectAll(deliveries(c, agencies, 5 * MIN));
    case 'clock':
      return collectAll(deliveries(c, agencies, 0), true);
    case 'deadline':
      // Replies straddle the 10-minute deadline, while both timer loops fire at exactly it.
      await Promise.all([collectAll(deliveries(c, agencies, 10 * MIN - 2)), timersA.fireDue(at(10 * MIN)), timersB.fireDue(at(10 * MIN))]);
      return;
    case 'revision': {
      const revised: CaseRated = {
        ...c,
        revision: 2,
        checkPlan: [{ agency: s.added!, categories: ['identity'], dueAt: at(90 * MIN).toISOString() }],
      };
      const revise = maybeCrashFirst('mash.case.rated.v1', revised, (ctx) =>
        requests.fanOut(revised, ctx, at(5 * MIN + Math.floor(random() * 4))),
      );
      // The same revision delivered twice (a replay from triage) races too.
      const replay = db.handled('mash.case.rated.v1', revised, (ctx) =>
        requests.fanOut(revised, ctx, at(5 * MIN + Math.floor(random() * 4))),
      );
      await Promise.all([revise, replay, collectAll(deliveries(c, agencies, 5 * MIN))]);
      // The added agency can answer only once it was asked.
      return collectAll(deliveries(c, [s.added!], 5 * MIN + 2, 2));
    }
  }
}

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return db.ds.query(sql, params);
}

it(`declares every fully answered case ready exactly once under concurrent, shuffled, same-millisecond deliveries (${CASES} cases)`, async () => {
  const scenarios: Scenario[] = ['replies', 'replies', 'revision', 'deadline', 'clock'];
  const cases = Array.from({ length: CASES }, (_, i) => makeCase(i, scenarios[i % scenarios.length]));
  // Opening the cases races too: many ratings at once, each its own transaction.
  await Promise.all(
    cases.map((s) =>
      db.handled('mash.case.rated.v1', s.rated, (ctx) =>
        requests.fanOut(s.rated, ctx, s.scenario === 'clock' ? new Date(s.rated.ratedAt) : T0),
      ),
    ),
  );

  // Timers of every case race the replies: reminders come due at 2-30 minutes for the T0 cases.
  const started = Date.now();
  await Promise.all([
    ...shuffled(cases).map((s) => drive(s)),
    timersA.fireDue(at(3 * MIN)),
    timersB.fireDue(at(5 * MIN)),
    timersA.fireDue(at(5 * MIN + 2)),
  ]);
  const tookMs = Date.now() - started;

  // Before any later timer could rescue it: a case whose agencies all answered and is not ready
  // is stranded until its deadline.
  const latest = await rows<{ case_id: string; outstanding: number; ready: boolean }>(
    `SELECT c.case_id, count(*) FILTER (WHERE r.replied_at IS NULL)::int AS outstanding, c.ready_at IS NOT NULL AS ready
     FROM checks.cases c JOIN (SELECT DISTINCT ON (case_id, agency) case_id, replied_at FROM checks.requests ORDER BY case_id, agency, revision DESC) r USING (case_id)
     GROUP BY c.case_id, c.ready_at`,
  );
  const stranded = latest.filter((r) => r.outstanding === 0 && !r.ready).map((r) => r.case_id);
  const unanswered = latest.filter((r) => r.outstanding > 0).map((r) => r.case_id);
  const scenarioOf = new Map(cases.map((s) => [s.rated.caseId, s.scenario]));
  const byScenario: Record<string, number> = {};
  for (const id of stranded) byScenario[scenarioOf.get(id)!] = (byScenario[scenarioOf.get(id)!] ?? 0) + 1;
  console.log(
    `checks stress: seed ${SEED}, ${CASES} cases, ${crashes} deliveries crashed before commit and redelivered, ${tookMs} ms; stranded ${stranded.length} ${JSON.stringify(byScenario)}`,
  );
  expect(unanswered).toEqual([]);
  expect(stranded).toEqual([]);
  expect(latest).toHaveLength(CASES);

  // Every later timer, far past every deadline: nothing is declared again.
  await Promise.all([timersA.fireDue(at(10_000 * MIN)), timersB.fireDue(at(10_000 * MIN))]);
  await timersA.fireDue(new Date(Date.now() + 1000 * MIN));

  for (const s of cases) {
    const c = s.rated;
    const pictures = await db.published<CaseReady>('mash.case.ready.v1', c.caseId);
    const firsts = pictures.filter((p) => p.revision === 1);
    expect({ caseId: c.caseId, firsts: firsts.length }).toEqual({ caseId: c.caseId, firsts: 1 });
    const [row] = await rows<{ ready_at: Date; ready_reason: string }>(
      `SELECT ready_at, ready_reason FROM checks.cases WHERE case_id = $1`,
      [c.caseId],
    );
    expect(new Date(row.ready_at).toISOString()).toBe(firsts[0].readyAt);
    expect(row.ready_reason).toBe(firsts[0].reason);
    const planned = [...c.checkPlan.map((p) => p.agency), ...(s.added ? [s.added] : [])];
    if (s.scenario !== 'deadline') {
      // The deadline was far away: only every reply could have made it ready, and with nothing missing.
      expect({ caseId: c.caseId, reason: firsts[0].reason, complete: firsts[0].complete, missing: firsts[0].missing }).toEqual({
        caseId: c.caseId,
        reason: 'all-replied',
        complete: true,
        missing: [],
      });
      // A revision that lost the race to the last first-plan reply found the case ready already.
      const original = c.checkPlan.map((p) => p.agency).sort();
      const replied = [...firsts[0].replied].sort();
      if (s.scenario === 'revision' && replied.length === original.length) expect(replied).toEqual(original);
      else expect(replied).toEqual([...planned].sort());
    }
    // One request per agency per revision, each published once.
    for (const agency of planned) {
      const requested = await db.published<CheckRequested>(`mash.check.${agency}.requested.v1`, c.caseId);
      expect({ caseId: c.caseId, agency, requests: requested.map((r) => r.requestId) }).toEqual({
        caseId: c.caseId,
        agency,
        requests: [requestIdFor(c.caseId, agency, agency === s.added ? 2 : 1)],
      });
    }
  }

  // Each reply stored once, whatever was redelivered.
  const [{ replies, answered }] = await rows<{ replies: number; answered: number }>(
    `SELECT (SELECT count(*) FROM checks.replies)::int AS replies, (SELECT count(*) FROM checks.requests WHERE replied_at IS NOT NULL)::int AS answered`,
  );
  expect(replies).toBe(answered);

  // Every timer fired at most once: one chase message per fired reminder or escalation, none
  // for a timer not marked fired.
  const fired = await rows<{ request_id: string; kind: string; n: number }>(
    `SELECT request_id, kind, count(*)::int AS n FROM checks.timers WHERE fired_at IS NOT NULL AND kind <> 'case-deadline' GROUP BY request_id, kind`,
  );
  // The outbox is sealed at rest: counted from the opened envelopes.
  const chaseCounts = new Map<string, number>();
  for (const e of await outboxEnvelopes<{ requestId: string; kind: string }>(db.ds, 'checks', { topic: 'mash.check.chased.v1' })) {
    chaseCounts.set(`${e.data.requestId}:${e.data.kind}`, (chaseCounts.get(`${e.data.requestId}:${e.data.kind}`) ?? 0) + 1);
  }
  const chases = [...chaseCounts].map(([k, n]) => ({ request_id: k.split(':')[0], kind: k.split(':')[1], n }));
  const key = (r: { request_id: string; kind: string; n: number }) => `${r.request_id}:${r.kind}:${r.n}`;
  expect(chases.map(key).sort()).toEqual(fired.map(key).sort());
  const [{ both }] = await rows<{ both: number }>(
    `SELECT count(*)::int AS both FROM checks.timers WHERE fired_at IS NOT NULL AND cancelled_at IS NOT NULL`,
  );
  expect(both).toBe(0);
  // Readiness cancels what is left of a ready case's timers.
  const [{ pending }] = await rows<{ pending: number }>(
    `SELECT count(*)::int AS pending FROM checks.timers t JOIN checks.cases c USING (case_id) WHERE c.ready_at IS NOT NULL AND t.fired_at IS NULL AND t.cancelled_at IS NULL`,
  );
  expect(pending).toBe(0);
  // The timers really did race the replies: reminders fired during the run.
  expect(chases.some((r) => r.kind === 'reminder')).toBe(true);
}, 300_000);
