import {
  CaseRated,
  CaseReady,
  CheckChased,
  CheckReplied,
  checkRepliedTopic,
  CheckRequested,
  DeadLetter,
  validateData,
} from '@mash/contracts';
import { MessageContext, Outbox, RejectedMessage, WouldWait } from '@mash/messaging';
import { AlertsService } from './alerts/alerts.service';
import { elapsedTimeForEveryAgency } from './chasing';
import { ChecksDb, createChecksDb } from '../../../test/support/checksDb.fixtures';
import { PictureService } from './picture/picture.service';
import { requestIdFor, RequestsService } from './requests/requests.service';
import { TimersService } from './timers/timers.service';

/**
 * The checks service's logic against a real Postgres (a database of its own), with the outbox
 * read back instead of relayed to Kafka: what each step would publish, and how often.
 */
let db: ChecksDb;
let ds: ChecksDb['ds'];
let outbox: Outbox;
let picture: PictureService;
let requests: RequestsService;
let timers: TimersService;
let alerts: AlertsService;

const T0 = new Date('2026-11-23T09:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const MIN = 60_000;

beforeAll(async () => {
  db = await createChecksDb('checks_spec');
  ({ ds, outbox } = db);
  picture = new PictureService(outbox);
  requests = new RequestsService(picture, elapsedTimeForEveryAgency);
  timers = new TimersService(ds, outbox, picture);
  alerts = new AlertsService();
}, 30000);

afterAll(async () => {
  await db?.drop();
});

let n = 0;
function rated(over: Partial<CaseRated> = {}): CaseRated {
  n++;
  return {
    caseId: `CS-spec-${n}`,
    contactId: `CT-spec-${n}`,
    stage: 'start',
    rating: 'AMBER',
    ruleIds: ['r1'],
    reasons: ['spec'],
    policyVersion: 'spec-1',
    ratedAt: T0.toISOString(),
    deadline: at(100 * MIN).toISOString(),
    checkPlan: [
      { agency: 'police', categories: ['identity', 'offending'], dueAt: at(50 * MIN).toISOString() },
      { agency: 'health', categories: ['health'], dueAt: at(10 * MIN).toISOString() },
      { agency: 'education', categories: ['identity', 'address', 'education'], dueAt: at(80 * MIN).toISOString() },
    ],
    subjects: [
      {
        subjectId: 's1',
        kind: 'child',
        givenName: 'Amy',
        familyName: 'Example',
        dateOfBirth: '2019-03-02',
        nhsNumber: '9434765919',
        upn: 'P123456789123',
        postcode: 'EX1 2AB',
      },
      {
        subjectId: 's2',
        kind: 'adult',
        givenName: 'Carl',
        familyName: 'Sample',
        dateOfBirth: '1988-01-30',
        policePersonId: 'PNC-88-123456',
      },
    ],
    lawfulBasis: 'risk-of-significant-harm',
    ...over,
  };
}

function reply(c: CaseRated, agency: CheckReplied['agency'], entries: CheckReplied['entries'] = []): CheckReplied {
  return {
    requestId: requestIdFor(c.caseId, agency),
    caseId: c.caseId,
    agency,
    repliedAt: T0.toISOString(),
    known: entries.length > 0,
    entries,
  };
}

/** Runs a step as the transport would: one transaction, a MessageContext over it. */
const handled = <T>(topic: string, data: T, fn: (ctx: MessageContext) => Promise<void>) => db.handled(topic, data, fn);
const published = <T>(topic: string, caseId: string) => db.published<T>(topic, caseId);

const chased = (caseId: string) => published<CheckChased>('mash.check.chased.v1', caseId);
const ready = (caseId: string) => published<CaseReady>('mash.case.ready.v1', caseId);

describe('fan-out', () => {
  it('sends each agency its own request with only what its plan item grants, keyed by case', async () => {
    const c = rated();
    await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
    const police = (await published<CheckRequested>('mash.check.police.requested.v1', c.caseId))[0];
    const health = (await published<CheckRequested>('mash.check.health.requested.v1', c.caseId))[0];
    const education = (await published<CheckRequested>('mash.check.education.requested.v1', c.caseId))[0];
    expect(police.categories).toEqual(['identity', 'offending']);
    // Police: names and its own PNC id, no NHS number, UPN or postcode (no address granted).
    expect(police.subjects).toEqual([
      { subjectId: 's1', kind: 'child', givenName: 'Amy', familyName: 'Example', dateOfBirth: '2019-03-02' },
      {
        subjectId: 's2',
        kind: 'adult',
        givenName: 'Carl',
        familyName: 'Sample',
        dateOfBirth: '1988-01-30',
        policePersonId: 'PNC-88-123456',
      },
    ]);
    // Health was granted no identity: ids and kinds only.
    expect(health.subjects).toEqual([
      { subjectId: 's1', kind: 'child' },
      { subjectId: 's2', kind: 'adult' },
    ]);
    expect(education.subjects[0]).toEqual({
      subjectId: 's1',
      kind: 'child',
      givenName: 'Amy',
      familyName: 'Example',
      dateOfBirth: '2019-03-02',
      upn: 'P123456789123',
      postcode: 'EX1 2AB',
    });
    for (const r of [police, health, education]) {
      expect(validateData('checkRequested', r).ok).toBe(true);
      expect(r).toMatchObject({ caseId: c.caseId, lawfulBasis: 'risk-of-significant-harm', caseDeadline: c.deadline });
    }
    const [{ n: timerCount }] = await ds.query(`SELECT count(*)::int AS n FROM checks.timers WHERE case_id = $1`, [c.caseId]);
    expect(timerCount).toBe(3 * 3 + 1); // two reminders and an escalation per agency, one case deadline
  });

  it('asks once when a case is rated at the start twice', async () => {
    const c = rated();
    await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
    await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, at(1000)));
    expect(await published('mash.check.police.requested.v1', c.caseId)).toHaveLength(1);
  });

  it('gives no agency longer than the case deadline', async () => {
    const c = rated({ checkPlan: [{ agency: 'police', categories: ['identity'], dueAt: at(500 * MIN).toISOString() }] });
    await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
    expect((await published<CheckRequested>('mash.check.police.requested.v1', c.caseId))[0].dueAt).toBe(c.deadline);
  });

  it('is ready at once, and complete, with nothing to ask', async () => {
    const c = rated({ checkPlan: [] });
    await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
    expect(await ready(c.caseId)).toMatchObject([{ complete: true, reason: 'all-replied', missing: [], revision: 1 }]);
  });
});

