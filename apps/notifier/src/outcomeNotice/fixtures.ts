import { validateData } from '@mash/contracts';
import type { ChronologyEntry, Contact, ContactReceived, DecisionRecorded, FieldError } from '@mash/contracts';
import { exampleContact } from '@mash/contracts/examples';
import type { NoticeContact } from './compose';

/**
 * Shared by the specs and the bench. The sensitive strings are what a careless notice would leak:
 * every one of them must stay out of every notice.
 */
export const CHRONOLOGY: ChronologyEntry[] = [
  {
    agency: 'police',
    date: '2026-11-20',
    category: 'domestic-abuse',
    summary: 'Officers attended 22:15; suspect arrested for ABH, bail conditions not to contact victim',
    current: true,
  },
  {
    agency: 'health',
    date: '2026-10-02',
    category: 'health',
    summary: 'A&E attendance, spiral fracture left forearm, explanation inconsistent',
  },
  {
    agency: 'education',
    date: '2026-11-18',
    category: 'education',
    summary: 'Attendance 71% this term; child disclosed being shouted at by Carl',
  },
  {
    agency: 'probation',
    date: '2025-04-11',
    category: 'offending',
    summary: 'Subject on licence until March 2027 for assault on former partner',
  },
];

export const DISSENT = [
  {
    agency: 'health' as const,
    name: 'Nurse Patricia Dissenter',
    view: 'Health considers this should be a strategy discussion given the fracture history',
  },
];
export const RATING_CHANGE_REASON = 'Re-rated RED after police disclosed the bail breach and PNC history';
export const URGENT_OVERRIDE = 'Manager override: the perpetrator is due for release tomorrow';

// The example contact with family names that cannot collide with organisation names in notices
// ("Example Constabulary"), so that a match below is a leak and not a coincidence.
export const CONTACT: Contact = {
  ...exampleContact,
  subjects: exampleContact.subjects.map((s, i) => ({ ...s, familyName: ['Hollowbrook', 'Hollowbrook', 'Quarrington'][i] })),
};

export const SENSITIVE_STRINGS: string[] = [
  ...CHRONOLOGY.map((c) => c.summary),
  ...DISSENT.flatMap((d) => [d.name, d.view]),
  RATING_CHANGE_REASON,
  URGENT_OVERRIDE,
  CONTACT.narrative,
  CONTACT.incident!.reference!,
  CONTACT.incident!.place!,
  ...CONTACT.subjects.flatMap((s) => [s.givenName!, s.familyName!, s.dateOfBirth!]),
  CONTACT.subjects[0]!.identifiers!.nhsNumber!,
  CONTACT.subjects[2]!.identifiers!.policePersonId!,
  CONTACT.household!.address!.postcode,
  CONTACT.household!.address!.lines![0]!,
  CONTACT.consent.reason!,
];

export function decisionFixture(overrides: Partial<DecisionRecorded> = {}): DecisionRecorded {
  return {
    decisionId: 'DEC-0001',
    caseId: 'CASE-0001',
    contactId: 'CON-0001',
    decidedAt: '2026-11-21T10:30:00Z',
    decisionMaker: { name: 'Sam Manager', role: 'MASH team manager (social work)' },
    outcomes: ['nfa'],
    finalRating: 'GREEN',
    ratingChangeReason: RATING_CHANGE_REASON,
    responsibleTeam: { name: 'Exampleton MASH', inHours: '020 7946 0000 (Mon-Fri 9-5)', outOfHours: 'Emergency duty team 020 7946 0999' },
    dissent: DISSENT,
    urgentOverride: { reason: URGENT_OVERRIDE },
    policyVersion: 'exampleton-2026.1',
    ...overrides,
  };
}

export function contactReceivedFixture(referrer: Partial<ContactReceived['contact']['referrer']> = {}): ContactReceived {
  return {
    contactId: 'CON-0001',
    receivedAt: '2026-11-20T23:05:00Z',
    sourceAgency: 'police',
    contact: { ...CONTACT, referrer: { ...CONTACT.referrer, ...referrer } },
  };
}

export function noticeContactFixture(referrer: Partial<NoticeContact['referrer']> = {}): NoticeContact {
  const r = contactReceivedFixture(referrer);
  return { contactId: r.contactId, agencyReference: r.contact.agencyReference, referrer: r.contact.referrer, sourceAgency: r.sourceAgency };
}

export const NEIGHBOUR = {
  name: 'Mrs Private Neighbour',
  role: undefined,
  organisation: undefined,
  phone: '07700 900123',
  source: '1B' as const,
  channel: { kind: 'email' as const, address: 'neighbour@example.org' },
};
export const ANONYMOUS = {
  name: undefined,
  role: undefined,
  organisation: undefined,
  source: '9' as const,
  channel: { kind: 'none' as const, reason: 'anonymous' as const },
};
export const GP = {
  name: 'Dr Alex Greene',
  role: 'GP',
  organisation: 'Exampleton Medical Practice',
  odsCode: 'Y12345',
  source: '3A' as const,
  channel: { kind: 'webhook' as const, url: 'http://127.0.0.1:1/notices' },
};

/** Errors of a notice against the mash.notice.issued schema, as consumers will check it. */
export function noticeSchemaErrors(notice: unknown): FieldError[] {
  const r = validateData('noticeIssued', notice);
  return r.ok ? [] : r.errors;
}
