import { DataSource, EntityManager } from 'typeorm';
import { CaseRated, CaseReady, DecisionRecorded, NoticeDelivered, TeamsAlerted } from '@mash/contracts';
import { NotReadyYet } from '@mash/messaging';
import { furthestStage } from './stages';
import { BoardProjection } from '../board/board.projection';
import { StatusProjection } from './status.projection';
import { createServiceDb, ServiceDb } from '../../../../test/support/serviceDb';
import { PROJECTION_MIGRATIONS } from './projectionTables.fixtures';

/**
 * The status projection against real Postgres with the gateway's migrations. Two referrers'
 * contacts on one case (the second joins the first's case), and every event of the case delivered
 * shuffled, all at once in parallel, and with the join last: every referrer ends where the case
 * ends, each step once in its history. A handler that finds what it follows missing throws
 * NotReadyYet, and the harness redelivers it, as the transport does.
 */
let db: ServiceDb;
let ds: DataSource;
const projection = new StatusProjection(new BoardProjection());
const T0 = Date.parse('2026-11-23T09:00:00.000Z');
const at = (min: number) => new Date(T0 + min * 60_000).toISOString();

beforeAll(async () => {
  db = await createServiceDb('mash_status', 'gateway', PROJECTION_MIGRATIONS, 12);
  ds = db.ds;
}, 60000);

afterAll(() => db?.drop());

async function receive(contactId: string, agency: string): Promise<void> {
  await ds.query(
    `INSERT INTO gateway.contacts (contact_id, source_agency, agency_reference, received_at, body) VALUES ($1, $2, $1, $3, '{}')`,
    [contactId, agency, at(0)],
  );
  await ds.query(`INSERT INTO gateway.contact_status (contact_id, stage, history) VALUES ($1, 'received', $2)`, [
    contactId,
    JSON.stringify([{ at: at(0), stage: 'received' }]),
  ]);
}

const plan = (agencies: string[]) =>
  agencies.map((agency) => ({ agency, categories: ['identity'], dueAt: at(600) })) as CaseRated['checkPlan'];
function rating(caseId: string, contactId: string, over: Partial<CaseRated> = {}): CaseRated {
  return {
    caseId,
    contactId,
    stage: 'start',
    rating: 'AMBER',
    ruleIds: [],
    reasons: [],
    policyVersion: 'p1',
    ratedAt: at(1),
    deadline: at(1440),
    checkPlan: plan(['police', 'health']),
    subjects: [],
    lawfulBasis: 'statutory-function',
    ...over,
  };
}

function readyPicture(caseId: string, revision: number, missing: CaseReady['missing']): CaseReady {
  return {
    caseId,
    readyAt: at(300),
    complete: missing.length === 0,
    reason: 'all-replied',
    replied: ['police', 'health'].filter((x) => !missing.includes(x as never)) as CaseReady['replied'],
    missing,
    chronology: [{ agency: 'police', date: '2026-11-20', summary: 'Attended' }],
    revision,
  };
}

interface Delivery {
  name: string;
  at: string;
  /** Its own transaction(s); throws NotReadyYet while what it depends on is not there (the transport redelivers it later). */
  run(at: string): Promise<void>;
}

const tx = (f: (m: EntityManager) => Promise<void>) => ds.transaction('READ COMMITTED', f);

/** One transaction per delivery, as the transport runs a handler; redelivered while not ready. */
async function deliver(d: Delivery, log: string[]): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt++) {
    try {
      await d.run(d.at);
      log.push(d.name);
      return;
    } catch (err) {
      if (!(err instanceof NotReadyYet)) throw err;
      await new Promise((r) => setTimeout(r, 2 + Math.random() * 8));
    }
  }
  throw new Error(`${d.name} never became deliverable`);
}

/**
 * Every event of a case with two referrers. The decision is recorded the way the decision
 * controller does it: only once the gateway has the case ready, committed before its event.
 */
