import { loadCodeMap } from '@mash/policy';
import type { Consent, Contact, ContactSubject, LawfulBasis, PresentingIssue } from '@mash/contracts';
import { compact, NativeReader, readHousehold, Translation } from '@mash/adapter-kit';

export type { Translation } from '@mash/adapter-kit';

/**
 * A school safeguarding record as CPOMS, MyConcern, Record Manager or Safeguard My School export
 * it. None publishes an export schema (docs/formats.md), so this is the adapter's shape for what they all
 * record: the pupil and linked siblings, the concern and its categories (up to three, school-defined),
 * narrative, actions, staff alerted, whether the DSL was informed, CP / early-help flags, consent.
 */
export interface SchoolSafeguardingRecord {
  system: 'CPOMS' | 'MyConcern' | 'RecordManager' | 'SafeguardMySchool';
  school: { urn: string; name: string; dsl: { name: string; email: string; phone?: string } };
  concern: {
    id: string;
    /** When it happened; may be earlier than recordedAt (backdated entries are normal). */
    occurredAt: string;
    recordedAt: string;
    recordedBy: { name: string; role?: string };
    categories: string[];
    narrative: string;
    voiceOfTheChild?: string;
    actions?: { at: string; by: string; action: string }[];
    staffAlerted?: string[];
    dslInformed: boolean;
    flags?: { childProtection?: boolean; earlyHelp?: boolean; immediateDanger?: boolean };
    bodyMap?: boolean;
    attachments?: number;
  };
  student: Pupil;
  linkedStudents?: (Pupil & { relationship?: string })[];
  contacts?: { forename?: string; surname?: string; relationship: string; parentalResponsibility?: boolean; livesWithStudent?: boolean }[];
  address?: { lines?: string[]; town?: string; postcode: string };
  consent?: { answer: 'Yes' | 'No' | 'Not asked'; reason?: string; lawfulBasis?: string };
}
export interface Pupil {
  upn?: string;
  /** CBDS UPNunknown reason, UN1-UN5, when the pupil has no UPN yet. */
  upnUnknown?: 'UN1' | 'UN2' | 'UN3' | 'UN4' | 'UN5';
  forename: string;
  surname: string;
  dob: string;
  gender?: 'M' | 'F' | 'U';
  yearGroup?: string;
}

/**
 * School-defined categories to CIN factor codes from the hub's code map (policies/codes), matched on the words.
 * Operation Encompass is the police telling the school of domestic abuse at the child's home: 3.
 * A category not listed still travels as 20 (other) with the school's label.
 */
export const CATEGORY_CODES: Record<string, string[]> = loadCodeMap().table('school-category');
const SCHOOL_CATEGORY = loadCodeMap().systemUri('school-category');

const words = (label: string) =>
  label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

const SEX: Record<string, NonNullable<ContactSubject['sex']>> = { M: 'male', F: 'female', U: 'unknown' };

type RelationshipType = NonNullable<NonNullable<Contact['household']>['relationships']>[number]['type'];
const CONTACT_RELATIONSHIP: Record<string, { role: NonNullable<ContactSubject['role']>; type: RelationshipType }> = {
  mother: { role: 'parent-carer', type: 'parent' },
  father: { role: 'parent-carer', type: 'parent' },
  parent: { role: 'parent-carer', type: 'parent' },
  'step mother': { role: 'parent-carer', type: 'step-parent' },
  'step father': { role: 'parent-carer', type: 'step-parent' },
  stepmother: { role: 'parent-carer', type: 'step-parent' },
  stepfather: { role: 'parent-carer', type: 'step-parent' },
  grandmother: { role: 'household-member', type: 'grandparent' },
  grandfather: { role: 'household-member', type: 'grandparent' },
  carer: { role: 'parent-carer', type: 'carer' },
  'foster carer': { role: 'parent-carer', type: 'carer' },
};

const CONSENT_ANSWER = { Yes: 'given', No: 'refused', 'Not asked': 'not-sought' } as const;
const LAWFUL_BASIS: Record<string, LawfulBasis> = {
  'Section 47': 'section-47',
  'Section 17': 'section-17',
  'Risk of significant harm': 'risk-of-significant-harm',
  'Statutory duty': 'statutory-function',
};