describe('deadlines', () => {
  it('reminds at 1/2 and 4/5, escalates at due, and at the deadline lists exactly who did not reply', async () => {
    const c = rated();
    await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
    await handled('r', reply(c, 'police', [{ subjectId: 's2', date: '2026-01-01', category: 'offending', summary: 'Caution' }]), (ctx) =>
      requests.collect(
        reply(c, 'police', [{ subjectId: 's2', date: '2026-01-01', category: 'offending', summary: 'Caution' }]),
        'police',
        ctx,
        at(20 * MIN),
      ),
    );
    await timers.fireDue(at(99 * MIN));
    expect((await chased(c.caseId)).map((x) => `${x.agency}:${x.kind}`).sort()).toEqual(
      [
        'education:escalation',
        'education:reminder',
        'education:reminder',
        'health:escalation',
        'health:reminder',
        'health:reminder',
        // police replied at 20 min: its reminder at 25 and 40 min and escalation at 50 were cancelled
      ].sort(),
    );
    expect(await ready(c.caseId)).toEqual([]);
    await timers.fireDue(at(100 * MIN));
    const [msg] = await ready(c.caseId);
    expect(msg).toMatchObject({
      complete: false,
      reason: 'deadline-reached',
      replied: ['police'],
      missing: ['health', 'education'],
      readyAt: c.deadline,
      revision: 1,
    });
    expect(msg.chronology).toEqual([{ agency: 'police', subjectId: 's2', date: '2026-01-01', category: 'offending', summary: 'Caution' }]);
    // Nothing fires twice, however often the clock is asked.
    await timers.fireDue(at(200 * MIN));
    expect(await chased(c.caseId)).toHaveLength(6);
    expect(await ready(c.caseId)).toHaveLength(1);
  });

  it('fires each timer once when replicas race for them', async () => {
    const cases = Array.from({ length: 30 }, () => rated());
    for (const c of cases) await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
    const other = new TimersService(ds, outbox, picture);
    other.options.batch = 7;
    timers.options.batch = 11;
    try {
      await Promise.all([timers.fireDue(at(101 * MIN)), other.fireDue(at(101 * MIN)), timers.fireDue(at(101 * MIN))]);
    } finally {
      timers.options.batch = 500;
    }
    for (const c of cases) {
      expect(await chased(c.caseId)).toHaveLength(9);
      expect(await ready(c.caseId)).toHaveLength(1);
    }
  });

  it('is ready when the last agency replies, and then no reminder or deadline fires', async () => {
    const c = rated();
    await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
    for (const a of ['police', 'health', 'education'] as const)
      await handled('r', reply(c, a), (ctx) => requests.collect(reply(c, a), a, ctx, at(MIN)));
    expect(await ready(c.caseId)).toMatchObject([{ complete: true, reason: 'all-replied', missing: [], readyAt: at(MIN).toISOString() }]);
    await timers.fireDue(at(200 * MIN));
    expect(await chased(c.caseId)).toEqual([]);
    expect(await ready(c.caseId)).toHaveLength(1);
  });
});

