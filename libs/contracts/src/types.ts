import type { AgencyId, CheckAgency, SubmittingAgency } from './agencies';

/** Types of every message; each mirrors the schema of the same name in schemas/. */
export type Rating = 'RED' | 'AMBER' | 'GREEN' | 'BLUE';
/** What an agency may be asked for and may see about a case (the schema's dataCategory). */
export const DATA_CATEGORIES = [
  'identity',
  'address',
  'household',
  'involvement',
  'history',
  'health',
  'education',
  'offending',
  'domestic-abuse',
] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];
export type LawfulBasis = 'consent' | 'section-47' | 'section-17' | 'risk-of-significant-harm' | 'statutory-function' | 'crime-prevention';
export type ReferralSource =
  | '1A'
  | '1B'
  | '1C'
  | '1D'
  | '2A'
  | '2B'
  | '3A'
  | '3B'
  | '3C'
  | '3D'
  | '3E'
  | '3F'
  | '4'
  | '5A'
  | '5B'
  | '5C'
  | '5D'
  | '6'
  | '7'
  | '8'
  | '9'
  | '10';
export type DecisionOutcome =
  | 'nfa'
  | 'advice'
  | 'signposting'
  | 'early-help'
  | 'social-care-assessment'
  | 'strategy-discussion'
  | 'marac-referral'
  | 'transfer'
  | 'information-provided';
/** Every decision outcome, for code that lists them (policy files, forms); mirrors DecisionOutcome. */
export const DECISION_OUTCOMES = [
  'nfa',
  'advice',
  'signposting',
  'early-help',
  'social-care-assessment',
  'strategy-discussion',
  'marac-referral',
  'transfer',
  'information-provided',
] as const satisfies readonly DecisionOutcome[];
// Fails to compile if an outcome is added to the type and not to the list.
const allOutcomesListed: Exclude<DecisionOutcome, (typeof DECISION_OUTCOMES)[number]> extends never ? true : false = true;
void allOutcomesListed;

/** A person named on a decision or an override: from their sign-in (subject, display name), never typed in. */
export interface Person {
  name: string;
  role: string;
  subject?: string;
}

export interface Consent {
  status: 'given' | 'refused' | 'not-sought';
  reason?: string;
  lawfulBasis?: LawfulBasis;
}

export type NoticeChannel =
  | { kind: 'webhook'; url: string }
  | { kind: 'topic' }
  | { kind: 'email'; address: string }
  | { kind: 'none'; reason: 'anonymous' | 'unknown' | 'no-contact-details' };

export interface ContactSubject {
  subjectRef: string;
  kind: 'child' | 'adult' | 'unborn';
  role?: 'subject' | 'victim' | 'alleged-perpetrator' | 'parent-carer' | 'household-member' | 'sibling';
  givenName?: string;
  familyName?: string;
  dateOfBirth?: string;
  expectedDate?: string;
  sex?: 'male' | 'female' | 'unknown' | 'indeterminate';
  identifiers?: { nhsNumber?: string; upn?: string; policePersonId?: string };
  disability?: boolean;
  presentDuringIncident?: boolean;
  residentAtAddress?: boolean;
  school?: string;
  yearGroup?: string;
  gpPractice?: string;
  ethnicity?: string;
}

export interface PresentingIssue {
  code: string;
  label?: string;
  /** The sender's own code, kept as sent (SNOMED CT, a police or school category). */
  coding?: { system: string; code: string; display?: string };
}

/** The canonical contact (v1): what an adapter submits. */
export interface Contact {
  agencyReference: string;
  referrer: {
    name?: string;
    role?: string;
    organisation?: string;
    odsCode?: string;
    phone?: string;
    source: ReferralSource;
    channel: NoticeChannel;
  };
  subjects: ContactSubject[];
  household?: {
    address?: { lines?: string[]; town?: string; postcode: string };
    relationships?: {
      from: string;
      to: string;
      type: 'parent' | 'step-parent' | 'partner' | 'sibling' | 'grandparent' | 'carer' | 'other';
    }[];
  };
  presentingIssues: PresentingIssue[];
  narrative: string;
  incident?: { occurredAt?: string; place?: string; reference?: string };
  domesticAbuse?: { dashRiskLevel: 'standard' | 'medium' | 'high'; childrenPresent: boolean; dashYesCount?: number };
  consent: Consent;
  urgency: 'immediate' | 'same-day' | 'routine';
  informationOnly?: boolean;
}

export interface ContactReceived {
  contactId: string;
  receivedAt: string;
  sourceAgency: SubmittingAgency;
  contact: Contact;
}

export interface CheckSubject {
  subjectId: string;
  kind: 'child' | 'adult' | 'unborn';
  givenName?: string;
  familyName?: string;
  dateOfBirth?: string;
  expectedDate?: string;
  nhsNumber?: string;
  upn?: string;
  policePersonId?: string;
  postcode?: string;
}

export interface PlanItem {
  agency: CheckAgency;
  categories: DataCategory[];
  dueAt: string;
}

export interface CaseRated {
  caseId: string;
  contactId: string;
  stage: 'start' | 'end';
  rating: Rating;
  previousRating?: Rating;
  ruleIds: string[];
  reasons: string[];
  policyVersion: string;
  ratedAt: string;
  deadline: string;
  checkPlan: PlanItem[];
  subjects: CheckSubject[];
  lawfulBasis: LawfulBasis;
  duplicateOf?: string;
  allocatedWorker?: string;
  /** The child lives outside the area the policy covers: the district, and the neighbouring MASH covering it if the policy lists one. */
  outOfArea?: { postcodeDistrict: string; hub?: { id: string; name: string; localAuthorityCode: string } };
  /** Absent or 1: the first plan. 2+: a revised start (consent override, escalation by a duplicate report); checkPlan then holds only the items to add. */
  revision?: number;
}

