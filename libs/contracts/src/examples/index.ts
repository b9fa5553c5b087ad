import type { Contact, MessageTypes } from '../types';
import type { TopicKind } from '../topics';

/**
 * One valid example per message, used by the contract tests, the AsyncAPI document and the demo.
 * NHS number 9434765919 and UPN P123456789123 are check-digit valid test values, not real people.
 * The examples tell one story: a police domestic-abuse notification about Amy becomes a case that is
 * rated Amber, checked with health and education, decided, and acknowledged to the police.
 */
export const exampleContact: Contact = {
  agencyReference: 'PVP-2026-000123',
  referrer: {
    name: 'PC Jane Walker',
    role: 'Officer in the case',
    organisation: 'Example Constabulary',
    source: '6',
    channel: { kind: 'topic' },
  },
  subjects: [
    { subjectRef: 'c1', kind: 'child', role: 'subject', givenName: 'Amy', familyName: 'Example', dateOfBirth: '2019-03-02', sex: 'female', identifiers: { nhsNumber: '9434765919' }, presentDuringIncident: true, residentAtAddress: true },
    { subjectRef: 'a1', kind: 'adult', role: 'victim', givenName: 'Beth', familyName: 'Example', dateOfBirth: '1990-07-14', sex: 'female' },
    { subjectRef: 'a2', kind: 'adult', role: 'alleged-perpetrator', givenName: 'Carl', familyName: 'Sample', dateOfBirth: '1988-01-30', sex: 'male', identifiers: { policePersonId: 'PNC-88-123456' } },
  ],
  household: {
    address: { lines: ['1 Example Street'], town: 'Exampleton', postcode: 'EX1 2AB' },
    relationships: [{ from: 'a1', to: 'c1', type: 'parent' }, { from: 'a2', to: 'a1', type: 'partner' }],
  },
  presentingIssues: [{ code: '3', label: 'Domestic abuse' }],
  narrative: 'Police attended a domestic incident; the child was present.',
  incident: { occurredAt: '2026-11-20T22:15:00Z', place: 'Home address', reference: 'INC-20261120-0456' },
  domesticAbuse: { dashRiskLevel: 'medium', childrenPresent: true, dashYesCount: 9 },
  consent: { status: 'not-sought', reason: 'Seeking consent may place the child at risk', lawfulBasis: 'risk-of-significant-harm' },
  urgency: 'same-day',
};

/** A school's contact about two siblings, consent given: the other common shape (UPNs, email channel). */
export const exampleSchoolContact: Contact = {
  agencyReference: '123456:CPOMS-48213',
  referrer: {
    name: 'Mrs K Patel',
    role: 'Designated Safeguarding Lead',
    organisation: 'Example Primary School',
    phone: '01632 960 456',
    source: '2A',
    channel: { kind: 'email', address: 'dsl@example-primary.sch.uk' },
  },
  subjects: [
    { subjectRef: 'pupil-1', kind: 'child', role: 'subject', givenName: 'Amy', familyName: 'Example', dateOfBirth: '2019-03-02', sex: 'female', identifiers: { upn: 'P123456789123' }, school: 'Example Primary School', yearGroup: '2' },
    { subjectRef: 'pupil-2', kind: 'child', role: 'sibling', givenName: 'Zofia', familyName: 'Wiśniewska', dateOfBirth: '2016-10-11', sex: 'female', identifiers: { upn: 'X12345678912A' }, school: 'Example Primary School', yearGroup: '5' },
  ],
  presentingIssues: [{ code: '16A', label: 'Neglect' }],
  narrative: 'Amy arrived hungry for the third day running; her sister says there is no food at home.',
  consent: { status: 'given' },
  urgency: 'routine',
};

const CASE = 'case-2026-000123';
const CONTACT = 'ct-2026-000123';
const REQUEST_HEALTH = 'req-2026-000123-health';