describe('replies in a run', () => {
  /** A reply handled as a later message of a run: its handler must not wait for a lock (mayWait false). */
  const inRun = (data: CheckReplied, agency: CheckReplied['agency']) =>
    db.ds.transaction(async (m) => {
      const env = { id: `m-${c0++}`, type: 'r', occurredAt: T0.toISOString(), producer: 'spec', key: data.caseId, data };
      await requests.collect(
        data,
        agency,
        new MessageContext([{ topic: 'r', partition: 0, offset: '0', envelope: env }, m, db.outbox, false]),
        at(MIN),
      );
    });
  let c0 = 0;

  it('does not wait for a case another transaction holds: it steps out (WouldWait) having written nothing, and is taken once free', async () => {
    const c = rated();
    await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
    const holder = db.ds.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holder.query(`SELECT 1 FROM checks.cases WHERE case_id = $1 FOR UPDATE`, [c.caseId]);
    try {
      await expect(inRun(reply(c, 'police'), 'police')).rejects.toThrow(WouldWait);
      const [r] = await db.ds.query(`SELECT replied_at FROM checks.requests WHERE case_id = $1 AND agency = 'police'`, [c.caseId]);
      expect(r.replied_at).toBeNull();
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }
    await inRun(reply(c, 'police'), 'police');
    const [r] = await db.ds.query(`SELECT replied_at FROM checks.requests WHERE case_id = $1 AND agency = 'police'`, [c.caseId]);
    expect(r.replied_at).not.toBeNull();
  });

  it('still refuses a reply for a case it does not know', async () => {
    const c = rated();
    await expect(inRun(reply(c, 'police'), 'police')).rejects.toThrow(RejectedMessage);
  });
});

