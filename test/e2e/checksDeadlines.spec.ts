import { existsSync, readFileSync } from 'node:fs';
import {
  CaseRated,
  CaseReady,
  CHECK_AGENCIES,
  CheckAgency,
  CheckChased,
  CheckReplied,
  checkRepliedTopic,
  CheckRequested,
  checkRequestedTopic,
  DeadLetter,
  TOPICS,
} from '@mash/contracts';
import { exampleContact } from '@mash/contracts/examples';
import { checkSubjectsFrom } from '@mash/connector-kit';
import { KafkaPort } from '@mash/messaging';
import type { Running } from '../../scripts/processes';
import { METRICS_AUTH, startTestHub, TestHub } from '../support/hub';
import { TopicWatcher } from '../support/topics';

/**
 * Checks against real Kafka and Postgres, every party a real process: police answers, health stays
 * silent, education answers after its due time, housing answers with a broken reply. The test
 * plays triage (it publishes the start rating) and, at the end, a health reply after the deadline.
 */
const CONNECTORS: { agency: CheckAgency; behaviour: string }[] = [
  { agency: 'police', behaviour: 'normal' },
  { agency: 'health', behaviour: 'silent' },
  { agency: 'education', behaviour: 'slow:5500' },
  { agency: 'housing', behaviour: 'malformed' },
];