export const validExamples: { [K in TopicKind]: MessageTypes[K] } = {
  contactReceived: {
    contactId: CONTACT,
    receivedAt: '2026-11-21T07:02:11Z',
    sourceAgency: 'police',
    contact: exampleContact,
  },
  contactInbound: { agency: 'education', submission: exampleSchoolContact },
  caseRated: {
    caseId: CASE,
    contactId: CONTACT,
    stage: 'start',
    rating: 'AMBER',
    ruleIds: ['da-medium-child-present'],
    reasons: ['Domestic abuse, DASH medium, child present during the incident'],
    policyVersion: 'exampleton-2026.3',
    ratedAt: '2026-11-21T07:02:13Z',
    deadline: '2026-11-24T07:02:13Z',
    checkPlan: [
      { agency: 'health', categories: ['identity', 'health', 'involvement'], dueAt: '2026-11-21T17:00:00Z' },
      { agency: 'education', categories: ['identity', 'education'], dueAt: '2026-11-21T15:30:00Z' },
    ],
    subjects: [{ subjectId: 'subj-1', kind: 'child', givenName: 'Amy', familyName: 'Example', dateOfBirth: '2019-03-02', nhsNumber: '9434765919', postcode: 'EX1 2AB' }],
    lawfulBasis: 'risk-of-significant-harm',
  },
  teamsAlerted: {
    caseId: CASE,
    contactId: CONTACT,
    alertedAt: '2026-11-21T07:02:14Z',
    teams: ['MASH duty social worker', 'Police public protection desk'],
    ruleIds: ['red-immediate-harm'],
  },
  checkRequested: {
    requestId: REQUEST_HEALTH,
    caseId: CASE,
    agency: 'health',
    subjects: [{ subjectId: 'subj-1', kind: 'child', givenName: 'Amy', familyName: 'Example', dateOfBirth: '2019-03-02', nhsNumber: '9434765919' }],
    categories: ['identity', 'health', 'involvement'],
    lawfulBasis: 'risk-of-significant-harm',
    rating: 'AMBER',
    dueAt: '2026-11-21T17:00:00Z',
    caseDeadline: '2026-11-24T07:02:13Z',
    requestedAt: '2026-11-21T07:02:15Z',
  },
  checkReplied: {
    requestId: REQUEST_HEALTH,
    caseId: CASE,
    agency: 'health',
    repliedAt: '2026-11-21T11:40:00Z',
    known: true,
    currentInvolvement: true,
    entries: [{ subjectId: 'subj-1', date: '2026-09-14', category: 'health', summary: 'Seen by health visitor; missed two developmental reviews.', current: true }],
  },
  checkChased: {
    caseId: CASE,
    requestId: 'req-2026-000123-education',
    agency: 'education',
    kind: 'reminder',
    at: '2026-11-21T14:30:00Z',
    dueAt: '2026-11-21T15:30:00Z',
  },
  caseReady: {
    caseId: CASE,
    readyAt: '2026-11-21T15:30:00Z',
    complete: false,
    reason: 'deadline-reached',
    replied: ['health'],
    missing: ['education'],
    chronology: [{ agency: 'health', subjectId: 'subj-1', date: '2026-09-14', category: 'health', summary: 'Seen by health visitor; missed two developmental reviews.', current: true }],
    revision: 1,
  },
  decisionRecorded: {
    decisionId: 'dec-2026-000123',
    caseId: CASE,
    contactId: CONTACT,
    decidedAt: '2026-11-21T16:05:00Z',
    decisionMaker: { name: 'Sam Okafor', role: 'MASH team manager' },
    outcomes: ['early-help'],
    finalRating: 'GREEN',
    ratingChangeReason: 'Health confirm engagement; no further incidents known to school.',
    responsibleTeam: { name: 'Exampleton Early Help Hub', inHours: '01632 960 000', outOfHours: '01632 960 999' },
    nextSteps: 'Early help assessment offered to the family within 10 working days.',
    dissent: [{ agency: 'police', name: 'DS R Khan', view: 'Would have kept Amber pending the next DASH review.' }],
    policyVersion: 'exampleton-2026.3',
  },
  consentOverride: {
    overrideId: 'ovr-2026-000123',
    caseId: CASE,
    recordedAt: '2026-11-21T09:15:00Z',
    recordedBy: { name: 'Sam Okafor', role: 'MASH team manager' },
    principal: 'mash-manager',
    basis: 'risk-of-significant-harm',
    reason: 'Child present at a second incident this month; the GP record is needed today.',
  },
  legalHold: {
    holdId: 'LH-2026-000123',
    caseId: CASE,
    held: true,
    recordedAt: '2026-11-22T10:00:00Z',
    recordedBy: { name: 'Sam Okafor', role: 'manager' },
    principal: 'mash-manager',
    reason: 'Care proceedings issued; the family court has asked for the MASH record.',
  },
  noticeIssued: {
    noticeId: 'ntc-2026-000123-police-outcome',
    caseId: CASE,
    contactId: CONTACT,
    agencyReference: 'PVP-2026-000123',
    kind: 'outcome',
    issuedAt: '2026-11-21T16:06:00Z',
    recipient: 'Example Constabulary',
    outcomes: ['early-help'],
    decidedBy: { name: 'Sam Okafor', role: 'MASH team manager' },
    responsibleTeam: { name: 'Exampleton Early Help Hub', inHours: '01632 960 000' },
    text: 'Your notification PVP-2026-000123 was considered by the MASH. Outcome: early help offered. Contact the Early Help Hub on 01632 960 000.',
  },
  noticeDelivered: {
    noticeId: 'ntc-2026-000123-police-outcome',
    caseId: CASE,
    contactId: CONTACT,
    kind: 'outcome',
    recipient: 'Example Constabulary',
    channel: 'topic',
    status: 'delivered',
    attempts: 1,
    at: '2026-11-21T16:06:01Z',
  },
  deadLetter: {
    originalTopic: 'mash.contact.police.inbound.v1',
    partition: 1,
    offset: '4711',
    key: CASE,
    consumer: 'gateway',
    failedAt: '2026-11-21T07:03:00Z',
    reason: 'validation failed',
    errors: [{ path: '/data/submission/consent', rule: 'required', message: 'is required' }],
    attempts: 1,
    rawValue: '{"id":"m-1","type":"contactInbound"}',
    rawEncoding: 'utf8',
  },
  auditHead: {
    service: 'gateway',
    id: 42,
    hash: '9f2c1a7e4b5d60f38e1c2b7a9d0e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4',
    at: '2026-11-21T16:07:00Z',
  },
};