describe('late replies', () => {
  it('accepts a reply after its due time, before the deadline, and flags it late', async () => {
    const c = rated();
    await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
    const late = reply(c, 'health', [{ subjectId: 's1', date: '2026-02-02', category: 'health', summary: 'A&E' }]);
    await handled('r', late, (ctx) => requests.collect(late, 'health', ctx, at(30 * MIN)));
    await timers.fireDue(at(100 * MIN));
    const [msg] = await ready(c.caseId);
    expect(msg).toMatchObject({ replied: ['health'], missing: ['police', 'education'], late: ['health'] });
    expect(msg.chronology).toEqual([
      { agency: 'health', subjectId: 's1', date: '2026-02-02', category: 'health', summary: 'A&E', late: true },
    ]);
  });

  it('after readiness: stores the reply, flags it and publishes the next revision of the picture', async () => {
    const c = rated();
    await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
    await timers.fireDue(at(100 * MIN));
    const r1 = reply(c, 'education', [{ subjectId: 's1', date: '2026-03-03', category: 'education', summary: 'Attendance 81%' }]);
    await handled('r', r1, (ctx) => requests.collect(r1, 'education', ctx, at(110 * MIN)));
    const r2 = reply(c, 'police', [{ subjectId: 's1', date: '2026-03-03', category: 'education', summary: 'attendance 81 %' }]);
    await handled('r', r2, (ctx) => requests.collect(r2, 'police', ctx, at(120 * MIN)));
    const [first, second, third] = await ready(c.caseId);
    expect(first).toMatchObject({ revision: 1, missing: ['police', 'health', 'education'], chronology: [] });
    expect(second).toMatchObject({
      revision: 2,
      readyAt: c.deadline,
      reason: 'deadline-reached',
      complete: false,
      replied: ['education'],
      missing: ['police', 'health'],
      late: ['education'],
      repliedAfterReady: ['education'],
      revisedAt: at(110 * MIN).toISOString(),
    });
    expect(second.chronology).toEqual([
      { agency: 'education', subjectId: 's1', date: '2026-03-03', category: 'education', summary: 'Attendance 81%', late: true },
    ]);
    // Police said the same thing later: folded into education's entry, police credited.
    expect(third).toMatchObject({
      revision: 3,
      replied: ['police', 'education'],
      missing: ['health'],
      repliedAfterReady: ['police', 'education'],
    });
    expect(third.chronology).toEqual([
      {
        agency: 'education',
        subjectId: 's1',
        date: '2026-03-03',
        category: 'education',
        summary: 'Attendance 81%',
        late: true,
        alsoReportedBy: ['police'],
      },
    ]);
    for (const m of [first, second, third]) expect(validateData('caseReady', m).ok).toBe(true);
  });

  it('a reply after the deadline, before its timer fired, still finds the case ready without it', async () => {
    const c = rated();
    await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
    const r = reply(c, 'police');
    await handled('r', r, (ctx) => requests.collect(r, 'police', ctx, at(100 * MIN + 300)));
    const msgs = await ready(c.caseId);
    expect(msgs.map((m) => [m.revision, m.missing, m.repliedAfterReady])).toEqual([
      [1, ['police', 'health', 'education'], undefined],
      [2, ['health', 'education'], ['police']],
    ]);
    await timers.fireDue(at(101 * MIN));
    expect(await ready(c.caseId)).toHaveLength(2);
  });

  it('ignores a repeated reply from an agency that already replied', async () => {
    const c = rated();
    await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
    await handled('r', reply(c, 'police'), (ctx) => requests.collect(reply(c, 'police'), 'police', ctx, at(MIN)));
    await handled('r', reply(c, 'police', [{ date: '2026-01-01', summary: 'x', category: 'offending' }]), (ctx) =>
      requests.collect(reply(c, 'police'), 'police', ctx, at(2 * MIN)),
    );
    const [{ n: count }] = await ds.query(`SELECT count(*)::int AS n FROM checks.replies WHERE case_id = $1`, [c.caseId]);
    expect(count).toBe(1);
  });
});

