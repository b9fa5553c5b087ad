import { CaseRated, CaseReady, CheckChased, CheckRequested, checkRequestedTopic, TOPICS } from '@mash/contracts';
import { KafkaPort } from '@mash/messaging';
import { chaseSchedule } from '../../apps/checks/src/chasing';
import { startTestHub, TestHub } from '../support/hub';
import { TopicWatcher } from '../support/topics';

/**
 * Deadlines live in Postgres and fire once, even across restarts: the checks service is restarted
 * while a dozen cases wait (no connector answers, so every timer must fire), and every reminder,
 * escalation and case deadline is counted on the topics afterwards.
 */
describe('checks deadlines across a restart', () => {
  let hub: TestHub;
  let watcher: TopicWatcher;
  let port: KafkaPort;

  beforeAll(async () => {
    hub = await startTestHub([], {}, { services: ['checks'] });
    watcher = new TopicWatcher(hub.env.KAFKA_BROKERS, hub.env.MASH_TOPIC_PREFIX);
    await watcher.watch([checkRequestedTopic('police'), checkRequestedTopic('health'), TOPICS.checkChased, TOPICS.caseReady]);
    port = new KafkaPort({ brokers: hub.env.KAFKA_BROKERS.split(','), clientId: 'e2e-triage', prefix: hub.env.MASH_TOPIC_PREFIX });
  }, 180000);

  afterAll(async () => {
    await watcher?.stop();
    await port?.close();
    await hub?.stop();
  }, 60000);

  it('fires every reminder, escalation and case deadline exactly once', async () => {
    const t0 = Date.now();
    const iso = (ms: number) => new Date(t0 + ms).toISOString();
    const CASES = 12;
    const cases: CaseRated[] = Array.from({ length: CASES }, (_, i) => {
      const span = 6000 + i * 1400; // deadlines from 6 s to ~21 s: before, during and after the restart
      return {
        caseId: `CS-e2e-restart-${hub.runId}-${i}`,
        contactId: `CT-e2e-restart-${i}`,
        stage: 'start',
        rating: 'AMBER',
        ruleIds: ['r'],
        reasons: ['e2e'],
        policyVersion: 'e2e-1',
        ratedAt: iso(0),
        deadline: iso(span),
        checkPlan: [
          { agency: 'police', categories: ['identity', 'offending'], dueAt: iso(span * 0.5) },
          { agency: 'health', categories: ['identity', 'health'], dueAt: iso(span * 0.7) },
        ],
        subjects: [{ subjectId: `s-${i}`, kind: 'child', givenName: 'Test', familyName: 'Child', dateOfBirth: '2019-01-01' }],
        lawfulBasis: 'consent',
      };
    });
    await port.publish(cases.map((c) => ({ topic: TOPICS.caseRated, key: c.caseId, data: c })));
    // Every case is stored (its requests went out) before the restart, so only timers are in flight.
    const requested = () => watcher.seen.filter((s) => s.topic.endsWith('.requested.v1')).length;
    while (requested() < CASES * 2) await new Promise((r) => setTimeout(r, 100));
    while (Date.now() - t0 < 3500) await new Promise((r) => setTimeout(r, 100));

    const stoppedAt = Date.now();
    await hub.restart('checks');
    const restartedAt = Date.now();

    const ready = () => new Set(watcher.seen.filter((s) => s.topic === TOPICS.caseReady).map((s) => s.envelope.key));
    const until = Date.now() + 40000;
    while (ready().size < CASES && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 1500)); // room for any second firing to show up

    const requests = watcher.seen.filter((s) => s.topic.endsWith('.requested.v1')).map((s) => s.envelope.data as CheckRequested);
    expect(requests).toHaveLength(CASES * 2);
    const chases = watcher.seen.filter((s) => s.topic === TOPICS.checkChased);
    // Distinct envelope ids: the relay may resend a row after a crash (same id, absorbed by inboxes);
    // a timer firing twice would show as two ids.
    const idsOf = (pred: (c: CheckChased) => boolean) =>
      new Set(chases.filter((s) => pred(s.envelope.data as CheckChased)).map((s) => s.envelope.id)).size;
    // Expected: the request's own schedule (a request sent late, on a busy machine, has a shorter
    // window and may have no reminders); every timer in it fires, once.
    const expected = (r: CheckRequested) => chaseSchedule(r).filter((t) => t.kind !== 'case-deadline');
    const counts = requests.map((r) => [
      r.requestId,
      idsOf((c) => c.requestId === r.requestId && c.kind === 'reminder'),
      idsOf((c) => c.requestId === r.requestId && c.kind === 'escalation'),
    ]);
    expect(counts).toEqual(requests.map((r) => [r.requestId, expected(r).filter((t) => t.kind === 'reminder').length, 1]));
    expect(requests.filter((r) => expected(r).length === 3).length).toBeGreaterThan(CASES);

    const readies = watcher.seen.filter((s) => s.topic === TOPICS.caseReady);
    const readyIds = cases.map((c) => [
      c.caseId,
      new Set(readies.filter((s) => s.envelope.key === c.caseId).map((s) => s.envelope.id)).size,
    ]);
    expect(readyIds).toEqual(cases.map((c) => [c.caseId, 1]));
    for (const r of readies)
      expect(r.envelope.data as CaseReady).toMatchObject({ reason: 'deadline-reached', missing: ['police', 'health'], revision: 1 });

    // The restart really was mid-wait: timers fired before it, were due while it was down, and after.
    const firedAt = chases.map((s) => Date.parse((s.envelope.data as CheckChased).at));
    const dueDuringDowntime = chases.filter((s) => {
      const c = s.envelope.data as CheckChased;
      return c.kind === 'escalation' && Date.parse(c.dueAt) > stoppedAt && Date.parse(c.dueAt) < restartedAt;
    });
    expect(firedAt.some((t) => t < stoppedAt)).toBe(true);
    expect(firedAt.some((t) => t > restartedAt)).toBe(true);
    expect(dueDuringDowntime.length).toBeGreaterThan(0);
    console.log(
      JSON.stringify({ restartDowntimeMs: restartedAt - stoppedAt, chaseMessages: chases.length, caseReadyMessages: readies.length }),
    );
  }, 60000);
});
