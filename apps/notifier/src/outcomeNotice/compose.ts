import type { AgencyId, ContactReceived, DecisionRecorded, NoticeIssued, Person, SubmittingAgency } from '@mash/contracts';
import { londonDateTime } from './londonTime';
import { noticeIdFor } from './noticeId';
import { OUTCOME_LABEL, OUTCOME_MEANING, orderedOutcomes } from './outcomeText';
import { Audience, audienceOf, Referrer, referrerRecipient } from './referrer';

/*
 * Fire wall. A notice is built from a whitelist and nothing else:
 *   decision: decisionId, caseId (checked against the contact's), contactId, decidedAt, decisionMaker, outcomes,
 *             responsibleTeam, nextSteps and signposting (to the referrer only);
 *   contact:  contactId, agencyReference, receivedAt, referrer.{name, role, organisation, source}.
 * Never read here: dissent, ratingChangeReason, urgentOverride, finalRating, the narrative, the
 * subjects, the household, the incident, DASH answers, or any chronology. Other agencies'
 * information and police incident detail stay inside the MASH (docs/formats.md, "Outcome notices").
 */

export interface TeamContact {
  name: string;
  inHours: string;
  outOfHours?: string;
}

/** What the notifier knows about the contact a decision answers (from mash.contact.received.v1). */
export interface NoticeContact {
  contactId: string;
  agencyReference?: string;
  referrer: Referrer;
  /** Only used to label a professional referrer that gave no organisation. */
  sourceAgency?: SubmittingAgency;
  /** The case triage joined the contact to; checked against the decision when given. */
  caseId?: string;
}

export interface AcknowledgementOptions {
  /** The case id once triage has one; until then the contact id keys the notice. */
  caseId?: string;
  /** How to reach the MASH before the decision; from locality configuration. */
  mash?: TeamContact;
}

const IMMEDIATE_DANGER = 'If a child is in immediate danger, call 999.';

const AGENCY_NAME: Record<AgencyId, string> = {
  police: 'Police',
  health: 'Health',
  education: 'Education',
  probation: 'Probation',
  housing: 'Housing',
  'adult-social-care': 'Adult social care',
  'youth-justice': 'Youth justice',
  'contact-centre': 'Contact centre',
  'childrens-social-care': "Children's social care",
};

function greeting(referrer: Referrer, audience: Audience): string {
  // A professional's own name is their work identity; anyone else is not named, because the
  // notice is also kept, published and read by business support.
  if (audience === 'professional' && referrer.name) return `Dear ${referrer.name},`;
  return 'Dear referrer,';
}

function teamLines(team: TeamContact): string[] {
  return [
    `Responsible team: ${team.name}`,
    `In office hours: ${team.inHours}`,
    `Out of hours: ${team.outOfHours ?? 'contact the emergency duty service through the council'}`,
    IMMEDIATE_DANGER,
  ];
}

function decidedByLine(person: Person, decidedAt: string): string {
  return `Decided by ${person.name}, ${person.role}, on ${londonDateTime(decidedAt)}.`;
}

/**
 * How far a private referrer's identity can be protected. Promising more than the law allows
 * would be worse than saying nothing: disclosure can be ordered by a court.
 */
function anonymityLines(referrer: Referrer): string[] {
  const lines = [
    'Your identity: we will not tell the family that you contacted us, and we keep your details confidential ' +
      'within the agencies that need them to protect the child. We cannot promise complete anonymity: a court ' +
      'can order your details to be disclosed, and sometimes a family works out who raised a concern from what ' +
      'was said. If you are worried about your own safety, tell us when you contact us.',
  ];
  if (referrer.source === '9') lines.push('You did not give your name, so we cannot contact you about this concern.');
  return lines;
}

function recontactLine(team: string, reference: string): string {
  return (
    `To add information, or if you remain worried, contact ${team} quoting MASH reference ${reference}. ` +
    'A new concern should be made as a new referral: repeated concerns are looked at together.'
  );
}

function copyTeam(team: TeamContact): TeamContact {
  // Copied field by field so that anything added to the decision's team object later does not
  // ride along into a notice unreviewed.
  return team.outOfHours === undefined
    ? { name: team.name, inHours: team.inHours }
    : { name: team.name, inHours: team.inHours, outOfHours: team.outOfHours };
}

function copyPerson(p: Person): Person {
  return { name: p.name, role: p.role };
}

function referenceLines(agencyReference: string | undefined, mashLabel: string, mashRef: string): string[] {
  return [...(agencyReference ? [`Your reference: ${agencyReference}`] : []), `${mashLabel}: ${mashRef}`];
}

function withOptional<T extends object>(base: T, extra: Partial<NoticeIssued>): T {
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) (base as Record<string, unknown>)[k] = v;
  return base;
}