describe('replies that cannot be right', () => {
  it('refuses a reply claiming another agency than its topic, or not matching its request', async () => {
    const c = rated();
    await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
    await expect(handled('r', reply(c, 'police'), (ctx) => requests.collect(reply(c, 'police'), 'health', ctx, at(MIN)))).rejects.toThrow(
      RejectedMessage,
    );
    const wrong = { ...reply(c, 'police'), requestId: requestIdFor(c.caseId, 'health') };
    await expect(handled('r', wrong, (ctx) => requests.collect(wrong, 'police', ctx, at(MIN)))).rejects.toThrow(/does not match/);
    await expect(
      handled('r', reply(c, 'housing'), (ctx) => requests.collect(reply(c, 'housing'), 'housing', ctx, at(MIN))),
    ).rejects.toThrow(/unknown request/);
  });

  it('a parked reply raises one alert for its case, and the agency still counts as missing', async () => {
    const c = rated();
    await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
    const letter: DeadLetter = {
      originalTopic: checkRepliedTopic('education'),
      partition: 2,
      offset: '17',
      key: c.caseId,
      consumer: 'checks',
      failedAt: at(MIN).toISOString(),
      reason: 'message breaks its contract',
      errors: [
        { path: '/data/known', rule: 'type', message: 'must be boolean' },
        { path: '/data/repliedAt', rule: 'format', message: 'x' },
      ],
      rawValue: '{"data":{"summary":"Amy Example ..."}}',
    };
    await handled('mash.deadletter.v1', letter, (ctx) => alerts.fromDeadLetter(letter, ctx));
    await handled('mash.deadletter.v1', { ...letter, failedAt: at(2 * MIN).toISOString() }, (ctx) =>
      alerts.fromDeadLetter({ ...letter, failedAt: at(2 * MIN).toISOString() }, ctx),
    );
    const alertsOut = (await chased(c.caseId)).filter((x) => x.kind === 'malformed-reply');
    expect(alertsOut).toEqual([
      {
        caseId: c.caseId,
        requestId: requestIdFor(c.caseId, 'education'),
        agency: 'education',
        kind: 'malformed-reply',
        at: expect.any(String),
        dueAt: at(80 * MIN).toISOString(),
        reason: 'message breaks its contract: /data/known type; /data/repliedAt format',
      },
    ]);
    expect(validateData('checkChased', alertsOut[0]).ok).toBe(true);
    await timers.fireDue(at(100 * MIN));
    expect((await ready(c.caseId))[0].missing).toContain('education');
  });

  it('ignores letters from other topics and counts letters for no known request', async () => {
    const base: DeadLetter = {
      originalTopic: 'mash.contact.police.inbound.v1',
      consumer: 'gateway',
      failedAt: T0.toISOString(),
      reason: 'x',
      rawValue: '{}',
      key: 'CS-none',
    };
    await handled('d', base, (ctx) => alerts.fromDeadLetter(base, ctx));
    await handled('d', { ...base, originalTopic: checkRepliedTopic('police') }, (ctx) =>
      alerts.fromDeadLetter({ ...base, originalTopic: checkRepliedTopic('police') }, ctx),
    );
    const [{ n: count }] = await ds.query(`SELECT count(*)::int AS n FROM checks.alerts WHERE case_id = 'CS-none'`);
    expect(count).toBe(0);
  });
});