/** A manager's recorded decision to share without consent for one case (Haringey judgment: case by case). */
export interface ConsentOverride {
  overrideId: string;
  caseId: string;
  recordedAt: string;
  recordedBy: Person;
  /** The credential the override came in with. */
  principal: string;
  basis: 'section-47' | 'risk-of-significant-harm';
  reason: string;
}

/**
 * A legal hold on one case, set or lifted by a manager (docs/retention.md): while held, no service
 * purges anything of the case (its rows, its outbox events), whatever its retention period says.
 */
export interface LegalHold {
  holdId: string;
  caseId: string;
  held: boolean;
  recordedAt: string;
  recordedBy: Person;
  /** The credential the hold came in with. */
  principal: string;
  reason: string;
}

export interface TeamsAlerted {
  caseId: string;
  contactId: string;
  alertedAt: string;
  teams: string[];
  ruleIds: string[];
}

export interface CheckRequested {
  requestId: string;
  caseId: string;
  agency: CheckAgency;
  subjects: CheckSubject[];
  categories: DataCategory[];
  lawfulBasis: LawfulBasis;
  rating: Rating;
  dueAt: string;
  caseDeadline: string;
  requestedAt: string;
}

export interface ReplyEntry {
  subjectId?: string;
  date: string;
  category?: DataCategory;
  summary: string;
  current?: boolean;
}

export interface CheckReplied {
  requestId: string;
  caseId: string;
  agency: CheckAgency;
  repliedAt: string;
  known: boolean;
  currentInvolvement?: boolean;
  entries: ReplyEntry[];
}

export interface CheckChased {
  caseId: string;
  requestId: string;
  agency: CheckAgency;
  /** reminder: to the agency; escalation: to the MASH manager; malformed-reply: the agency's reply was refused. */
  kind: 'reminder' | 'escalation' | 'malformed-reply';
  at: string;
  dueAt: string;
  reason?: string;
}

export interface ChronologyEntry extends ReplyEntry {
  agency: CheckAgency;
  late?: boolean;
  alsoReportedBy?: CheckAgency[];
}

export interface CaseReady {
  caseId: string;
  readyAt: string;
  complete: boolean;
  reason?: 'all-replied' | 'deadline-reached';
  replied: CheckAgency[];
  missing: CheckAgency[];
  late?: CheckAgency[];
  chronology: ChronologyEntry[];
  /** Absent or 1: the picture at readiness; each reply accepted after that publishes the next. */
  revision?: number;
  revisedAt?: string;
  repliedAfterReady?: CheckAgency[];
}

export interface DecisionRecorded {
  decisionId: string;
  caseId: string;
  contactId?: string;
  decidedAt: string;
  decisionMaker: Person;
  outcomes: DecisionOutcome[];
  finalRating: Rating;
  ratingChangeReason?: string;
  responsibleTeam: { name: string; inHours: string; outOfHours?: string };
  nextSteps?: string;
  signposting?: string;
  dissent?: { agency: AgencyId; name: string; view: string }[];
  urgentOverride?: { reason: string };
  /** With the outcome 'transfer': the neighbouring MASH (policy id) it goes to; absent, the one triage flagged. */
  transferTo?: string;
  policyVersion?: string;
}

export type NoticeKind = 'acknowledgement' | 'outcome' | 'closing';

export interface NoticeIssued {
  noticeId: string;
  caseId: string;
  contactId?: string;
  agencyReference?: string;
  kind: NoticeKind;
  issuedAt: string;
  recipient: string;
  outcomes?: string[];
  decidedBy?: Person;
  responsibleTeam?: { name: string; inHours: string; outOfHours?: string };
  text: string;
}

export interface NoticeDelivered {
  noticeId: string;
  caseId: string;
  contactId?: string;
  kind: NoticeKind;
  recipient: string;
  channel: 'webhook' | 'topic' | 'email' | 'none';
  status: 'delivered' | 'failed' | 'no-channel';
  attempts: number;
  at: string;
  detail?: string;
}

export interface ContactInbound {
  agency: SubmittingAgency;
  submission: Contact;
}

export interface DeadLetter {
  originalTopic: string;
  partition?: number;
  offset?: string;
  key?: string | null;
  consumer: string;
  failedAt: string;
  reason: string;
  errors?: object[];
  attempts?: number;
  rawValue: string;
  rawEncoding?: 'utf8' | 'base64' | 'sealed-utf8' | 'sealed-base64';
}

/** The head of one service's disclosure audit chain, published so a deleted tail is found. */
export interface AuditHead {
  service: string;
  /** Which of the schema's chains (docs/architecture.md, "Several chains, one per writer at a time"); absent means 0. */
  chain?: number;
  id: number;
  hash: string;
  at: string;
}

/** Maps a topic kind to the type of its data. */
export interface MessageTypes {
  contactReceived: ContactReceived;
  caseRated: CaseRated;
  teamsAlerted: TeamsAlerted;
  checkRequested: CheckRequested;
  checkReplied: CheckReplied;
  checkChased: CheckChased;
  caseReady: CaseReady;
  decisionRecorded: DecisionRecorded;
  consentOverride: ConsentOverride;
  legalHold: LegalHold;
  noticeDelivered: NoticeDelivered;
  noticeIssued: NoticeIssued;
  contactInbound: ContactInbound;
  deadLetter: DeadLetter;
  auditHead: AuditHead;
}