async function waitForLog(running: Running, text: string, timeoutMs = 120000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (running.child.exitCode !== null) throw new Error(`${running.name} exited; see ${running.logFile}`);
    if (existsSync(running.logFile) && readFileSync(running.logFile, 'utf8').includes(text)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${running.name} did not log '${text}'; see ${running.logFile}`);
}

describe('checks: proportionate requests, chased deadlines and the full picture', () => {
  let hub: TestHub;
  let watcher: TopicWatcher;
  let port: KafkaPort;
  const caseId = `CS-e2e-checks-${Date.now().toString(36)}`;
  let rated: CaseRated;
  const data = <T>(topic: string) =>
    watcher.seen.filter((s) => s.topic === topic && s.envelope.key === caseId).map((s) => s.envelope.data as T);

  beforeAll(async () => {
    hub = await startTestHub(
      CONNECTORS.map((c) => ({
        name: `connector-${c.agency}`,
        entry: `apps/connectors/${c.agency}/src/main`,
        env: { CONNECTOR_BEHAVIOUR: c.behaviour },
      })),
      {},
      { services: ['checks'] },
    );
    await Promise.all(CONNECTORS.map((c) => waitForLog(hub.processes.get(`connector-${c.agency}`)!, 'connector ready')));
    watcher = new TopicWatcher(hub.env.KAFKA_BROKERS, hub.env.MASH_TOPIC_PREFIX);
    await watcher.watch([
      ...CHECK_AGENCIES.map(checkRequestedTopic),
      ...CHECK_AGENCIES.map(checkRepliedTopic),
      TOPICS.checkChased,
      TOPICS.caseReady,
      TOPICS.deadLetter,
    ]);
    port = new KafkaPort({ brokers: hub.env.KAFKA_BROKERS.split(','), clientId: 'e2e-triage', prefix: hub.env.MASH_TOPIC_PREFIX });
  }, 180000);

  afterAll(async () => {
    await watcher?.stop();
    await port?.close();
    await hub?.stop();
  }, 60000);

  it('asks each agency once, chases the ones that do not answer, and is ready at the deadline listing exactly who is missing', async () => {
    const t0 = Date.now();
    const iso = (ms: number) => new Date(t0 + ms).toISOString();
    rated = {
      caseId,
      contactId: `CT-${caseId}`,
      stage: 'start',
      rating: 'AMBER',
      ruleIds: ['da-medium-child-present'],
      reasons: ['e2e'],
      policyVersion: 'e2e-1',
      ratedAt: iso(0),
      deadline: iso(13000),
      checkPlan: [
        { agency: 'police', categories: ['identity', 'offending', 'domestic-abuse'], dueAt: iso(9000) },
        { agency: 'health', categories: ['identity', 'health'], dueAt: iso(5000) },
        { agency: 'education', categories: ['identity', 'education'], dueAt: iso(3000) },
        { agency: 'housing', categories: ['address', 'household'], dueAt: iso(5000) },
      ],
      subjects: checkSubjectsFrom(exampleContact).map((s) => ({ ...s, subjectId: `${caseId}-${s.subjectId}` })),
      lawfulBasis: 'risk-of-significant-harm',
    };
    await port.publish([{ topic: TOPICS.caseRated, key: caseId, data: rated }]);

    const first = await watcher.waitFor<CaseReady>((e) => e.topic === TOPICS.caseReady && e.envelope.key === caseId, 30000);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(13000 - 50);
    expect(first.envelope.data).toMatchObject({
      caseId,
      revision: 1,
      complete: false,
      reason: 'deadline-reached',
      readyAt: rated.deadline,
      replied: ['police', 'education'],
      missing: ['health', 'housing'],
      late: ['education'],
    });

    // One request per planned agency, on its own topic, keyed by the case, nothing to the others.
    for (const agency of CHECK_AGENCIES) {
      const requests = data<CheckRequested>(checkRequestedTopic(agency));
      const item = rated.checkPlan.find((p) => p.agency === agency);
      expect([agency, requests.length]).toEqual([agency, item ? 1 : 0]);
      if (!item) continue;
      expect(requests[0]).toMatchObject({
        agency,
        caseId,
        categories: item.categories,
        lawfulBasis: 'risk-of-significant-harm',
        dueAt: item.dueAt,
        caseDeadline: rated.deadline,
      });
      const correlation = watcher.seen.find((s) => s.topic === checkRequestedTopic(agency) && s.envelope.key === caseId)!.envelope
        .correlationId;
      expect(correlation).toBe(requests[0].requestId);
    }
    // Only the identifiers each plan item grants: housing (address, no identity) gets no names.
    const housingReq = data<CheckRequested>(checkRequestedTopic('housing'))[0];
    for (const s of housingReq.subjects) expect(Object.keys(s).sort()).toEqual(['kind', 'postcode', 'subjectId']);
    const policeReq = data<CheckRequested>(checkRequestedTopic('police'))[0];
    expect(policeReq.subjects.some((s) => s.policePersonId)).toBe(true);
    for (const s of policeReq.subjects) expect(s.nhsNumber ?? s.upn ?? s.postcode).toBeUndefined();
    const healthReq = data<CheckRequested>(checkRequestedTopic('health'))[0];
    for (const s of healthReq.subjects) expect(s.policePersonId ?? s.upn ?? s.postcode).toBeUndefined();

    // Chasing: two reminders and an escalation for each agency that had not replied by then.
    const chases = data<CheckChased>(TOPICS.checkChased);
    const tally = (agency: CheckAgency, kind: CheckChased['kind']) => chases.filter((c) => c.agency === agency && c.kind === kind).length;
    expect(CONNECTORS.map((c) => [c.agency, tally(c.agency, 'reminder'), tally(c.agency, 'escalation')])).toEqual([
      ['police', 0, 0],
      ['health', 2, 1],
      ['education', 2, 1],
      ['housing', 2, 1],
    ]);
    for (const c of chases.filter((x) => x.kind === 'escalation')) {
      expect(Date.parse(c.at)).toBeGreaterThanOrEqual(Date.parse(c.dueAt));
      expect(Date.parse(c.at) - Date.parse(c.dueAt)).toBeLessThan(1000);
    }

    // The broken housing reply: parked with its reason, an alert raised, housing still missing.
    const letter = watcher.seen.find(
      (s) => s.topic === TOPICS.deadLetter && (s.envelope.data as DeadLetter).originalTopic === checkRepliedTopic('housing'),
    )!;
    expect(letter.envelope.data).toMatchObject({ key: caseId, reason: 'message breaks its contract', consumer: 'checks' });
    expect(((letter.envelope.data as DeadLetter).errors ?? []).length).toBeGreaterThan(0);
    expect(chases.filter((c) => c.kind === 'malformed-reply')).toEqual([
      expect.objectContaining({
        agency: 'housing',
        requestId: housingReq.requestId,
        reason: expect.stringContaining('message breaks its contract: /'),
      }),
    ]);
    const metrics = await (await fetch(`http://127.0.0.1:${hub.ports.checks}/metrics`, { headers: METRICS_AUTH })).text();
    expect(metrics).toMatch(/mash_checks_malformed_replies_total\{agency="housing",case="known"\} 1/);

    // The full picture: every entry names its agency; education's (late) entries say so.
    const chronology = first.envelope.data.chronology;
    expect(chronology.length).toBeGreaterThan(0);
    expect(new Set(chronology.map((e) => e.agency))).toEqual(new Set(['police', 'education']));
    for (const e of chronology) expect(e.late === true).toBe(e.agency === 'education');
  }, 60000);

  it('takes a reply after the deadline, flags it late and publishes the next revision of the picture', async () => {
    const healthReq = data<CheckRequested>(checkRequestedTopic('health'))[0];
    const late: CheckReplied = {
      requestId: healthReq.requestId,
      caseId,
      agency: 'health',
      repliedAt: new Date().toISOString(),
      known: true,
      entries: [
        { subjectId: healthReq.subjects[0].subjectId, date: '2026-05-10', category: 'health', summary: 'Seen in A&E with a head injury.' },
      ],
    };
    await port.publish([{ topic: checkRepliedTopic('health'), key: caseId, data: late }]);
    const second = await watcher.waitFor<CaseReady>(
      (e) => e.topic === TOPICS.caseReady && e.envelope.key === caseId && e.envelope.data.revision === 2,
      15000,
    );
    expect(second.envelope.data).toMatchObject({
      readyAt: rated.deadline,
      reason: 'deadline-reached',
      replied: ['police', 'health', 'education'],
      missing: ['housing'],
      late: ['health', 'education'],
      repliedAfterReady: ['health'],
    });
    expect(second.envelope.data.chronology).toContainEqual(
      expect.objectContaining({ agency: 'health', summary: 'Seen in A&E with a head injury.', late: true }),
    );
  }, 30000);

  it('parks a reply that claims to come from another agency than its topic, and raises an alert', async () => {
    const policeReq = data<CheckRequested>(checkRequestedTopic('police'))[0];
    const spoof: CheckReplied = {
      requestId: policeReq.requestId,
      caseId,
      agency: 'health',
      repliedAt: new Date().toISOString(),
      known: false,
      entries: [],
    };
    await port.publish([{ topic: checkRepliedTopic('police'), key: caseId, data: spoof }]);
    const letter = await watcher.waitFor<DeadLetter>(
      (e) => e.topic === TOPICS.deadLetter && e.envelope.data.originalTopic === checkRepliedTopic('police'),
      15000,
    );
    expect(letter.envelope.data.reason).toBe('handler failed: reply claims agency health on the police reply topic');
    await watcher.waitFor<CheckChased>(
      (e) => e.topic === TOPICS.checkChased && e.envelope.data.kind === 'malformed-reply' && e.envelope.data.agency === 'police',
      15000,
    );
    // Nothing else changed: no third revision.
    expect(data<CaseReady>(TOPICS.caseReady).map((r) => r.revision)).toEqual([1, 2]);
  }, 30000);
});
