import { existsSync, readFileSync } from 'node:fs';
import {
  CaseRated,
  CaseReady,
  CheckAgency,
  checkRepliedTopic,
  CheckRequested,
  checkRequestedTopic,
  Contact,
  TOPICS,
} from '@mash/contracts';
import { exampleSchoolContact } from '@mash/contracts/examples';
import { KafkaPort, messagingConfigFromEnv } from '@mash/messaging';
import type { Running } from '../../scripts/processes';
import { requestIdFor } from '../../apps/checks/src/requests/requests.service';
import { startTestHub, TEST_TOKENS, TestHub } from '../support/hub';
import { TopicWatcher } from '../support/topics';
import { ref, submit } from './triageSupport';

/**
 * A revised plan reaches the agencies: consent refused limits the first plan, a manager's override
 * makes triage publish revision 2 with what it adds, and checks asks the newly allowed agency in a
 * request of its own. Gateway, triage, checks and the connectors are real processes.
 */
const AGENCIES: CheckAgency[] = ['police', 'health', 'education'];

async function waitForLog(running: Running, text: string, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (running.child.exitCode !== null) throw new Error(`${running.name} exited; see ${running.logFile}`);
    if (existsSync(running.logFile) && readFileSync(running.logFile, 'utf8').includes(text)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${running.name} did not log '${text}'; see ${running.logFile}`);
}

async function waitForLine(running: Running, pred: (line: string) => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(running.logFile) && readFileSync(running.logFile, 'utf8').split('\n').some(pred)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${running.name} did not log the line awaited; see ${running.logFile}`);
}