/** NC year as the census codes it (N1, N2, R, 1-14), from how school systems print it ("Year 3", "Y3", "Reception"). */
export function yearGroupCode(printed: string): string | undefined {
  const w = printed.trim().toUpperCase().replace(/\s+/g, ' ');
  if (w === 'R' || w === 'YR' || w === 'RECEPTION') return 'R';
  const nursery = /^(?:N|NURSERY ?)([12])$/.exec(w);
  if (nursery) return `N${nursery[1]}`;
  const year = /^(?:Y|YEAR ?)?(\d{1,2})$/.exec(w);
  if (year && Number(year[1]) >= 1 && Number(year[1]) <= 14) return String(Number(year[1]));
  return undefined;
}

/** A school safeguarding record to the canonical contact. */
export function toContact(native: unknown): Translation {
  const r = new NativeReader(native);
  if (r.object('', { required: true }) === undefined) return { ok: false, errors: r.errors };

  const urn = r.string('/school/urn', { required: true });
  const system = r.string('/system', { required: true });
  const concernId = r.string('/concern/id', { required: true });
  // One school's CPOMS numbers concerns from 1 like every other school's: the URN makes them unique.
  const agencyReference =
    urn && system && concernId ? r.conforms('/concern/id', `${urn}:${system}-${concernId}`, 'agencyReference') : undefined;
  const occurredAt = r.field('/concern/occurredAt', 'dateTime', { required: true });
  const recordedAt = r.field('/concern/recordedAt', 'dateTime', { required: true });
  if (occurredAt && recordedAt && Date.parse(occurredAt) > Date.parse(recordedAt)) {
    r.fail('/concern/occurredAt', 'after-recorded', 'is later than the time the concern was recorded');
  }
  const schoolName = r.field('/school/name', 'school', { required: true });

  const subjects: ContactSubject[] = [];
  const relationships: NonNullable<NonNullable<Contact['household']>['relationships']> = [];
  subjects.push({ ...pupil(r, '/student', 'pupil-1', schoolName), role: 'subject' });
  r.array('/linkedStudents').forEach((_, i) => {
    const p = pupil(r, `/linkedStudents/${i}`, `pupil-${i + 2}`, schoolName);
    subjects.push({ ...p, role: 'sibling' });
    relationships.push({ from: p.subjectRef, to: 'pupil-1', type: 'sibling' });
  });
  r.array('/contacts').forEach((_, i) => {
    const at = `/contacts/${i}`;
    const said = r.string(`${at}/relationship`, { required: true });
    const link = CONTACT_RELATIONSHIP[words(said ?? '')] ?? { role: 'household-member' as const, type: 'other' as const };
    const ref = `contact-${i + 1}`;
    subjects.push(
      compact({
        subjectRef: ref,
        kind: 'adult' as const,
        role: link.role,
        givenName: r.field(`${at}/forename`, 'givenName'),
        familyName: r.field(`${at}/surname`, 'familyName'),
        residentAtAddress: r.boolean(`${at}/livesWithStudent`),
      }),
    );
    relationships.push({ from: ref, to: 'pupil-1', type: link.type });
  });
  if (subjects.length > 30) r.fail('/linkedStudents', 'maxItems', 'a contact can name at most 30 people');

  const flags = { cp: r.boolean('/concern/flags/childProtection'), danger: r.boolean('/concern/flags/immediateDanger') };
  r.boolean('/concern/flags/earlyHelp');

  const contact: Contact = compact({
    agencyReference: agencyReference!,
    referrer: compact({
      name: r.field('/school/dsl/name', 'referrerName', { required: true }),
      role: 'Designated Safeguarding Lead',
      organisation: schoolName === undefined ? undefined : r.conforms('/school/name', schoolName, 'organisation'),
      phone: r.field('/school/dsl/phone', 'phone'),
      source: '2A' as const,
      // Keeping Children Safe in Education: the DSL must hear the outcome, and chase it if it does not come.
      channel: { kind: 'email' as const, address: r.field('/school/dsl/email', 'email', { required: true })! },
    }),
    subjects,
    household: readHousehold(r, relationships),
    presentingIssues: categories(r),
    narrative: narrative(r),
    incident: occurredAt ? { occurredAt } : undefined,
    consent: consent(r)!,
    urgency: flags.danger ? 'immediate' : flags.cp ? 'same-day' : 'routine',
  });
  return r.finish(contact);
}

