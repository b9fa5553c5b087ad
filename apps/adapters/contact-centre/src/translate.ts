import type { Consent, Contact, ContactSubject, LawfulBasis, NoticeChannel, PresentingIssue, ReferralSource } from '@mash/contracts';
import { compact, NativeReader, readHousehold, Translation } from '@mash/adapter-kit';

export type { Translation } from '@mash/adapter-kit';

/**
 * A call to the council's children's contact centre from a member of the public, as the call
 * handler records it in the council's CRM. The caller is not a professional: what the hub may
 * record about them is what they agreed to, and nothing else (docs/formats.md, "outcome notices").
 */
export interface ContactCentreCall {
  callId: string;
  receivedAt: string;
  handler: { name: string; team?: string };
  caller: {
    type: 'FAMILY_MEMBER' | 'ACQUAINTANCE' | 'SELF' | 'MEMBER_OF_PUBLIC' | 'ANONYMOUS' | 'UNKNOWN';
    /** SHARE: the caller agreed that the MASH may hold who they are. NONE: they did not. */
    detailsConsent?: 'SHARE' | 'NONE';
    /** Whether the caller wants to hear that the call was acted on. */
    wantsOutcome?: boolean;
    relationship?: string;
    name?: string;
    phone?: string;
    email?: string;
  };
  children: { forename?: string; surname?: string; dob?: string; unbornDueDate?: string; sex?: 'M' | 'F' | 'U'; school?: string }[];
  adults?: { forename?: string; surname?: string; relationship?: string; allegedToHarm?: boolean }[];
  address?: { lines?: string[]; town?: string; postcode: string };
  /** The London MASH template's categories, as the call handler's picklist offers them. */
  concerns: string[];
  /** What the caller said, in the handler's words. */
  account: string;
  immediateDanger?: boolean;
  urgencyAssessed: 'IMMEDIATE' | 'SAME_DAY' | 'ROUTINE';
  /** Consent of the family to share, which a caller can rarely give: the handler records why not. */
  familyConsent?: {
    status: 'GIVEN' | 'REFUSED' | 'NOT_SOUGHT';
    reason?: string;
    lawfulBasis?: 'SECTION_47' | 'SECTION_17' | 'RISK_OF_SIGNIFICANT_HARM' | 'STATUTORY_FUNCTION';
  };
}

/** Who called, as a CIN census ReferralSource. */
export const CALLER_SOURCE: Record<ContactCentreCall['caller']['type'], ReferralSource> = {
  FAMILY_MEMBER: '1A',
  ACQUAINTANCE: '1B',
  SELF: '1C',
  MEMBER_OF_PUBLIC: '1D',
  ANONYMOUS: '9',
  UNKNOWN: '10',
};

/** The London MASH template's "why was it sent?" list (docs/sources.md L4126-4152) to CIN codes or template codes. */
export const CONCERN_CODES: Record<string, string[]> = {
  ANTI_SOCIAL_BEHAVIOUR: ['ASB'],
  ARREST_OF_YOUNG_PERSON: ['ARREST'],
  CHILD_MENTAL_HEALTH: ['4A'],
  DOMESTIC_VIOLENCE: ['3'],
  EMOTIONAL_ABUSE: ['17A'],
  HOMELESSNESS_16_17: ['HOMELESS-16-17'],
  MISSING_FROM_HOME_OR_CARE: ['10A'],
  NEGLECT: ['16A'],
  PARENTAL_MENTAL_HEALTH: ['4B'],
  PARENTAL_SUBSTANCE_MISUSE: ['1B', '2B'],
  PHYSICAL_ABUSE: ['18C'],
  RISK_OF_CSE: ['11A'],
  SEXUAL_ABUSE: ['19C'],
  OTHER: ['20'],
};

const URGENCY = { IMMEDIATE: 'immediate', SAME_DAY: 'same-day', ROUTINE: 'routine' } as const;
const SEX: Record<string, NonNullable<ContactSubject['sex']>> = { M: 'male', F: 'female', U: 'unknown' };
const CONSENT_STATUS = { GIVEN: 'given', REFUSED: 'refused', NOT_SOUGHT: 'not-sought' } as const;
const LAWFUL_BASIS: Record<string, LawfulBasis> = {
  SECTION_47: 'section-47',
  SECTION_17: 'section-17',
  RISK_OF_SIGNIFICANT_HARM: 'risk-of-significant-harm',
  STATUTORY_FUNCTION: 'statutory-function',
};

type RelationshipType = NonNullable<NonNullable<Contact['household']>['relationships']>[number]['type'];
const ADULT_RELATIONSHIP: Record<string, RelationshipType> = {
  mother: 'parent',
  father: 'parent',
  parent: 'parent',
  stepmother: 'step-parent',
  stepfather: 'step-parent',
  'step-mother': 'step-parent',
  'step-father': 'step-parent',
  "mother's partner": 'other',
  "father's partner": 'other',
  grandmother: 'grandparent',
  grandfather: 'grandparent',
  carer: 'carer',
  'foster carer': 'carer',
};