/** A message that must be refused: which field (a JSON pointer into `value`) and which rule say so. */
export interface InvalidExample<K extends TopicKind = TopicKind> {
  kind: K;
  /** Why it is wrong, in the domain's words. */
  why: string;
  value: unknown;
  path: string;
  rule: string;
}

/** A deep copy of the kind's valid example with one change: everything else stays valid. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a deliberately broken copy of any shape
function broken<K extends TopicKind>(kind: K, why: string, path: string, rule: string, change: (copy: any) => void): InvalidExample<K> {
  const value = JSON.parse(JSON.stringify(validExamples[kind]));
  change(value);
  return { kind, why, value, path, rule };
}

export const invalidExamples: InvalidExample[] = [
  // The front door: what a contact must carry, checked inside both envelopes that hold one.
  broken('contactReceived', 'no contact id', '/contactId', 'required', (m) => delete m.contactId),
  broken('contactReceived', 'not an agency the hub knows', '/sourceAgency', 'enum', (m) => (m.sourceAgency = 'fire-service')),
  broken('contactReceived', 'received time without a time zone', '/receivedAt', 'format', (m) => (m.receivedAt = '2026-11-21 07:02:11')),
  broken('contactReceived', 'consent question unanswered (Blackburn audit: must not be finalised)', '/contact/consent', 'required', (m) => delete m.contact.consent),
  broken('contactReceived', 'NHS number with a wrong check digit', '/contact/subjects/0/identifiers/nhsNumber', 'format', (m) => (m.contact.subjects[0].identifiers.nhsNumber = '9434765918')),
  broken('contactReceived', 'no presenting issue', '/contact/presentingIssues', 'minItems', (m) => (m.contact.presentingIssues = [])),
  broken('contactReceived', 'a presenting issue that is no CIN code', '/contact/presentingIssues/0/code', 'enum', (m) => (m.contact.presentingIssues[0].code = 'DV')),
  broken('contactReceived', 'DASH level outside standard/medium/high', '/contact/domesticAbuse/dashRiskLevel', 'enum', (m) => (m.contact.domesticAbuse.dashRiskLevel = 'very high')),
  broken('contactReceived', 'more DASH yes answers than the 27 questions', '/contact/domesticAbuse/dashYesCount', 'maximum', (m) => (m.contact.domesticAbuse.dashYesCount = 28)),
  broken('contactReceived', 'a 31st subject', '/contact/subjects', 'maxItems', (m) => (m.contact.subjects = Array.from({ length: 31 }, (_, i) => ({ subjectRef: `s${i}`, kind: 'child' })))),
  broken('contactReceived', 'a NUL character in a name (Postgres cannot store it)', '/contact/subjects/1/givenName', 'pattern', (m) => (m.contact.subjects[1].givenName = 'Be\u0000th')),
  broken('contactReceived', 'a line break in a name (names reach email headers)', '/contact/subjects/0/familyName', 'pattern', (m) => (m.contact.subjects[0].familyName = 'Example\r\nBcc: everyone@example.org')),
  broken('contactReceived', 'a narrative of blanks says nothing', '/contact/narrative', 'pattern', (m) => (m.contact.narrative = ' \n\t ')),
  broken('contactReceived', 'a postcode that is not one', '/contact/household/address/postcode', 'pattern', (m) => (m.contact.household.address.postcode = 'EXAMPLETON')),
  broken('contactReceived', 'a relationship type outside the list', '/contact/household/relationships/0/type', 'enum', (m) => (m.contact.household.relationships[0].type = 'uncle')),
  broken('contactInbound', 'consent not sought and no lawful basis given', '/submission/consent/lawfulBasis', 'required', (m) => (m.submission.consent = { status: 'not-sought', reason: 'Family not contactable' })),
  broken('contactInbound', 'consent refused and no reason given', '/submission/consent/reason', 'required', (m) => (m.submission.consent = { status: 'refused', lawfulBasis: 'section-47' })),
  broken('contactInbound', 'consent answered with a word outside given/refused/not-sought', '/submission/consent/status', 'enum', (m) => (m.submission.consent = { status: 'yes' })),
  broken('contactInbound', 'UPN with a wrong check letter', '/submission/subjects/0/identifiers/upn', 'format', (m) => (m.submission.subjects[0].identifiers.upn = 'Q123456789123')),
  broken('contactInbound', 'an unborn child without an expected date', '/submission/subjects/1/expectedDate', 'required', (m) => (m.submission.subjects[1] = { subjectRef: 'unborn-1', kind: 'unborn' })),
  broken('contactInbound', 'a date of birth that does not exist', '/submission/subjects/0/dateOfBirth', 'format', (m) => (m.submission.subjects[0].dateOfBirth = '2019-02-30')),
  broken('contactInbound', 'a field the contract does not have', '/submission/riskScore', 'additionalProperties', (m) => (m.submission.riskScore = 7)),
  broken('contactInbound', 'no channel: silence is not an answer, say "none" and why', '/submission/referrer/channel', 'required', (m) => delete m.submission.referrer.channel),
  broken('contactInbound', '"none" channel with a reason outside the list', '/submission/referrer/channel/reason', 'enum', (m) => (m.submission.referrer.channel = { kind: 'none', reason: 'lost' })),
  broken('contactInbound', 'email channel that is no address', '/submission/referrer/channel', 'oneOf', (m) => (m.submission.referrer.channel = { kind: 'email', address: 'dsl at school' })),
  broken('contactInbound', 'referral source outside the CIN census list', '/submission/referrer/source', 'enum', (m) => (m.submission.referrer.source = '11')),
  broken('contactInbound', 'an anonymous referrer with a name', '/submission/referrer/name', 'false schema', (m) => (m.submission.referrer = { ...m.submission.referrer, source: '9', channel: { kind: 'none', reason: 'anonymous' } })),
  broken('contactInbound', 'an anonymous referrer with a reply channel', '/submission/referrer/channel/kind', 'const', (m) => (m.submission.referrer = { source: '9', channel: { kind: 'email', address: 'someone@example.org' } })),
  broken('contactInbound', 'agency reference with characters outside an id', '/submission/agencyReference', 'pattern', (m) => (m.submission.agencyReference = "48213'; DROP TABLE contacts;--")),
  broken('contactInbound', 'urgency outside immediate/same-day/routine', '/submission/urgency', 'enum', (m) => (m.submission.urgency = 'asap')),
  broken('contactInbound', 'a submission for an agency that does not submit', '/agency', 'enum', (m) => (m.agency = 'martians')),
  // Case events.
  broken('caseRated', 'a rating outside BRAG', '/rating', 'enum', (m) => (m.rating = 'PURPLE')),
  broken('caseRated', 'rated at neither start nor end', '/stage', 'enum', (m) => (m.stage = 'middle')),
  broken('caseRated', 'a plan item asking for nothing', '/checkPlan/0/categories', 'minItems', (m) => (m.checkPlan[0].categories = [])),
  broken('caseRated', 'a plan item for an agency that answers no checks', '/checkPlan/1/agency', 'enum', (m) => (m.checkPlan[1].agency = 'contact-centre')),
  broken('caseRated', 'no policy version: a rating must say which rules made it', '/policyVersion', 'required', (m) => delete m.policyVersion),
  broken('teamsAlerted', 'an alert to nobody', '/teams', 'minItems', (m) => (m.teams = [])),
  broken('checkRequested', 'a data category twice', '/categories', 'uniqueItems', (m) => (m.categories = ['identity', 'health', 'identity'])),
  broken('checkRequested', 'a request about no one', '/subjects', 'minItems', (m) => (m.subjects = [])),
  broken('checkRequested', 'a subject field beyond what a check may carry', '/subjects/0/narrative', 'additionalProperties', (m) => (m.subjects[0].narrative = 'full police incident detail')),
  broken('checkReplied', '"known" must be a yes or no', '/known', 'type', (m) => (m.known = 'yes')),
  broken('checkReplied', 'an entry that says nothing', '/entries/0/summary', 'minLength', (m) => (m.entries[0].summary = '')),
  broken('checkChased', 'a chase that is neither reminder, escalation nor malformed-reply alert', '/kind', 'enum', (m) => (m.kind = 'nag')),
  broken('caseReady', 'a revision before the first', '/revision', 'minimum', (m) => (m.revision = 0)),
  broken('caseReady', 'a folded entry credited to an agency that answers no checks', '/chronology/0/alsoReportedBy/0', 'enum', (m) => (m.chronology[0].alsoReportedBy = ['fire-service'])),
  broken('caseReady', 'ready without saying who is missing', '/missing', 'required', (m) => delete m.missing),
  broken('caseReady', 'a chronology entry without its agency', '/chronology/0/agency', 'required', (m) => delete m.chronology[0].agency),
  broken('decisionRecorded', 'a decision with no outcome', '/outcomes', 'minItems', (m) => (m.outcomes = [])),
  broken('decisionRecorded', 'a decision maker without a role', '/decisionMaker/role', 'required', (m) => delete m.decisionMaker.role),
  broken('decisionRecorded', 'an outcome outside the list', '/outcomes/0', 'enum', (m) => (m.outcomes = ['closed'])),
  broken('decisionRecorded', 'a rating change explained in one letter', '/ratingChangeReason', 'minLength', (m) => (m.ratingChangeReason = 'x')),
  broken('consentOverride', 'an override on the basis of consent (there is none to override with)', '/basis', 'enum', (m) => (m.basis = 'consent')),
  broken('consentOverride', 'an override without its reason', '/reason', 'required', (m) => delete m.reason),
  broken('legalHold', 'a hold without its reason', '/reason', 'required', (m) => delete m.reason),
  broken('legalHold', 'a hold that is neither set nor lifted', '/held', 'type', (m) => (m.held = 'yes')),
  broken('consentOverride', 'an override explained in a word', '/reason', 'minLength', (m) => (m.reason = 'urgent')),
  broken('caseRated', 'a revision numbered 0', '/revision', 'minimum', (m) => (m.revision = 0)),
  broken('noticeIssued', 'a notice with no text', '/text', 'minLength', (m) => (m.text = '')),
  broken('noticeIssued', 'a notice of an unknown kind', '/kind', 'enum', (m) => (m.kind = 'apology')),
  broken('noticeIssued', 'a responsible team with no in-hours contact', '/responsibleTeam/inHours', 'required', (m) => delete m.responsibleTeam.inHours),
  broken('noticeIssued', 'a responsible team carrying more than whom to contact', '/responsibleTeam/caseNotes', 'additionalProperties', (m) => (m.responsibleTeam.caseNotes = 'x')),
  broken('noticeDelivered', 'negative attempts', '/attempts', 'minimum', (m) => (m.attempts = -1)),
  broken('noticeDelivered', 'a status outside delivered/failed/no-channel', '/status', 'enum', (m) => (m.status = 'probably')),
  broken('deadLetter', 'a key that is neither string nor null', '/key', 'type', (m) => (m.key = 42)),
  broken('deadLetter', 'raw value in an encoding the replayer cannot read', '/rawEncoding', 'enum', (m) => (m.rawEncoding = 'hex')),
  broken('deadLetter', 'no raw value to replay', '/rawValue', 'required', (m) => delete m.rawValue),
  broken('auditHead', 'a hash that is not a SHA-256 in hex', '/hash', 'pattern', (m) => (m.hash = 'not-a-hash')),
  broken('auditHead', 'a chain position before the first row', '/id', 'minimum', (m) => (m.id = 0)),
];
