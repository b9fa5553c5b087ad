import { CHECK_AGENCIES, CheckAgency, SUBMITTING_AGENCIES, SubmittingAgency } from './agencies';

/**
 * Every topic the hub uses, named mash.<thing>.<event>.v<major>. A breaking change to a message
 * is a new topic (v2) run beside the old one, never an edit of v1.
 */
export const TOPICS = {
  contactReceived: 'mash.contact.received.v1',
  caseRated: 'mash.case.rated.v1',
  teamsAlerted: 'mash.case.teams-alerted.v1',
  caseReady: 'mash.case.ready.v1',
  checkChased: 'mash.check.chased.v1',
  decisionRecorded: 'mash.decision.recorded.v1',
  consentOverride: 'mash.consent.override.v1',
  noticeDelivered: 'mash.notice.delivered.v1',
  deadLetter: 'mash.deadletter.v1',
} as const;

/** One request topic per agency, so a connector can be granted (by ACL) its own topic and no other. */
export const checkRequestedTopic = (agency: CheckAgency) => `mash.check.${agency}.requested.v1`;
/** One reply topic per agency: the topic a reply arrives on says which agency sent it. */
export const checkRepliedTopic = (agency: CheckAgency) => `mash.check.${agency}.replied.v1`;
/** Adapters that prefer Kafka to HTTP publish their submissions here; the gateway applies the same rules. */
export const contactInboundTopic = (agency: SubmittingAgency) => `mash.contact.${agency}.inbound.v1`;
/** Outcome notices for agencies whose channel is their own topic. */
export const noticeIssuedTopic = (agency: SubmittingAgency | CheckAgency) => `mash.notice.${agency}.issued.v1`;

export type TopicKind =
  | 'contactReceived'
  | 'caseRated'
  | 'teamsAlerted'
  | 'caseReady'
  | 'checkChased'
  | 'decisionRecorded'
  | 'consentOverride'
  | 'noticeDelivered'
  | 'deadLetter'
  | 'checkRequested'
  | 'checkReplied'
  | 'contactInbound'
  | 'noticeIssued';

export interface TopicDefinition {
  name: string;
  kind: TopicKind;
  partitions: number;
  /** -1 keeps for ever. */
  retentionMs: number;
  cleanupPolicy: 'delete' | 'compact';
  description: string;
}

const DAY = 24 * 60 * 60 * 1000;
// Case events are the hub's memory of what happened; keep them well past the longest MASH
// retention we know of (Brent: 6 months) so a service can be rebuilt by replay.
const CASE_RETENTION = 400 * DAY;
const PARTITIONS = Number(process.env.MASH_TOPIC_PARTITIONS ?? 3);

function def(name: string, kind: TopicKind, description: string, retentionMs = CASE_RETENTION): TopicDefinition {
  return { name, kind, partitions: PARTITIONS, retentionMs, cleanupPolicy: 'delete', description };
}

/** The one definition of every topic: created at start-up by each service (idempotently). */
export const TOPIC_DEFINITIONS: TopicDefinition[] = [
  def(TOPICS.contactReceived, 'contactReceived', 'A contact accepted at the front door, in canonical form.'),
  def(TOPICS.caseRated, 'caseRated', 'A rating of a case (at the start of checks or at their end) with the rules that produced it and the check plan.'),
  def(TOPICS.teamsAlerted, 'teamsAlerted', 'A Red case: relevant teams are informed immediately.'),
  def(TOPICS.caseReady, 'caseReady', 'Checks are complete, or the deadline arrived: what replied, what is missing, the chronology.'),
  def(TOPICS.checkChased, 'checkChased', 'A reminder to an agency, or an escalation to the MASH manager of a missed reply.'),
  def(TOPICS.decisionRecorded, 'decisionRecorded', 'A decision recorded by a named decision maker.'),
  def(TOPICS.consentOverride, 'consentOverride', 'A manager records sharing without consent (section 47 / risk of significant harm) for a case, with the reason: triage audits it and widens the check plan.'),
  def(TOPICS.noticeDelivered, 'noticeDelivered', 'Receipt of an outcome notice: delivered, failed or no channel.'),
  def(TOPICS.deadLetter, 'deadLetter', 'Messages that failed validation or handling, with the reason, for replay.', 90 * DAY),
  ...CHECK_AGENCIES.map((a) => def(checkRequestedTopic(a), 'checkRequested', `Check requests addressed to ${a}.`)),
  ...CHECK_AGENCIES.map((a) => def(checkRepliedTopic(a), 'checkReplied', `Check replies from ${a}.`)),
  ...SUBMITTING_AGENCIES.map((a) => def(contactInboundTopic(a), 'contactInbound', `Submissions published by the ${a} adapter.`, 30 * DAY)),
  ...[...new Set([...SUBMITTING_AGENCIES, ...CHECK_AGENCIES])].map((a) =>
    def(noticeIssuedTopic(a), 'noticeIssued', `Outcome and closing notices for ${a}.`),
  ),
];

const byName = new Map(TOPIC_DEFINITIONS.map((t) => [t.name, t]));
export function topicDefinition(name: string): TopicDefinition | undefined {
  return byName.get(name);
}
