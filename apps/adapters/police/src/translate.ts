import type { Consent, Contact, ContactSubject, LawfulBasis, PresentingIssue } from '@mash/contracts';
import { loadCodeMap } from '@mash/policy';
import { ageOn, compact, NativeReader, readHousehold, Translation } from '@mash/adapter-kit';

export type { Translation } from '@mash/adapter-kit';
export type { PoliceNotification, PolicePerson } from './native';

/**
 * Police categories to CIN census factor codes, from the hub's code map (policies/codes). Each keeps the police label. A category
 * this table does not know still travels, as 20 (other) with its label: refusing a police
 * notification because a force added a category would hold back a child's referral over a code list.
 */
export const CATEGORY_CODES: Record<string, string[]> = loadCodeMap().table('police-category');
const POLICE_CATEGORY = loadCodeMap().systemUri('police-category');

const ROLES: Record<string, NonNullable<ContactSubject['role']>> = {
  VICTIM: 'victim',
  ALLEGED_PERPETRATOR: 'alleged-perpetrator',
  SUSPECT: 'alleged-perpetrator',
  CHILD: 'subject',
  UNBORN: 'subject',
  VULNERABLE_ADULT: 'subject',
  HOUSEHOLD_MEMBER: 'household-member',
  PARENT_CARER: 'parent-carer',
};

const SEX: Record<string, NonNullable<ContactSubject['sex']>> = { M: 'male', F: 'female', U: 'unknown', X: 'indeterminate' };

type RelationshipType = NonNullable<NonNullable<Contact['household']>['relationships']>[number]['type'];
const RELATIONSHIPS: Record<string, RelationshipType> = {
  MOTHER: 'parent',
  FATHER: 'parent',
  PARENT: 'parent',
  STEP_MOTHER: 'step-parent',
  STEP_FATHER: 'step-parent',
  STEP_PARENT: 'step-parent',
  PARTNER: 'partner',
  EX_PARTNER: 'partner',
  SPOUSE: 'partner',
  SIBLING: 'sibling',
  BROTHER: 'sibling',
  SISTER: 'sibling',
  HALF_SIBLING: 'sibling',
  GRANDMOTHER: 'grandparent',
  GRANDFATHER: 'grandparent',
  GRANDPARENT: 'grandparent',
  CARER: 'carer',
  GUARDIAN: 'carer',
  KINSHIP_CARER: 'carer',
};

const DASH_LEVEL = { STANDARD: 'standard', MEDIUM: 'medium', HIGH: 'high' } as const;
const RISK_ORDER = { LOW: 0, STANDARD: 0, MEDIUM: 1, HIGH: 2 } as const;
const URGENCY: Contact['urgency'][] = ['routine', 'same-day', 'immediate'];

const LAWFUL_BASIS: Record<string, LawfulBasis> = {
  S47: 'section-47',
  S17: 'section-17',
  RISK_OF_SIGNIFICANT_HARM: 'risk-of-significant-harm',
  CRIME_AND_DISORDER_S115: 'crime-prevention',
  STATUTORY: 'statutory-function',
};

/**
 * Forces write occurrence numbers and PNC ids with slashes (01/123456/26, 88/123456A); hub ids
 * have none. Within one force's format a slash never stands beside a hyphen, so this stays one-to-one.
 */
