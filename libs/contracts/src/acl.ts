import { CHECK_AGENCIES, CheckAgency, SUBMITTING_AGENCIES, SubmittingAgency } from './agencies';
import { checkRepliedTopic, checkRequestedTopic, contactInboundTopic, noticeIssuedTopic, TOPIC_DEFINITIONS, TOPICS } from './topics';

/**
 * Who may do what on Kafka: one principal (a SCRAM user) per deployable, and for each the topics
 * it reads and writes and the consumer groups it joins. The provisioning step turns this into the
 * broker's ACLs (LITERAL names of the run's prefixed topics and groups), so nothing else grants
 * access. Reads follow each service's @EventPattern subscriptions and writes what it publishes;
 * `acl.spec.ts` checks both against the code.
 *
 * Every client that consumes also writes `mash.deadletter.v1`: the messaging port parks a message
 * it cannot handle there instead of losing it or blocking its partition. Each hub service writes
 * the head of its disclosure audit chain to `mash.audit.head.v1` (libs/platform auditHead).
 */
export interface KafkaGrant {
  principal: string;
  /** Logical topic names it consumes (READ, which implies DESCRIBE). */
  read: string[];
  /** Logical topic names it produces to (WRITE, which implies DESCRIBE). */
  write: string[];
  /** Topics it may only see: metadata and offsets, for lag. */
  describe: string[];
  /** Logical consumer groups it joins (READ on the group). */
  groups: string[];
  /** Group name prefixes it may join, for tools that make a fresh group each run (PREFIXED ACL). */
  groupPrefixes: string[];
  /** Groups whose members and committed offsets it may read without joining them (DESCRIBE). */
  describeGroups: string[];
}

export const HUB_SERVICES = ['gateway', 'triage', 'checks', 'notifier'] as const;
export const connectorPrincipal = (agency: CheckAgency) => `connector-${agency}`;
export const adapterPrincipal = (agency: SubmittingAgency) => `adapter-${agency}`;

/**
 * Every SCRAM user the broker is formatted with (infra/kafka.sh writes the same list). `admin` is
 * the broker's super user: it provisions topics and ACLs and is what tests and tools run as.
 */
export const KAFKA_ADMIN_PRINCIPAL = 'admin';
export const KAFKA_PRINCIPALS: readonly string[] = [
  KAFKA_ADMIN_PRINCIPAL,
  ...HUB_SERVICES,
  'ops',
  ...CHECK_AGENCIES.map(connectorPrincipal),
  ...SUBMITTING_AGENCIES.map(adapterPrincipal),
];

const ALL_TOPICS = TOPIC_DEFINITIONS.map((d) => d.name);
const requested = CHECK_AGENCIES.map(checkRequestedTopic);
const replied = CHECK_AGENCIES.map(checkRepliedTopic);
const inbound = SUBMITTING_AGENCIES.map(contactInboundTopic);
const noticeTopics = [...new Set([...SUBMITTING_AGENCIES, ...CHECK_AGENCIES])].map(noticeIssuedTopic);
/** The groups the gateway's lag sampler and ops watch. */
const WATCHED_GROUPS = [...HUB_SERVICES, ...CHECK_AGENCIES.map(connectorPrincipal), ...SUBMITTING_AGENCIES.map(adapterPrincipal)];

const grant = (g: Partial<KafkaGrant> & { principal: string }): KafkaGrant => ({
  read: [],
  write: [],
  describe: [],
  groups: [],
  groupPrefixes: [],
  describeGroups: [],
  ...g,
});

export const KAFKA_GRANTS: readonly KafkaGrant[] = [
  grant({
    principal: 'gateway',
    read: [
      TOPICS.caseRated,
      TOPICS.teamsAlerted,
      TOPICS.caseReady,
      TOPICS.checkChased,
      TOPICS.decisionRecorded,
      TOPICS.noticeDelivered,
      TOPICS.deadLetter,
      ...replied,
      ...inbound,
    ],
    // Only the gateway records decisions, consent overrides and legal holds: each comes from an authenticated person at its API.
    write: [TOPICS.contactReceived, TOPICS.decisionRecorded, TOPICS.consentOverride, TOPICS.legalHold, TOPICS.deadLetter, TOPICS.auditHead],
    // The lag sampler reads every watched group's offsets and the end offsets of what they read.
    describe: ALL_TOPICS,
    groups: ['gateway'],
    describeGroups: WATCHED_GROUPS,
  }),
  grant({
    principal: 'triage',
    read: [TOPICS.contactReceived, TOPICS.caseReady, TOPICS.decisionRecorded, TOPICS.consentOverride, TOPICS.legalHold],
    // Only triage rates a case.
    write: [TOPICS.caseRated, TOPICS.teamsAlerted, TOPICS.deadLetter, TOPICS.auditHead],
    groups: ['triage'],
  }),
  grant({
    principal: 'checks',
    read: [TOPICS.caseRated, TOPICS.decisionRecorded, TOPICS.legalHold, TOPICS.deadLetter, ...replied],
    write: [...requested, TOPICS.checkChased, TOPICS.caseReady, TOPICS.deadLetter, TOPICS.auditHead],
    groups: ['checks'],
  }),
  grant({
    principal: 'notifier',
    read: [TOPICS.contactReceived, TOPICS.caseRated, TOPICS.caseReady, TOPICS.decisionRecorded, TOPICS.legalHold],
    write: [...noticeTopics, TOPICS.noticeDelivered, TOPICS.deadLetter, TOPICS.auditHead],
    groups: ['notifier'],
  }),
  grant({
    // Sees everything and may read parked messages (a dry-run replay); writes nothing, so putting
    // messages back on their topics (which may be decisions) is an admin action.
    principal: 'ops',
    read: [TOPICS.deadLetter],
    describe: ALL_TOPICS,
    groupPrefixes: ['ops-replay-'],
    describeGroups: WATCHED_GROUPS,
  }),
  // A connector sees the requests addressed to its agency and answers on its own reply topic only.
  ...CHECK_AGENCIES.map((a) =>
    grant({
      principal: connectorPrincipal(a),
      read: [checkRequestedTopic(a)],
      write: [checkRepliedTopic(a), TOPICS.deadLetter],
      groups: [connectorPrincipal(a)],
    }),
  ),
  // An adapter submits on its own inbound topic and receives its own agency's notices only. Two
  // adapters of one agency (HTTP and Kafka mode side by side) keep a group each, both named
  // adapter-<agency>...; no agency's name begins with another's, so the prefix is the agency's alone.
  ...SUBMITTING_AGENCIES.map((a) =>
    grant({
      principal: adapterPrincipal(a),
      read: [noticeIssuedTopic(a)],
      write: [contactInboundTopic(a), TOPICS.deadLetter],
      groupPrefixes: [adapterPrincipal(a)],
    }),
  ),
];

export function kafkaGrant(principal: string): KafkaGrant | undefined {
  return KAFKA_GRANTS.find((g) => g.principal === principal);
}