/** Receipt of a contact: sent within one working day, says what happens next and how long it takes. */
export function acknowledgementNotice(
  received: ContactReceived,
  ratingTimescaleText: string | undefined,
  now: Date,
  options: AcknowledgementOptions = {},
): NoticeIssued {
  const { referrer, agencyReference } = received.contact;
  const audience = audienceOf(referrer);
  const recipient = referrerRecipient(referrer, received.sourceAgency);
  const lines = [
    'MASH acknowledgement',
    ...referenceLines(agencyReference, 'MASH reference', received.contactId),
    '',
    greeting(referrer, audience),
    '',
    `We received your contact on ${londonDateTime(received.receivedAt)}.`,
    '',
    'What happens next: a MASH practitioner will look at the information and rate how urgent it is. Where ' +
      'needed, partner agencies such as the police, health and education will be asked to share what is ' +
      'relevant, in proportion to the risk. A named manager will then decide what should happen, and you will ' +
      'be told the outcome.',
    `Timescale: ${ratingTimescaleText?.trim() || 'the decision will be made as quickly as the level of risk requires.'}`,
    '',
    ...(options.mash
      ? [...teamLines(options.mash), '', recontactLine(options.mash.name, received.contactId)]
      : [IMMEDIATE_DANGER, `If you have more information before then, contact the MASH quoting MASH reference ${received.contactId}.`]),
    ...(audience === 'public' ? ['', ...anonymityLines(referrer)] : []),
  ];
  return withOptional(
    {
      noticeId: noticeIdFor(received.contactId, recipient, 'acknowledgement'),
      caseId: options.caseId ?? received.contactId,
      contactId: received.contactId,
      kind: 'acknowledgement',
      issuedAt: now.toISOString(),
      recipient,
      text: lines.join('\n'),
    } as NoticeIssued,
    { agencyReference, responsibleTeam: options.mash ? copyTeam(options.mash) : undefined },
  );
}

/** The decision, told to the person or agency that made the contact. */
export function outcomeNotice(decision: DecisionRecorded, contact: NoticeContact, now: Date): NoticeIssued {
  if (contact.caseId !== undefined && contact.caseId !== decision.caseId) {
    // A wrong join here would tell one referrer about another referrer's family.
    throw new Error(`decision ${decision.decisionId} is for another case than the contact given`);
  }
  const audience = audienceOf(contact.referrer);
  const recipient = referrerRecipient(contact.referrer, contact.sourceAgency);
  const team = copyTeam(decision.responsibleTeam);
  const outcomes = orderedOutcomes(decision.outcomes);

  const body: string[] =
    audience === 'public'
      ? [
          'Thank you for telling us about your concern for a child. We have looked carefully at the information ' +
            'you gave us, and a manager has decided what should happen.',
          // The family's outcome is theirs: a neighbour or relative is told a decision was made, not what it is.
          'Information about a family is private, so we cannot tell you what action has been or will be taken.',
        ]
      : [
          'Thank you for your referral. A decision has been made.',
          '',
          'What we decided:',
          ...outcomes.flatMap((o) => [`- ${OUTCOME_LABEL[o]}`, `  ${OUTCOME_MEANING[o]}`]),
          ...(decision.signposting?.trim() ? ['', `Where to go instead, or as well: ${decision.signposting.trim()}`] : []),
          ...(decision.nextSteps?.trim() ? ['', `What happens next: ${decision.nextSteps.trim()}`] : []),
        ];

  const lines = [
    'MASH outcome notice',
    ...referenceLines(contact.agencyReference, 'MASH reference', contact.contactId),
    '',
    greeting(contact.referrer, audience),
    '',
    ...body,
    '',
    decidedByLine(decision.decisionMaker, decision.decidedAt),
    '',
    ...teamLines(team),
    '',
    recontactLine(team.name, contact.contactId),
    ...(audience === 'professional'
      ? [
          'If you disagree with this decision, raise it with the responsible team first, then through the local ' +
            "safeguarding partnership's procedure for resolving professional disagreements.",
        ]
      : []),
    ...(audience === 'public' ? ['', ...anonymityLines(contact.referrer)] : []),
  ];

  return withOptional(
    {
      // Per contact, not just per recipient label: a case can join several contacts from one
      // organisation (two police reports on one family), and each referrer is owed a notice.
      noticeId: noticeIdFor(decision.decisionId, `${contact.contactId}/${recipient}`, 'outcome'),
      caseId: decision.caseId,
      contactId: contact.contactId,
      kind: 'outcome',
      issuedAt: now.toISOString(),
      recipient,
      decidedBy: copyPerson(decision.decisionMaker),
      responsibleTeam: team,
      text: lines.join('\n'),
    } as NoticeIssued,
    { agencyReference: contact.agencyReference, outcomes: audience === 'public' ? undefined : [...outcomes] },
  );
}

/**
 * To an agency that answered checks: what was decided and who holds the case now, so that
 * contributors are not left "in the dark". Not the referrer's free text (nextSteps, signposting):
 * it is written for the referrer and may name what other agencies will do.
 */
export function closingNotice(decision: DecisionRecorded, contributorAgency: AgencyId, now: Date): NoticeIssued {
  const team = copyTeam(decision.responsibleTeam);
  const outcomes = orderedOutcomes(decision.outcomes);
  const lines = [
    'MASH closing notice',
    `MASH case reference: ${decision.caseId}`,
    `To: ${AGENCY_NAME[contributorAgency]}`,
    '',
    'Thank you for the information your agency provided to the MASH. A decision has been made and the MASH ' +
      'checks for this case are closed.',
    '',
    'Outcome:',
    ...outcomes.flatMap((o) => [`- ${OUTCOME_LABEL[o]}`, `  ${OUTCOME_MEANING[o]}`]),
    '',
    decidedByLine(decision.decisionMaker, decision.decidedAt),
    '',
    ...teamLines(team),
    '',
    `If you hold further information, or your agency's involvement with the family changes, contact ${team.name} ` +
      `quoting MASH case reference ${decision.caseId}.`,
  ];
  return withOptional(
    {
      noticeId: noticeIdFor(decision.decisionId, contributorAgency, 'closing'),
      caseId: decision.caseId,
      kind: 'closing',
      issuedAt: now.toISOString(),
      recipient: contributorAgency,
      outcomes: [...outcomes],
      decidedBy: copyPerson(decision.decisionMaker),
      responsibleTeam: team,
      text: lines.join('\n'),
    } as NoticeIssued,
    { contactId: decision.contactId },
  );
}