function caseEvents(caseId: string, a: string, b: string, joinFirst = Math.random() < 0.5): { first: Delivery; rest: Delivery[] } {
  const ready = (revision: number, missing: CaseReady['missing']) => readyPicture(caseId, revision, missing);
  const decision: DecisionRecorded = {
    decisionId: `DC-${caseId}`,
    caseId,
    contactId: a,
    decidedAt: at(400),
    decisionMaker: { name: 'Sam Patel', role: 'MASH team manager' },
    outcomes: ['early-help'],
    finalRating: 'AMBER',
    responsibleTeam: { name: 'Early Help', inHours: '01234 567890' },
  };
  const notice = (contactId: string, status: NoticeDelivered['status']): NoticeDelivered => ({
    noticeId: `N-${contactId}-${status}`,
    caseId,
    contactId,
    kind: 'outcome',
    recipient: 'org',
    channel: 'topic',
    status,
    attempts: 1,
    at: at(401),
  });
  const decidedYet = async (m: EntityManager) => {
    const [c] = await m.query(`SELECT decision_id FROM gateway.cases WHERE case_id = $1`, [caseId]);
    if (!c?.decision_id) throw new NotReadyYet('no decision yet');
  };
  const alert: TeamsAlerted = { caseId, contactId: a, alertedAt: at(1), teams: ['MASH duty'], ruleIds: [] };
  return {
    first: { name: 'rated-a', at: at(1), run: (t) => tx((m) => projection.rated(rating(caseId, a), t, m)) },
    rest: [
      { name: 'teams', at: at(1), run: (t) => tx((m) => projection.teamsAlerted(alert, t, m)) },
      // The ratings of one case share its partition, so they are handled in the order triage made
      // them: the second agency's report joins either before the end-of-checks re-rating (the case
      // still Amber) or after it (Red), in the same millisecond as readiness.
      {
        name: 'ratings',
        at: at(300),
        run: async (t) => {
          const join = (r: CaseRated['rating']) =>
            tx((m) => projection.rated(rating(caseId, b, { rating: r, checkPlan: [], duplicateOf: a, ratedAt: t }), t, m));
          const rerate = () =>
            tx((m) => projection.rated(rating(caseId, a, { stage: 'end', rating: 'RED', checkPlan: [], ratedAt: at(301) }), at(301), m));
          if (joinFirst) {
            await join('AMBER');
            await rerate();
          } else {
            await rerate();
            await join('RED');
          }
        },
      },
      // Readiness and its revision share a partition too.
      {
        name: 'ready',
        at: at(300),
        run: async (t) => {
          await tx((m) => projection.ready(ready(1, ['health']), t, m));
          await tx((m) => projection.ready(ready(2, []), at(402), m));
        },
      },
      {
        name: 'decided',
        at: at(400),
        run: async (t) => {
          // The controller: only a ready case is decided; its row is locked and the decision committed first.
          await tx(async (m) => {
            const [c] = await m.query(`SELECT ready FROM gateway.cases WHERE case_id = $1 FOR UPDATE`, [caseId]);
            if (!c?.ready) throw new NotReadyYet('not ready yet');
            await m.query(`UPDATE gateway.cases SET decision_id = $2 WHERE case_id = $1 AND decision_id IS NULL`, [
              caseId,
              decision.decisionId,
            ]);
          });
          await tx((m) => projection.decided(decision, t, m));
        },
      },
      {
        name: 'notice-a',
        at: at(401),
        run: (t) =>
          tx(async (m) => {
            await decidedYet(m);
            await projection.noticed(notice(a, 'delivered'), t, m);
          }),
      },
      {
        name: 'notice-b-failed',
        at: at(401),
        run: (t) =>
          tx(async (m) => {
            await decidedYet(m);
            await projection.noticed(notice(b, 'failed'), t, m);
          }),
      },
    ],
  };
}