function pupil(r: NativeReader, at: string, ref: string, school: string | undefined): ContactSubject {
  const upn = r.string(`${at}/upn`);
  const unknown = r.code(`${at}/upnUnknown`, { UN1: true, UN2: true, UN3: true, UN4: true, UN5: true });
  if (upn && unknown) r.fail(`${at}/upnUnknown`, 'conflict', 'a pupil with a UPN cannot also have a UPNunknown reason');
  const year = r.string(`${at}/yearGroup`);
  const yearGroup = year === undefined ? undefined : yearGroupCode(year);
  if (year !== undefined && yearGroup === undefined)
    r.fail(`${at}/yearGroup`, 'year-group', 'must be a national curriculum year (N1, N2, Reception, Year 1-14)');
  return compact({
    subjectRef: ref,
    kind: 'child' as const,
    givenName: r.field(`${at}/forename`, 'givenName', { required: true }),
    familyName: r.field(`${at}/surname`, 'familyName', { required: true }),
    dateOfBirth: r.field(`${at}/dob`, 'date', { required: true }),
    sex: r.code(`${at}/gender`, SEX),
    // Case is how it was typed, not part of the number; the check letter still guards against typos.
    identifiers: upn ? { upn: r.conforms(`${at}/upn`, upn.toUpperCase(), 'upn')! } : undefined,
    school,
    yearGroup,
  });
}

function categories(r: NativeReader): PresentingIssue[] {
  const list = r.array('/concern/categories', { required: true });
  if (list.length === 0 && r.has('/concern/categories')) r.fail('/concern/categories', 'minItems', 'must name at least one category');
  if (list.length > 3) r.fail('/concern/categories', 'maxItems', 'school systems record at most three categories');
  const out: PresentingIssue[] = [];
  list.forEach((_, i) => {
    const label = r.field(`/concern/categories/${i}`, 'label', { required: true });
    if (label === undefined) return;
    const known = Object.prototype.hasOwnProperty.call(CATEGORY_CODES, words(label));
    for (const code of known ? CATEGORY_CODES[words(label)] : ['20']) {
      // An unknown category keeps the school's own words as its code, so the hub shows it and counts it as unmapped.
      if (!out.some((o) => o.code === code && o.label === label))
        out.push(known ? { code, label } : { code, label, coding: { system: SCHOOL_CATEGORY, code: label } });
    }
  });
  return out;
}

/** The school's account, with what the hub needs to know it was acted on: voice of the child, actions, who knows. */
function narrative(r: NativeReader): string {
  const parts: string[] = [];
  const main = r.string('/concern/narrative', { required: true });
  if (main) parts.push(main);
  const voice = r.string('/concern/voiceOfTheChild');
  if (voice) parts.push(`Voice of the child: ${voice}`);
  const actions = r.array('/concern/actions').map((_, i) => {
    const at = `/concern/actions/${i}`;
    const when = r.field(`${at}/at`, 'dateTime', { required: true });
    return `- ${when ? when.slice(0, 16).replace('T', ' ') : ''} ${r.string(`${at}/by`, { required: true }) ?? ''}: ${r.string(`${at}/action`, { required: true }) ?? ''}`;
  });
  if (actions.length) parts.push(`Actions taken:\n${actions.join('\n')}`);
  const alerted = r
    .array('/concern/staffAlerted')
    .map((_, i) => r.string(`/concern/staffAlerted/${i}`))
    .filter(Boolean);
  if (alerted.length) parts.push(`Staff alerted: ${alerted.join(', ')}.`);
  const dsl = r.boolean('/concern/dslInformed', { required: true });
  // Anyone in a school may refer (KCSIE); the hub should still know when the DSL had not been told.
  if (dsl === false) parts.push('The designated safeguarding lead had not been informed when this was sent.');
  if (r.boolean('/concern/bodyMap') || (r.integer('/concern/attachments') ?? 0) > 0)
    parts.push('A body map or attachments are held on the school record.');
  if (!main) return '';
  return r.conforms('/concern/narrative', parts.join('\n\n'), 'narrative') ?? '';
}

/** No consent answer, no contact: the Blackburn audit's finding (docs/sources.md L536-544), enforced at the source. */
function consent(r: NativeReader): Consent | undefined {
  if (!r.object('/consent')) {
    return r.fail(
      '/consent',
      'consent-required',
      'the consent question is unanswered: record Yes, No or Not asked (with the reason and lawful basis)',
    );
  }
  const status = r.code('/consent/answer', CONSENT_ANSWER, { required: true });
  if (status === undefined) return undefined;
  if (status === 'given') return { status };
  const reason = r.field('/consent/reason', 'consentReason', { required: true });
  const lawfulBasis = r.code('/consent/lawfulBasis', LAWFUL_BASIS, { required: true });
  if (reason === undefined || lawfulBasis === undefined) return undefined;
  return { status, reason, lawfulBasis };
}
