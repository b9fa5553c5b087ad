import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type {
  CaseRated,
  CaseReady,
  CheckAgency,
  Contact,
  ContactReceived,
  DecisionOutcome,
  DecisionRecorded,
  Envelope,
  SubmittingAgency,
} from '@mash/contracts';
import { TOPICS } from '@mash/contracts';
import { validExamples } from '@mash/contracts/examples';
import { envelopeFor, KafkaPort, messagingConfigFromEnv } from '@mash/messaging';
import { CHRONOLOGY, CONTACT, decisionFixture } from '../../apps/notifier/src/outcomeNotice/fixtures';
import { METRICS_AUTH } from '../support/hub';

/**
 * The four events the notifier listens to, for one case, built from the notifier's fixtures: the
 * chronology, dissent, rating change reason and override carry the strings no notice may repeat.
 */
export interface CaseStory {
  caseId: string;
  contactId: string;
  contact: ContactReceived;
  rated: CaseRated;
  ready: CaseReady;
  decision: DecisionRecorded;
}

export function caseStory(
  id: string,
  opts: {
    referrer: Contact['referrer'];
    sourceAgency: SubmittingAgency;
    replied?: CheckAgency[];
    missing?: CheckAgency[];
    outcomes?: DecisionOutcome[];
  },
): CaseStory {
  const caseId = `CASE-${id}`;
  const contactId = `CON-${id}`;
  const replied = opts.replied ?? ['police', 'health', 'education', 'probation'];
  return {
    caseId,
    contactId,
    contact: {
      contactId,
      receivedAt: new Date().toISOString(),
      sourceAgency: opts.sourceAgency,
      contact: { ...CONTACT, agencyReference: `REF-${id}`, referrer: opts.referrer },
    },
    rated: {
      ...validExamples.caseRated,
      caseId,
      contactId,
      stage: 'start',
      ratedAt: new Date().toISOString(),
      deadline: '2026-11-24T07:02:13Z',
    },
    ready: {
      caseId,
      readyAt: new Date().toISOString(),
      complete: (opts.missing ?? []).length === 0,
      replied,
      missing: opts.missing ?? [],
      chronology: CHRONOLOGY.filter((c) => replied.includes(c.agency)),
    },
    decision: decisionFixture({
      decisionId: `DEC-${id}`,
      caseId,
      contactId,
      outcomes: opts.outcomes ?? ['nfa'],
      decidedAt: new Date().toISOString(),
    }),
  };
}

export function publisher(env: Record<string, string>): KafkaPort {
  return new KafkaPort({ ...messagingConfigFromEnv('test-publisher', env) });
}

/** Contact, start rating and readiness; the decision is left to the test. */
export async function publishUpToReady(port: KafkaPort, s: CaseStory): Promise<void> {
  await port.publish([{ topic: TOPICS.contactReceived, key: s.contactId, data: s.contact }]);
  await port.publish<unknown>([
    { topic: TOPICS.caseRated, key: s.caseId, data: s.rated },
    { topic: TOPICS.caseReady, key: s.caseId, data: s.ready },
  ]);
}

export function decisionEnvelope(s: CaseStory): Envelope<DecisionRecorded> {
  return envelopeFor({ topic: TOPICS.decisionRecorded, key: s.caseId, data: s.decision }, 'gateway');
}

/** Sends an envelope exactly as given (same id), as a redelivery would. */
export async function sendEnvelope(port: KafkaPort, e: Envelope): Promise<void> {
  await port.sendRaw([{ topic: e.type, key: e.key, value: JSON.stringify(e) }]);
}

/** The replay command as an operator runs it (`npm run replay:notices -- ...`), against the run's database. */
export function runReplay(env: Record<string, string>, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = join(__dirname, '..', '..');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'scripts', 'launch.js'), 'apps/notifier/src/replay/main', ...args],
      { cwd: root, env: { ...process.env, ...env } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

export async function metric(url: string, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(url, { headers: METRICS_AUTH })).text();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}