/** A contact-centre call record to the canonical contact. */
export function toContact(native: unknown): Translation {
  const r = new NativeReader(native);
  if (r.object('', { required: true }) === undefined) return { ok: false, errors: r.errors };

  const subjects: ContactSubject[] = [];
  const relationships: NonNullable<NonNullable<Contact['household']>['relationships']> = [];
  const children = r.array('/children', { required: true });
  if (children.length === 0 && r.has('/children'))
    r.fail('/children', 'minItems', 'must name at least one child (a name, an age or "unborn" is enough)');
  children.forEach((_, i) => {
    const at = `/children/${i}`;
    const due = r.field(`${at}/unbornDueDate`, 'date');
    subjects.push(
      compact({
        subjectRef: `child-${i + 1}`,
        kind: due ? ('unborn' as const) : ('child' as const),
        role: 'subject' as const,
        givenName: r.field(`${at}/forename`, 'givenName'),
        familyName: r.field(`${at}/surname`, 'familyName'),
        dateOfBirth: r.field(`${at}/dob`, 'date'),
        expectedDate: due,
        sex: r.code(`${at}/sex`, SEX),
        school: r.field(`${at}/school`, 'school'),
      }),
    );
  });
  r.array('/adults').forEach((_, i) => {
    const at = `/adults/${i}`;
    const said = r.string(`${at}/relationship`)?.toLowerCase();
    const type = said === undefined ? undefined : (ADULT_RELATIONSHIP[said] ?? 'other');
    const ref = `adult-${i + 1}`;
    subjects.push(
      compact({
        subjectRef: ref,
        kind: 'adult' as const,
        role: r.boolean(`${at}/allegedToHarm`)
          ? ('alleged-perpetrator' as const)
          : type === 'parent' || type === 'step-parent' || type === 'carer'
            ? ('parent-carer' as const)
            : ('household-member' as const),
        givenName: r.field(`${at}/forename`, 'givenName'),
        familyName: r.field(`${at}/surname`, 'familyName'),
      }),
    );
    // The caller describes adults in relation to the (first) child they are calling about.
    if (type && children.length) relationships.push({ from: ref, to: 'child-1', type });
  });
  if (subjects.length > 30) r.fail('/adults', 'maxItems', 'a contact can name at most 30 people');

  const danger = r.boolean('/immediateDanger');
  const assessed = r.code('/urgencyAssessed', URGENCY, { required: true });
  r.field('/receivedAt', 'dateTime', { required: true });

  const contact: Contact = compact({
    agencyReference: r.field('/callId', 'agencyReference', { required: true })!,
    referrer: referrer(r),
    subjects,
    household: readHousehold(r, relationships),
    presentingIssues: concerns(r),
    narrative: r.field('/account', 'narrative', { required: true })!,
    consent: consent(r)!,
    urgency: danger ? 'immediate' : assessed!,
  });
  return r.finish(contact);
}

/**
 * The caller's details reach the hub only if they agreed (detailsConsent SHARE) and are not
 * anonymous; otherwise nothing about them is read at all, whatever the handler typed. Outcome
 * notices follow the same rule: an email if they gave one, a call back from the contact centre
 * (its own topic) if they gave only a phone, and an explicit "none" with the reason otherwise.
 */
function referrer(r: NativeReader): Contact['referrer'] {
  const type = r.code('/caller/type', CALLER_SOURCE, { required: true });
  const source = type ?? '10';
  if (source === '9') return { source, channel: { kind: 'none', reason: 'anonymous' } };
  if (source === '10') return { source, channel: { kind: 'none', reason: 'unknown' } };
  const consented = r.code('/caller/detailsConsent', { SHARE: true, NONE: false }, { required: true });
  if (!consented) return { source, channel: { kind: 'none', reason: 'no-contact-details' } };

  const phone = r.field('/caller/phone', 'phone');
  const email = r.field('/caller/email', 'email');
  const wantsOutcome = r.boolean('/caller/wantsOutcome') ?? false;
  const channel: NoticeChannel = !wantsOutcome
    ? { kind: 'none', reason: 'no-contact-details' }
    : email
      ? { kind: 'email', address: email }
      : phone
        ? { kind: 'topic' }
        : { kind: 'none', reason: 'no-contact-details' };
  return compact({
    name: r.field('/caller/name', 'referrerName'),
    role: r.field('/caller/relationship', 'referrerRole'),
    phone,
    source,
    channel,
  });
}

function concerns(r: NativeReader): PresentingIssue[] {
  const list = r.array('/concerns', { required: true });
  if (list.length === 0 && r.has('/concerns')) r.fail('/concerns', 'minItems', 'must name at least one concern');
  const out: PresentingIssue[] = [];
  list.forEach((_, i) => {
    // The picklist is the council's own: an unknown value is a deployment fault to fix, not a concern to guess.
    const codes = r.code(`/concerns/${i}`, CONCERN_CODES, { required: true });
    const label = r.string(`/concerns/${i}`);
    for (const code of codes ?? []) if (!out.some((o) => o.code === code)) out.push({ code, label });
  });
  return out;
}

/** The family's consent must be answered, even when the answer is "not sought, and why" (docs/sources.md L536-544). */
function consent(r: NativeReader): Consent | undefined {
  if (!r.object('/familyConsent')) {
    return r.fail(
      '/familyConsent',
      'consent-required',
      'the consent question is unanswered: record GIVEN, REFUSED or NOT_SOUGHT with the reason and lawful basis',
    );
  }
  const status = r.code('/familyConsent/status', CONSENT_STATUS, { required: true });
  if (status === undefined) return undefined;
  if (status === 'given') return { status };
  const reason = r.field('/familyConsent/reason', 'consentReason', { required: true });
  const lawfulBasis = r.code('/familyConsent/lawfulBasis', LAWFUL_BASIS, { required: true });
  if (reason === undefined || lawfulBasis === undefined) return undefined;
  return { status, reason, lawfulBasis };
}