describe('checks: a revised plan asks the newly allowed agencies', () => {
  let hub: TestHub;
  let watcher: TopicWatcher;
  let port: KafkaPort;

  beforeAll(async () => {
    hub = await startTestHub(
      AGENCIES.map((a) => ({ name: `connector-${a}`, entry: `apps/connectors/${a}/src/main`, env: { CONNECTOR_BEHAVIOUR: 'normal' } })),
      {},
      { services: ['gateway', 'triage', 'checks'] },
    );
    await Promise.all(AGENCIES.map((a) => waitForLog(hub.processes.get(`connector-${a}`)!, 'connector ready')));
    watcher = new TopicWatcher(hub.env.KAFKA_BROKERS, hub.env.MASH_TOPIC_PREFIX);
    await watcher.watch([TOPICS.caseRated, TOPICS.caseReady, ...AGENCIES.map(checkRequestedTopic), ...AGENCIES.map(checkRepliedTopic)]);
    port = new KafkaPort(messagingConfigFromEnv('e2e-replay', hub.env));
  }, 120000);

  afterAll(async () => {
    await port?.close();
    await watcher?.stop();
    await hub?.stop();
  }, 60000);

  const post = (path: string, token: string, body: unknown) =>
    fetch(`${hub.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
  const requestsTo = (agency: CheckAgency, caseId: string) =>
    watcher.seen
      .filter((s) => s.topic === checkRequestedTopic(agency) && s.envelope.key === caseId)
      .map((s) => s.envelope.data as CheckRequested);

  const refused: Contact = {
    ...exampleSchoolContact,
    subjects: [
      {
        subjectRef: 'c1',
        kind: 'child',
        givenName: 'Rev',
        familyName: 'Ision',
        dateOfBirth: '2017-05-05',
        identifiers: { upn: 'R938214119010', nhsNumber: '9434765919' },
      },
    ],
    household: { address: { lines: ['2 Revision Row'], postcode: 'EX2 2RR' } },
    presentingIssues: [{ code: '16A', label: 'Neglect' }],
    consent: { status: 'refused', reason: 'Mother declined when the DSL asked', lawfulBasis: 'statutory-function' },
  };

  it('override: education is asked with its own request id and only its grant, replies, and the next picture lists it; a replayed revision asks nobody', async () => {
    const contactId = await submit(hub, 'education', { ...refused, agencyReference: ref(hub, 'CPOMS') });
    const start = (
      await watcher.waitFor<CaseRated>(
        (e) => e.topic === TOPICS.caseRated && e.envelope.data.contactId === contactId && e.envelope.data.stage === 'start',
        20000,
      )
    ).envelope.data;
    const caseId = start.caseId;
    expect(start.checkPlan.map((p) => p.agency)).not.toContain('education');
    const first = (await watcher.waitFor<CaseReady>((e) => e.topic === TOPICS.caseReady && e.envelope.key === caseId, 20000)).envelope.data;
    expect(first).toMatchObject({ revision: 1, complete: true, missing: [] });
    expect(requestsTo('education', caseId)).toEqual([]);

    const ok = await post(`/v1/cases/${caseId}/consent-override`, TEST_TOKENS.manager, {
      recordedBy: { name: 'Sam Okafor', role: 'MASH team manager' },
      basis: 'section-47',
      reason: 'Strategy discussion agreed a section 47 enquiry; school records needed today.',
    });
    expect(ok.status).toBe(201);
    const revisedEnv = (
      await watcher.waitFor<CaseRated>(
        (e) => e.topic === TOPICS.caseRated && e.envelope.key === caseId && e.envelope.data.revision === 2,
        20000,
      )
    ).envelope;
    const revised = revisedEnv.data;
    const educationItem = revised.checkPlan.find((p) => p.agency === 'education')!;
    expect(educationItem).toBeDefined();

    const asked = (
      await watcher.waitFor<CheckRequested>((e) => e.topic === checkRequestedTopic('education') && e.envelope.key === caseId, 20000)
    ).envelope.data;
    expect(asked).toMatchObject({
      requestId: requestIdFor(caseId, 'education', 2),
      categories: educationItem.categories,
      lawfulBasis: 'section-47',
    });
    // Education keys on the UPN: never the NHS number; a postcode only if address was granted.
    for (const s of asked.subjects) {
      expect(s.nhsNumber).toBeUndefined();
      if (!educationItem.categories.includes('address')) expect(s.postcode).toBeUndefined();
      if (!educationItem.categories.includes('identity')) expect(s.givenName ?? s.upn).toBeUndefined();
    }

    const next = (
      await watcher.waitFor<CaseReady>(
        (e) =>
          e.topic === TOPICS.caseReady &&
          e.envelope.key === caseId &&
          (e.envelope.data.revision ?? 1) >= 2 &&
          e.envelope.data.replied.includes('education'),
        20000,
      )
    ).envelope.data;
    expect(next.missing).not.toContain('education');
    const replied = watcher.seen.filter((s) => s.topic === checkRepliedTopic('education') && s.envelope.key === caseId);
    expect(replied.map((s) => (s.envelope.data as { requestId: string }).requestId)).toContain(requestIdFor(caseId, 'education', 2));

    // The same revision again, in a new envelope (a replay from triage): nobody is asked again.
    const before = revised.checkPlan.map((p) => requestsTo(p.agency as CheckAgency, caseId).length);
    await port.publish([{ topic: TOPICS.caseRated, key: caseId, data: revised }]);
    await watcher.waitFor(
      (e) =>
        e.topic === TOPICS.caseRated &&
        e.envelope.key === caseId &&
        e.envelope.id !== revisedEnv.id &&
        (e.envelope.data as CaseRated).revision === 2,
      10000,
    );
    // Checks says when it has handled the replay; only then is "no new request" a result.
    await waitForLine(hub.processes.get('checks')!, (l) => l.includes('plan revision already applied') && l.includes(caseId), 15000);
    expect(revised.checkPlan.map((p) => requestsTo(p.agency as CheckAgency, caseId).length)).toEqual(before);
    expect(requestsTo('education', caseId)).toHaveLength(1);
  }, 60000);
});
