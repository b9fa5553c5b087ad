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
  auditHead: 'mash.audit.head.v1',
  legalHold: 'mash.case.legal-hold.v1',
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
  | 'auditHead'
  | 'legalHold'
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
  /** Messages carry case content (names, narratives, replies, notices): kept no longer than the policy allows. */
  caseContent: boolean;
  /** How long the broker writes one segment before rolling it; set with a policy retention (see topicsUnderRetention). */
  segmentMs?: number;
}

const DAY = 24 * 60 * 60 * 1000;
// Case events are the hub's memory of what happened; keep them well past the longest MASH
// retention we know of (Brent: 6 months) so a service can be rebuilt by replay.
const CASE_RETENTION = 400 * DAY;
const PARTITIONS = Number(process.env.MASH_TOPIC_PARTITIONS ?? 3);

function def(name: string, kind: TopicKind, description: string, retentionMs = CASE_RETENTION, caseContent = true): TopicDefinition {
  return { name, kind, partitions: PARTITIONS, retentionMs, cleanupPolicy: 'delete', description, caseContent };
}

// Parked messages are raw values kept only for an operator to replay after a fix: two weeks, not
// the case period (docs/retention.md).
const DEAD_LETTER_RETENTION = 14 * DAY;

/** The one definition of every topic: created at start-up by each service (idempotently). */
export const TOPIC_DEFINITIONS: TopicDefinition[] = [
  def(TOPICS.contactReceived, 'contactReceived', 'A contact accepted at the front door, in canonical form.'),
  def(
    TOPICS.caseRated,
    'caseRated',
    'A rating of a case (at the start of checks or at their end) with the rules that produced it and the check plan.',
  ),
  def(TOPICS.teamsAlerted, 'teamsAlerted', 'A Red case: relevant teams are informed immediately.'),
  def(TOPICS.caseReady, 'caseReady', 'Checks are complete, or the deadline arrived: what replied, what is missing, the chronology.'),
  def(TOPICS.checkChased, 'checkChased', 'A reminder to an agency, or an escalation to the MASH manager of a missed reply.'),
  def(TOPICS.decisionRecorded, 'decisionRecorded', 'A decision recorded by a named decision maker.'),
  def(
    TOPICS.consentOverride,
    'consentOverride',
    'A manager records sharing without consent (section 47 / risk of significant harm) for a case, with the reason: triage audits it and widens the check plan.',
  ),
  def(TOPICS.noticeDelivered, 'noticeDelivered', 'Receipt of an outcome notice: delivered, failed or no channel.'),
  def(TOPICS.deadLetter, 'deadLetter', 'Messages that failed validation or handling, with the reason, for replay.', DEAD_LETTER_RETENTION),
  // Kept for ever (a few bytes a minute): an auditor checks the chain against every head ever published.
  def(
    TOPICS.auditHead,
    'auditHead',
    "The head of each of a service's disclosure audit chains (chain, position and hash), published periodically so a deleted tail is found.",
    -1,
    false,
  ),
  def(
    TOPICS.legalHold,
    'legalHold',
    'A legal hold on a case set or lifted by a manager: every service stops (or resumes) purging the case.',
    -1,
    false,
  ),
  ...CHECK_AGENCIES.map((a) => def(checkRequestedTopic(a), 'checkRequested', `Check requests addressed to ${a}.`)),
  ...CHECK_AGENCIES.map((a) => def(checkRepliedTopic(a), 'checkReplied', `Check replies from ${a}.`)),
  ...SUBMITTING_AGENCIES.map((a) => def(contactInboundTopic(a), 'contactInbound', `Submissions published by the ${a} adapter.`, 30 * DAY)),
  ...[...new Set([...SUBMITTING_AGENCIES, ...CHECK_AGENCIES])].map((a) =>
    def(noticeIssuedTopic(a), 'noticeIssued', `Outcome and closing notices for ${a}.`),
  ),
];

/** The shortest calendar month: a period of whole months is never shorter than this many days each. */
const SHORTEST_MONTH_MS = 28 * DAY;
/** The broker will not keep a topic for less (a policy in fractions of a month is a test's). */
const MIN_TOPIC_RETENTION_MS = 60_000;

/**
 * The definitions with Kafka retention no longer than the locality's retention period of
 * `months`. The broker deletes a whole segment once its newest message is past retention.ms, so a
 * message can outlive retention.ms by up to one segment.ms: both are set so that their sum stays
 * within `months` of 28 days, the shortest the policy's period can be on the calendar. Topics
 * without case content (the audit chain's heads, legal holds) keep their own retention.
 */
export function topicsUnderRetention(months: number, defs: TopicDefinition[] = TOPIC_DEFINITIONS): TopicDefinition[] {
  if (!Number.isFinite(months) || months <= 0) throw new Error('retention must be a positive number of months');
  const limit = Math.floor(months * SHORTEST_MONTH_MS);
  const segmentMs = Math.max(MIN_TOPIC_RETENTION_MS / 2, Math.min(DAY, Math.floor(limit / 10)));
  return defs.map((d) => {
    if (!d.caseContent) return d;
    const own = d.retentionMs < 0 ? Number.POSITIVE_INFINITY : d.retentionMs;
    return { ...d, retentionMs: Math.max(MIN_TOPIC_RETENTION_MS, Math.min(own, limit - segmentMs)), segmentMs };
  });
}

const byName = new Map(TOPIC_DEFINITIONS.map((t) => [t.name, t]));
export function topicDefinition(name: string): TopicDefinition | undefined {
  return byName.get(name);
}