const policeId = (value: string) => value.replace(/\//g, '-');

/** A police vulnerable-person / domestic-abuse notification to the canonical contact. */
export function toContact(native: unknown): Translation {
  const r = new NativeReader(native);
  if (r.object('', { required: true }) === undefined) return { ok: false, errors: r.errors };

  const forceCode = r.string('/force/code', { required: true });
  const notificationId = r.string('/notificationId', { required: true });
  const agencyReference =
    forceCode && notificationId ? r.conforms('/notificationId', `${forceCode}:${notificationId}`, 'agencyReference') : undefined;
  const occurrence = r.string('/occurrenceNumber', { required: true });
  const reportedOn = r.field('/submittedAt', 'dateTime', { required: true });
  const occurredAt = r.field('/incident/occurredAt', 'dateTime');

  const subjects = persons(r, occurredAt ?? reportedOn);
  const issues = categories(r);
  const dash = domesticAbuse(r, subjects);
  const grade = r.code('/riskGrade', RISK_ORDER) ?? 0;
  const referralType = r.code('/referralType', { INFORMATION_ONLY: true, REFERRAL: false }, { required: true });

  const contact: Contact = compact({
    agencyReference: agencyReference!,
    referrer: referrer(r),
    subjects,
    household: household(r, subjects),
    presentingIssues: issues,
    // The summary is what the force shares with partners; incident.detail is police property and stays behind.
    narrative: r.field('/incident/summary', 'narrative', { required: true })!,
    incident: compact({
      occurredAt,
      place: r.field('/incident/locationType', 'place'),
      reference: occurrence === undefined ? undefined : r.conforms('/occurrenceNumber', policeId(occurrence), 'incidentReference'),
    }),
    domesticAbuse: dash,
    consent: consent(r)!,
    urgency: URGENCY[Math.max(grade, dash ? RISK_ORDER[dash.dashRiskLevel.toUpperCase() as keyof typeof RISK_ORDER] : 0)],
    informationOnly: referralType,
  });
  return r.finish(contact);
}

function referrer(r: NativeReader): Contact['referrer'] {
  const rank = r.string('/officerInCase/rank');
  const name = r.string('/officerInCase/name', { required: true });
  const collar = r.string('/officerInCase/collarNumber', { required: true });
  const station = r.string('/officerInCase/station');
  return compact({
    name: name === undefined ? undefined : r.conforms('/officerInCase/name', rank ? `${rank} ${name}` : name, 'referrerName'),
    // The collar number is how a partner reaches the right officer: the canonical contact has no field for it.
    role:
      collar === undefined
        ? undefined
        : r.conforms(
            '/officerInCase/collarNumber',
            `Officer in the case, collar ${collar}${station ? `, ${station}` : ''}`,
            'referrerRole',
          ),
    organisation: r.field('/force/name', 'organisation', { required: true }),
    phone: r.field('/officerInCase/phone', 'phone'),
    source: '6' as const,
    // Outcome notices go back to the force's own topic, where its system files them against the occurrence.
    channel: { kind: 'topic' as const },
  });
}

function categories(r: NativeReader): PresentingIssue[] {
  const list = r.array('/categories', { required: true });
  if (list.length === 0 && r.has('/categories')) r.fail('/categories', 'minItems', 'must name at least one category');
  const seen = new Set<string>();
  const out: PresentingIssue[] = [];
  list.forEach((_, i) => {
    const label = r.field(`/categories/${i}`, 'label', { required: true });
    if (label === undefined) return;
    const known = Object.prototype.hasOwnProperty.call(CATEGORY_CODES, label);
    for (const code of known ? CATEGORY_CODES[label] : ['20']) {
      const key = `${code}|${label}`;
      // An unknown category keeps its own code, so the hub shows it and counts it as unmapped.
      if (!seen.has(key)) out.push(known ? { code, label } : { code, label, coding: { system: POLICE_CATEGORY, code: label } });
      seen.add(key);
    }
  });
  return out;
}

function persons(r: NativeReader, on: string | undefined): ContactSubject[] {
  const list = r.array('/persons', { required: true });
  if (list.length === 0 && r.has('/persons')) r.fail('/persons', 'minItems', 'must name at least one person');
  if (list.length > 30) r.fail('/persons', 'maxItems', 'must name at most 30 persons');
  const ids = new Set<string>();
  return list.map((_, i) => {
    const at = `/persons/${i}`;
    const personId = r.field(`${at}/personId`, 'subjectRef', { required: true });
    if (personId !== undefined && ids.has(personId)) r.fail(`${at}/personId`, 'unique', 'is used by another person in this notification');
    if (personId !== undefined) ids.add(personId);
    const roleCode = r.string(`${at}/role`, { required: true });
    const role = r.code(`${at}/role`, ROLES, { required: true });
    const dob = r.field(`${at}/dob`, 'date');
    const unborn = roleCode === 'UNBORN';
    // Police records say CHILD for the child of concern; a victim or household member may be a child too.
    const child = roleCode === 'CHILD' || (dob !== undefined && on !== undefined && ageOn(dob, on) < 18);
    const pnc = r.string(`${at}/pncId`);
    const nhs = r.string(`${at}/nhsNumber`);
    const identifiers = compact({
      policePersonId: pnc === undefined ? undefined : r.conforms(`${at}/pncId`, policeId(pnc), 'policePersonId'),
      // Spaces are how people write NHS numbers (943 476 5919), not part of them.
      nhsNumber: nhs === undefined ? undefined : r.conforms(`${at}/nhsNumber`, nhs.replace(/\s+/g, ''), 'nhsNumber'),
    });
    return compact({
      subjectRef: personId!,
      kind: unborn ? ('unborn' as const) : child ? ('child' as const) : ('adult' as const),
      role,
      givenName: r.field(`${at}/forename`, 'givenName'),
      familyName: r.field(`${at}/surname`, 'familyName'),
      dateOfBirth: dob,
      expectedDate: r.field(`${at}/dueDate`, 'date', { required: unborn }),
      sex: r.code(`${at}/gender`, SEX),
      identifiers: Object.keys(identifiers).length ? identifiers : undefined,
      presentDuringIncident: r.boolean(`${at}/presentDuringIncident`),
      residentAtAddress: r.boolean(`${at}/residentAtAddress`),
      school: r.field(`${at}/school`, 'school'),
      gpPractice: r.field(`${at}/gp`, 'gpPractice'),
      // Self-defined only: the officer-perceived IC code is another code list and the officer's view, not the person's.
      ethnicity: r.field(`${at}/ethnicitySelfDefined`, 'ethnicity'),
    });
  });
}

function household(r: NativeReader, subjects: ContactSubject[]): Contact['household'] {
  const known = new Set(subjects.map((s) => s.subjectRef));
  const relationships: NonNullable<NonNullable<Contact['household']>['relationships']> = [];
  r.array('/persons').forEach((_, i) => {
    const from = r.string(`/persons/${i}/personId`);
    r.array(`/persons/${i}/relationships`).forEach((__, j) => {
      const at = `/persons/${i}/relationships/${j}`;
      const to = r.string(`${at}/personId`, { required: true });
      const kind = r.string(`${at}/relationship`, { required: true });
      if (to !== undefined && !known.has(to)) r.fail(`${at}/personId`, 'reference', `names no person in this notification`);
      if (from && to && kind) relationships.push({ from, to, type: RELATIONSHIPS[kind] ?? 'other' });
    });
  });
  return readHousehold(r, relationships);
}

function domesticAbuse(r: NativeReader, subjects: ContactSubject[]): Contact['domesticAbuse'] {
  if (!r.object('/dash')) return undefined;
  const level = r.code('/dash/riskLevel', DASH_LEVEL, { required: true });
  const stated = r.integer('/dash/yesCount');
  if (stated !== undefined && (stated < 0 || stated > 27))
    r.fail('/dash/yesCount', 'range', 'must be between 0 and 27 (the police DASH has 27 questions)');
  const answers = r.object('/dash/answers');
  const counted = answers ? Object.values(answers).filter((a) => a === 'Y').length : undefined;
  if (counted !== undefined && stated !== undefined && counted !== stated) {
    r.fail('/dash/yesCount', 'dash-count', `says ${stated} but the answers hold ${counted} yes`);
  }
  return compact({
    dashRiskLevel: level!,
    childrenPresent: subjects.some((s) => s.kind === 'child' && s.presentDuringIncident === true),
    dashYesCount: counted ?? stated,
  });
}

/**
 * Consent must be answered on the record: Blackburn's audit found 60% of referrals without it,
 * because the system let staff finalise without the question (docs/sources.md L536-544). No answer, no contact.
 */
function consent(r: NativeReader): Consent | undefined {
  if (!r.object('/consent')) {
    return r.fail(
      '/consent',
      'consent-required',
      'the consent question is unanswered: say whether consent to share was sought and given, or why not and on what lawful basis',
    );
  }
  const asked = r.code('/consent/asked', { YES: true, NO: false }, { required: true });
  if (asked === undefined) return undefined;
  const given = asked ? r.code('/consent/outcome', { GIVEN: true, REFUSED: false }, { required: true }) : false;
  if (given === undefined) return undefined;
  if (given) return { status: 'given' };
  // Refused, or not sought: sharing then needs a reason and a lawful basis, recorded case by case.
  const reason = r.field('/consent/reason', 'consentReason', { required: true });
  const lawfulBasis = r.code('/consent/lawfulBasis', LAWFUL_BASIS, { required: true });
  if (reason === undefined || lawfulBasis === undefined) return undefined;
  return { status: asked ? 'refused' : 'not-sought', reason, lawfulBasis };
}