describe('revised plans (consent override, escalation by a duplicate)', () => {
  /** Triage's revised start: only what is added, every subject, the new basis. */
  const revisedOf = (c: CaseRated, revision: number, over: Partial<CaseRated> = {}): CaseRated => ({
    ...c,
    revision,
    lawfulBasis: 'section-47',
    checkPlan: [{ agency: 'housing', categories: ['address', 'household'], dueAt: at(90 * MIN).toISOString() }],
    ...over,
  });
  const replyTo = (
    c: CaseRated,
    agency: CheckReplied['agency'],
    revision: number,
    entries: CheckReplied['entries'] = [],
  ): CheckReplied => ({
    ...reply(c, agency, entries),
    requestId: requestIdFor(c.caseId, agency, revision),
  });
  const requested = (c: CaseRated, agency: CheckReplied['agency']) =>
    published<CheckRequested>(`mash.check.${agency}.requested.v1`, c.caseId);
  const pendingTimers = (caseId: string) =>
    ds.query(
      `SELECT key, kind, agency, fire_at FROM checks.timers WHERE case_id = $1 AND fired_at IS NULL AND cancelled_at IS NULL ORDER BY key`,
      [caseId],
    ) as Promise<{ key: string; kind: string; agency: string | null; fire_at: Date }[]>;

  it('asks a newly allowed agency with its own request id, only what it is granted, on the new basis; a replay asks nobody', async () => {
    const c = rated({ lawfulBasis: 'statutory-function' });
    await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
    const r2 = revisedOf(c, 2);
    await handled('mash.case.rated.v1', r2, (ctx) => requests.fanOut(r2, ctx, at(5 * MIN)));
    const [housing, ...more] = await requested(c, 'housing');
    expect(more).toEqual([]);
    expect(housing).toMatchObject({
      requestId: requestIdFor(c.caseId, 'housing', 2),
      categories: ['address', 'household'],
      lawfulBasis: 'section-47',
      requestedAt: at(5 * MIN).toISOString(),
    });
    expect(housing.requestId).not.toBe(requestIdFor(c.caseId, 'housing'));
    // Address, no identity: ids, kinds and the postcode only.
    expect(housing.subjects).toEqual([
      { subjectId: 's1', kind: 'child', postcode: 'EX1 2AB' },
      { subjectId: 's2', kind: 'adult' },
    ]);
    expect(validateData('checkRequested', housing).ok).toBe(true);
    expect(
      (await pendingTimers(c.caseId))
        .filter((t) => t.agency === 'housing')
        .map((t) => t.kind)
        .sort(),
    ).toEqual(['escalation', 'reminder', 'reminder']);

    // The same revision again (a replay), or an older one: nobody is asked.
    await handled('mash.case.rated.v1', r2, (ctx) => requests.fanOut(r2, ctx, at(6 * MIN)));
    const r2other = revisedOf(c, 2, { checkPlan: [{ agency: 'probation', categories: ['identity'], dueAt: at(90 * MIN).toISOString() }] });
    await handled('mash.case.rated.v1', r2other, (ctx) => requests.fanOut(r2other, ctx, at(6 * MIN)));
    expect(await requested(c, 'housing')).toHaveLength(1);
    expect(await requested(c, 'probation')).toEqual([]);
    // Nor does the first plan get asked again.
    expect(await requested(c, 'police')).toHaveLength(1);
  });

  it('waits for the added agency: the first plan all replied is not ready; its reply makes it ready', async () => {
    const c = rated();
    await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
    const r2 = revisedOf(c, 2);
    await handled('mash.case.rated.v1', r2, (ctx) => requests.fanOut(r2, ctx, at(MIN)));
    for (const a of ['police', 'health', 'education'] as const)
      await handled('r', reply(c, a), (ctx) => requests.collect(reply(c, a), a, ctx, at(2 * MIN)));
    expect(await ready(c.caseId)).toEqual([]);
    const h = replyTo(c, 'housing', 2, [{ subjectId: 's1', date: '2026-04-04', category: 'household', summary: 'Tenancy warning' }]);
    await handled('r', h, (ctx) => requests.collect(h, 'housing', ctx, at(3 * MIN)));
    const [msg] = await ready(c.caseId);
    expect(msg).toMatchObject({
      revision: 1,
      complete: true,
      reason: 'all-replied',
      replied: ['police', 'health', 'education', 'housing'],
      missing: [],
    });
  });

  it('an agency asked again counts only when it answers the new request', async () => {
    const c = rated();
    await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
    await handled('r', reply(c, 'health'), (ctx) => requests.collect(reply(c, 'health'), 'health', ctx, at(MIN)));
    // Health may now see identity as well: its whole new grant, in a new request.
    const r2 = revisedOf(c, 2, {
      checkPlan: [{ agency: 'health', categories: ['identity', 'health'], dueAt: at(60 * MIN).toISOString() }],
    });
    await handled('mash.case.rated.v1', r2, (ctx) => requests.fanOut(r2, ctx, at(2 * MIN)));
    const [, second] = await requested(c, 'health');
    expect(second).toMatchObject({ requestId: requestIdFor(c.caseId, 'health', 2), categories: ['identity', 'health'] });
    expect(second.subjects[0]).toEqual({
      subjectId: 's1',
      kind: 'child',
      givenName: 'Amy',
      familyName: 'Example',
      dateOfBirth: '2019-03-02',
      nhsNumber: '9434765919',
    });
    for (const a of ['police', 'education'] as const)
      await handled('r', reply(c, a), (ctx) => requests.collect(reply(c, a), a, ctx, at(3 * MIN)));
    expect(await ready(c.caseId)).toEqual([]);
    await timers.fireDue(at(100 * MIN));
    const [msg] = await ready(c.caseId);
    expect(msg).toMatchObject({ reason: 'deadline-reached', replied: ['police', 'education'], missing: ['health'] });
    // The first request's timers were cancelled by its reply; the new one was chased.
    expect((await chased(c.caseId)).filter((x) => x.agency === 'health').map((x) => x.requestId)).toEqual(
      expect.arrayContaining([requestIdFor(c.caseId, 'health', 2)]),
    );
    expect((await chased(c.caseId)).some((x) => x.requestId === requestIdFor(c.caseId, 'health'))).toBe(false);
  });

  it('brings the case deadline and its one timer forward when the revision is more urgent', async () => {
    const c = rated();
    await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
    const r2 = revisedOf(c, 2, {
      rating: 'RED',
      deadline: at(40 * MIN).toISOString(),
      checkPlan: [{ agency: 'housing', categories: ['address'], dueAt: at(30 * MIN).toISOString() }],
    });
    await handled('mash.case.rated.v1', r2, (ctx) => requests.fanOut(r2, ctx, at(MIN)));
    const deadlines = (await pendingTimers(c.caseId)).filter((t) => t.kind === 'case-deadline');
    expect(deadlines.map((t) => [t.key, new Date(t.fire_at).toISOString()])).toEqual([
      [`${c.caseId}:case-deadline`, at(40 * MIN).toISOString()],
    ]);
    // Police's escalation at 50 min would come after the decision: it fires at the new deadline.
    const policeEscalation = (await pendingTimers(c.caseId)).find((t) => t.agency === 'police' && t.kind === 'escalation')!;
    expect(new Date(policeEscalation.fire_at).toISOString()).toBe(at(40 * MIN).toISOString());
    expect((await requested(c, 'housing'))[0]).toMatchObject({
      caseDeadline: at(40 * MIN).toISOString(),
      dueAt: at(30 * MIN).toISOString(),
    });
    await timers.fireDue(at(39 * MIN));
    expect(await ready(c.caseId)).toEqual([]);
    await timers.fireDue(at(40 * MIN));
    expect(await ready(c.caseId)).toMatchObject([
      { reason: 'deadline-reached', readyAt: at(40 * MIN).toISOString(), missing: ['police', 'health', 'education', 'housing'] },
    ]);
  });

  it('a ready case asks the added agency, and its reply publishes the next revision of the picture', async () => {
    const c = rated();
    await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
    for (const a of ['police', 'health', 'education'] as const)
      await handled('r', reply(c, a), (ctx) => requests.collect(reply(c, a), a, ctx, at(MIN)));
    expect(await ready(c.caseId)).toHaveLength(1);
    const r2 = revisedOf(c, 2, { deadline: at(50 * MIN).toISOString() });
    r2.checkPlan.push({ agency: 'probation', categories: ['identity', 'offending'], dueAt: at(90 * MIN).toISOString() });
    await handled('mash.case.rated.v1', r2, (ctx) => requests.fanOut(r2, ctx, at(2 * MIN)));
    expect(await requested(c, 'housing')).toHaveLength(1);
    // Ready already: its deadline is not moved.
    const [{ deadline }] = await ds.query(`SELECT deadline FROM checks.cases WHERE case_id = $1`, [c.caseId]);
    expect(new Date(deadline).toISOString()).toBe(c.deadline);
    const h = replyTo(c, 'housing', 2, [{ subjectId: 's1', date: '2026-04-04', category: 'household', summary: 'Tenancy warning' }]);
    await handled('r', h, (ctx) => requests.collect(h, 'housing', ctx, at(4 * MIN)));
    // Still ready while probation is outstanding: the picture says who is missing now.
    const [first, second] = await ready(c.caseId);
    expect(second).toMatchObject({
      revision: 2,
      readyAt: first.readyAt,
      reason: 'all-replied',
      replied: ['police', 'health', 'education', 'housing'],
      missing: ['probation'],
      repliedAfterReady: ['housing'],
    });
    expect(second.chronology).toEqual([expect.objectContaining({ agency: 'housing', summary: 'Tenancy warning' })]);
    expect(validateData('caseReady', second).ok).toBe(true);
    const p = replyTo(c, 'probation', 2);
    await handled('r', p, (ctx) => requests.collect(p, 'probation', ctx, at(5 * MIN)));
    expect((await ready(c.caseId))[2]).toMatchObject({ revision: 3, missing: [], repliedAfterReady: ['probation', 'housing'] });
  });

  it('a duplicate report that did not escalate the case asks nobody', async () => {
    const c = rated();
    await handled('mash.case.rated.v1', c, (ctx) => requests.fanOut(c, ctx, T0));
    const dup = { ...revisedOf(c, 2), revision: undefined, duplicateOf: c.caseId };
    await handled('mash.case.rated.v1', dup, (ctx) => requests.fanOut(dup, ctx, at(MIN)));
    expect(await requested(c, 'housing')).toEqual([]);
  });
});