function shuffle<T>(xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

interface StatusRow {
  contact_id: string;
  case_id: string;
  stage: string;
  rating: string;
  ready_at: Date | null;
  decided_at: Date | null;
  outcomes: string[] | null;
  notice_status: string | null;
  history: { at: string; stage: string }[];
}

async function expectBothFollowTheCase(caseId: string, a: string, b: string): Promise<void> {
  const rows: StatusRow[] = await ds.query(`SELECT * FROM gateway.contact_status WHERE contact_id = ANY($1) ORDER BY contact_id`, [[a, b]]);
  const [ra, rb] = [rows.find((r) => r.contact_id === a)!, rows.find((r) => r.contact_id === b)!];
  for (const r of [ra, rb]) {
    expect({
      contact: r.contact_id,
      caseId: r.case_id,
      rating: r.rating,
      decided: r.decided_at?.toISOString(),
      ready: r.ready_at?.toISOString(),
      outcomes: r.outcomes,
    }).toEqual({
      contact: r.contact_id,
      caseId,
      rating: 'RED',
      decided: at(400),
      ready: at(300),
      outcomes: ['early-help'],
    });
    const stages = r.history.map((h) => h.stage);
    // Each step of the journey once; readiness once per picture that came before the decision.
    for (const s of ['received', 'checks-in-progress', 'teams-informed', 're-rated', 'decided'])
      expect({ contact: r.contact_id, s, n: stages.filter((x) => x === s).length }).toEqual({ contact: r.contact_id, s, n: 1 });
    expect(stages.filter((x) => x === 'ready-for-decision').length).toBeGreaterThanOrEqual(1);
  }
  expect({ stage: ra.stage, notice: ra.notice_status }).toEqual({ stage: 'referrer-informed', notice: 'delivered' });
  expect({ stage: rb.stage, notice: rb.notice_status }).toEqual({ stage: 'notice-failed', notice: 'failed' });
  expect(rb.history.filter((h) => h.stage === 'rated')).toHaveLength(1);
  const [c] = await ds.query(`SELECT stage, history FROM gateway.cases WHERE case_id = $1`, [caseId]);
  expect(c.stage).toBe('decided');
}

describe('every referrer of a case follows the case', () => {
  it('ends the same whatever order the events are handled in, one at a time', async () => {
    for (let i = 0; i < 12; i++) {
      const [caseId, a, b] = [`CS-seq-${i}`, `CT-seq-${i}-a`, `CT-seq-${i}-b`];
      await receive(a, 'police');
      await receive(b, 'education');
      const { first, rest } = caseEvents(caseId, a, b);
      const log: string[] = [];
      await deliver(first, log);
      // One at a time, shuffled; a delivery not deliverable yet goes back to the end of the queue.
      const queue = shuffle(rest);
      while (queue.length) {
        const d = queue.shift()!;
        try {
          await d.run(d.at);
          log.push(d.name);
        } catch (err) {
          if (!(err instanceof NotReadyYet)) throw err;
          queue.push(d);
        }
      }
      await expectBothFollowTheCase(caseId, a, b);
    }
  }, 60000);

  it('ends the same when every event of many cases is delivered at once, in parallel', async () => {
    const cases = Array.from({ length: 10 }, (_, i) => [`CS-par-${i}`, `CT-par-${i}-a`, `CT-par-${i}-b`] as const);
    for (const [, a, b] of cases) {
      await receive(a, 'police');
      await receive(b, 'health');
    }
    const log: string[] = [];
    await Promise.all(cases.map(([c, a, b]) => deliver(caseEvents(c, a, b).first, log)));
    await Promise.all(cases.flatMap(([c, a, b]) => shuffle(caseEvents(c, a, b).rest).map((d) => deliver(d, log))));
    for (const [c, a, b] of cases) await expectBothFollowTheCase(c, a, b);
  }, 60000);

  it('brings a contact that joins after the decision up to the decision at once', async () => {
    const [caseId, a, b] = ['CS-late-join', 'CT-late-join-a', 'CT-late-join-b'];
    await receive(a, 'police');
    await receive(b, 'education');
    const { first, rest } = caseEvents(caseId, a, b);
    const log: string[] = [];
    await deliver(first, log);
    // Everything but the second report: the case is ready, re-rated, decided, its referrer told.
    await deliver(
      rest.find((x) => x.name === 'teams')!,
      log,
    );
    await tx((m) => projection.ready(readyPicture(caseId, 1, []), at(300), m));
    await tx((m) => projection.rated(rating(caseId, a, { stage: 'end', rating: 'RED', checkPlan: [], ratedAt: at(301) }), at(301), m));
    for (const d of rest.filter((x) => x.name === 'decided' || x.name === 'notice-a')) await deliver(d, log);
    const [before] = await ds.query(`SELECT stage, case_id FROM gateway.contact_status WHERE contact_id = $1`, [b]);
    expect(before).toEqual({ stage: 'received', case_id: null });
    // Then the second agency's report of the same incident joins the decided case.
    await tx((m) => projection.rated(rating(caseId, b, { rating: 'RED', checkPlan: [], duplicateOf: a, ratedAt: at(450) }), at(450), m));
    const [joined]: StatusRow[] = await ds.query(`SELECT * FROM gateway.contact_status WHERE contact_id = $1`, [b]);
    expect({
      stage: joined.stage,
      caseId: joined.case_id,
      rating: joined.rating,
      ready: joined.ready_at?.toISOString(),
      decided: joined.decided_at?.toISOString(),
      outcomes: joined.outcomes,
    }).toEqual({
      stage: 'decided',
      caseId,
      rating: 'RED',
      ready: at(300),
      decided: at(400),
      outcomes: ['early-help'],
    });
    // Its history reads in time order: its own receipt, the case's steps, then its joining.
    const times = joined.history.map((h) => h.at);
    expect(times).toEqual([...times].sort());
    expect(joined.history.map((h) => h.stage)).toEqual([
      'received',
      'checks-in-progress',
      'teams-informed',
      'ready-for-decision',
      're-rated',
      'decided',
      'rated',
    ]);
    // The first referrer's status is untouched by the second joining.
    const [firstReferrer] = await ds.query(`SELECT stage FROM gateway.contact_status WHERE contact_id = $1`, [a]);
    expect(firstReferrer.stage).toBe('referrer-informed');
  });

  it('takes a Red alert that arrives before the rating onto the alerted contact at once, without waiting for the case', async () => {
    const [caseId, a] = ['CS-alert-first', 'CT-alert-first-a'];
    await receive(a, 'police');
    const alert: TeamsAlerted = { caseId, contactId: a, alertedAt: at(1), teams: ['MASH duty'], ruleIds: [] };
    // Before the fix this threw NotReadyYet, holding the partition in retries and then parking the alert.
    await tx((m) => projection.teamsAlerted(alert, at(1), m));
    await tx((m) => projection.rated(rating(caseId, a), at(1), m));
    const [r]: StatusRow[] = await ds.query(`SELECT * FROM gateway.contact_status WHERE contact_id = $1`, [a]);
    expect({ stage: r.stage, caseId: r.case_id }).toEqual({ stage: 'teams-informed', caseId });
    expect(r.history.map((h) => h.stage).filter((x) => x === 'teams-informed')).toEqual(['teams-informed']);
    // An alert for a contact the gateway has never seen still waits.
    await expect(
      tx((m) => projection.teamsAlerted({ ...alert, caseId: 'CS-nobody', contactId: 'CT-nobody' }, at(1), m)),
    ).rejects.toBeInstanceOf(NotReadyYet);
  });

  /**
   * The case row and its contacts are written in one statement, whose snapshot is taken before it
   * waits for the case row's lock. Here the wait is made certain: a second referrer's report holds
   * the lock, having attached its contact, while each later event of the case waits for it; the
   * waiting statement must still bring that contact along (it runs again under the lock).
   */
  it.each([
    ['a teams alert', 'teams-informed'],
    ['readiness', 'ready-for-decision'],
    ['the end-of-checks re-rating', 're-rated'],
    ['a third report joining', 'rated'],
    ['the decision', 'decided'],
  ] as const)('brings along a contact attached while %s waited for the case row', async (name, stage) => {
    const tag = stage.replace(/-/g, '');
    const [caseId, a, b, c] = [`CS-wait-${tag}`, `CT-wait-${tag}-a`, `CT-wait-${tag}-b`, `CT-wait-${tag}-c`];
    for (const id of [a, b, c]) await receive(id, 'police');
    await tx((m) => projection.rated(rating(caseId, a, { rating: 'AMBER' }), at(1), m));
    if (stage === 'decided') {
      await tx((m) => projection.ready(readyPicture(caseId, 1, []), at(300), m));
      await ds.query(`UPDATE gateway.cases SET decision_id = 'DC-wait' WHERE case_id = $1`, [caseId]);
    }
    const waiting: Record<typeof stage, (m: EntityManager) => Promise<void>> = {
      'teams-informed': (m) =>
        projection.teamsAlerted({ caseId, contactId: a, alertedAt: at(2), teams: ['MASH duty'], ruleIds: [] }, at(2), m),
      'ready-for-decision': (m) => projection.ready(readyPicture(caseId, 1, []), at(300), m),
      're-rated': (m) => projection.rated(rating(caseId, a, { stage: 'end', rating: 'RED', checkPlan: [], ratedAt: at(301) }), at(301), m),
      rated: (m) => projection.rated(rating(caseId, c, { rating: 'RED', checkPlan: [], duplicateOf: a, ratedAt: at(5) }), at(5), m),
      decided: (m) =>
        projection.decided(
          {
            decisionId: 'DC-wait',
            caseId,
            contactId: a,
            decidedAt: at(400),
            decisionMaker: { name: 'Sam Patel', role: 'MASH team manager' },
            outcomes: ['early-help'],
            finalRating: 'AMBER',
            responsibleTeam: { name: 'Early Help', inHours: '01234 567890' },
          },
          at(400),
          m,
        ),
    };
    const holder = ds.createQueryRunner();
    await holder.connect();
    await holder.startTransaction('READ COMMITTED');
    try {
      await projection.rated(rating(caseId, b, { checkPlan: [], duplicateOf: a, ratedAt: at(4) }), at(4), holder.manager);
      const waiter = tx(waiting[stage]);
      // Committed only once the waiting statement is blocked on the case row.
      for (let i = 0; ; i++) {
        const [{ n }] = await ds.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        if (n > 0) break;
        if (i > 500) throw new Error(`${name} never waited for the case row`);
        await new Promise((r) => setTimeout(r, 10));
      }
      await holder.commitTransaction();
      await waiter;
    } finally {
      await holder.release();
    }
    const [joined]: StatusRow[] = await ds.query(`SELECT * FROM gateway.contact_status WHERE contact_id = $1`, [b]);
    expect({ contact: 'b', caseId: joined.case_id, stage: joined.stage, rating: joined.rating }).toEqual({
      contact: 'b',
      caseId,
      stage: stage === 'rated' ? 'checks-in-progress' : stage,
      rating: stage === 'rated' || stage === 're-rated' ? 'RED' : 'AMBER',
    });
    expect(joined.history.filter((h) => h.stage === stage)).toHaveLength(1);
  });

  it('never takes a contact back to an earlier stage', () => {
    expect(furthestStage('decided', 'ready-for-decision')).toBe('decided');
    expect(furthestStage('re-rated', 'ready-for-decision')).toBe('re-rated');
    expect(furthestStage('notice-failed', 'referrer-informed')).toBe('referrer-informed');
    expect(furthestStage('referrer-informed', 'notice-failed')).toBe('referrer-informed');
    expect(furthestStage('teams-informed', 'checks-in-progress')).toBe('teams-informed');
    expect(furthestStage('received', 'rated')).toBe('rated');
  });
});
