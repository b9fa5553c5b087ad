import type { Consent, Contact, ContactSubject, LawfulBasis, PresentingIssue, ReferralSource } from '@mash/contracts';
import { ageOn, compact, NativeReader, Translation } from '@mash/adapter-kit';
import { CodeMap, loadCodeMap } from '@mash/policy';
import { structuralErrors } from './fhirStructure';

export type { Translation } from '@mash/adapter-kit';

/**
 * A safeguarding referral from a health system as an HL7 FHIR R4 Bundle of type "message", built on
 * UK Core profiles. No national safeguarding-referral profile is published, so besides what NHS
 * systems already send (the NHS Booking and Referral Standard's message event, standard Consent,
 * Condition, Observation and Flag resources with SNOMED CT codes) the hub publishes a few small
 * definitions of its own below for what FHIR has no standard place for.
 */
export const MASH_FHIR = 'https://mash-hub.example.org/fhir';
export const FHIR = {
  messageEvent: `${MASH_FHIR}/CodeSystem/message-event`,
  referralEvent: 'safeguarding-referral',
  /** NHS Booking and Referral Standard (BaRS): what NHS systems already send for a referral. */
  nhsMessageEvent: 'https://fhir.nhs.uk/CodeSystem/message-events-bars',
  nhsReferralEvent: 'servicerequest-request',
  consentScope: 'http://terminology.hl7.org/CodeSystem/consentscope',
  /** The lawful basis for sharing without consent, on a Consent that denies (policyRule). */
  lawfulBasis: `${MASH_FHIR}/CodeSystem/lawful-basis`,
  consentExtension: `${MASH_FHIR}/StructureDefinition/consent-to-share`,
  noticeEndpointExtension: `${MASH_FHIR}/StructureDefinition/outcome-notice-endpoint`,
  /** CIN census assessment factor codes, carried as a coding so the referrer's choice survives unchanged. */
  cinFactor: `${MASH_FHIR}/CodeSystem/cin-assessment-factor`,
  referrerRole: `${MASH_FHIR}/CodeSystem/referrer-role`,
  nhsNumber: 'https://fhir.nhs.uk/Id/nhs-number',
  ods: 'https://fhir.nhs.uk/Id/ods-organization-code',
  roleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  snomed: 'http://snomed.info/sct',
  /** SNOMED CT "Child protection finding": the CP-IS flag. */
  cpisFinding: '224353004',
} as const;

/** Who in health referred, as a CIN census ReferralSource. Anyone else in health is 3F (other health). */
export const REFERRER_SOURCE: Record<string, ReferralSource> = {
  'general-practitioner': '3A',
  'health-visitor': '3B',
  'school-nurse': '3C',
  'primary-care': '3D',
  'emergency-department': '3E',
  midwife: '3F',
  paediatrician: '3F',
  'mental-health': '3F',
  other: '3F',
};

/** FHIR request priority to the referrer's urgency: asap and stat both mean "now". */
const URGENCY: Record<string, Contact['urgency']> = { routine: 'routine', urgent: 'same-day', asap: 'immediate', stat: 'immediate' };

/** UK Core maps administrative gender "other" to the NHS Data Dictionary's 9, indeterminate. */
const SEX: Record<string, NonNullable<ContactSubject['sex']>> = {
  male: 'male',
  female: 'female',
  other: 'indeterminate',
  unknown: 'unknown',
};

type RelationshipType = NonNullable<NonNullable<Contact['household']>['relationships']>[number]['type'];
/** HL7 v3 RoleCode: what the related person is to the patient. */
const RELATED: Record<string, { role: NonNullable<ContactSubject['role']>; type: RelationshipType }> = {
  MTH: { role: 'parent-carer', type: 'parent' },
  FTH: { role: 'parent-carer', type: 'parent' },
  PRN: { role: 'parent-carer', type: 'parent' },
  NMTH: { role: 'parent-carer', type: 'parent' },
  NFTH: { role: 'parent-carer', type: 'parent' },
  STPMTH: { role: 'parent-carer', type: 'step-parent' },
  STPFTH: { role: 'parent-carer', type: 'step-parent' },
  STPPRN: { role: 'parent-carer', type: 'step-parent' },
  GRMTH: { role: 'household-member', type: 'grandparent' },
  GRFTH: { role: 'household-member', type: 'grandparent' },
  GRPRN: { role: 'household-member', type: 'grandparent' },
  SIB: { role: 'sibling', type: 'sibling' },
  BRO: { role: 'sibling', type: 'sibling' },
  SIS: { role: 'sibling', type: 'sibling' },
  HSIB: { role: 'sibling', type: 'sibling' },
  GUARD: { role: 'parent-carer', type: 'carer' },
  FSTPRN: { role: 'parent-carer', type: 'carer' },
};

const ACCEPTED_EVENTS = [`${FHIR.messageEvent}|${FHIR.referralEvent}`, `${FHIR.nhsMessageEvent}|${FHIR.nhsReferralEvent}`];

const CONSENT_STATUS = { given: 'given', refused: 'refused', 'not-sought': 'not-sought' } as const;
const LAWFUL_BASIS: Record<LawfulBasis, LawfulBasis> = {
  consent: 'consent',
  'section-47': 'section-47',
  'section-17': 'section-17',
  'risk-of-significant-harm': 'risk-of-significant-harm',
  'statutory-function': 'statutory-function',
  'crime-prevention': 'crime-prevention',
};

/** The bundle's entries by every name a reference may use: fullUrl, or ResourceType/id. */
class Entries {
  private readonly byRef = new Map<string, number>();
  constructor(private readonly r: NativeReader) {
    r.array('/entry').forEach((_, i) => {
      const fullUrl = r.get(`/entry/${i}/fullUrl`);
      const type = r.get(`/entry/${i}/resource/resourceType`);
      const id = r.get(`/entry/${i}/resource/id`);
      if (typeof fullUrl === 'string') this.byRef.set(fullUrl, i);
      if (typeof type === 'string' && typeof id === 'string') this.byRef.set(`${type}/${id}`, i);
    });
  }
  /** The path of the resource a reference at `path` points to, if it is in the bundle and of an expected type. */
  resolve(path: string, types: string[], opts: { required?: boolean } = {}): string | undefined {
    const ref = this.r.string(`${path}/reference`, opts);
    if (ref === undefined) return undefined;
    const i = this.byRef.get(ref);
    const at = `/entry/${i}/resource`;
    if (i === undefined || !types.includes(String(this.r.get(`${at}/resourceType`)))) {
      return this.r.fail(`${path}/reference`, 'reference', `must point to a ${types.join(' or ')} in this bundle`);
    }
    return at;
  }
  ofType(type: string): string[] {
    return this.r
      .array('/entry')
      .map((_, i) => `/entry/${i}/resource`)
      .filter((at) => this.r.get(`${at}/resourceType`) === type);
  }
}

/** The index of the extension (or coding, identifier...) in the list at `path` whose `key` equals `value`. */
function find(r: NativeReader, path: string, key: string, value: string): string | undefined {
  const i = r.array(path).findIndex((_, j) => r.get(`${path}/${j}/${key}`) === value);
  return i < 0 ? undefined : `${path}/${i}`;
}

/** A FHIR Bundle (type message) carrying a safeguarding concern, to the canonical contact. */
export function toContact(native: unknown): Translation {
  const r = new NativeReader(native);
  if (r.object('', { required: true }) === undefined) return { ok: false, errors: r.errors };
  if (r.get('/resourceType') !== 'Bundle')
    return { ok: false, errors: [{ path: '/resourceType', rule: 'const', message: 'must be Bundle' }] };
  if (r.get('/type') !== 'message') r.fail('/type', 'const', 'must be message: a referral arrives as a FHIR message');

  const header = '/entry/0/resource';
  if (r.get(`${header}/resourceType`) !== 'MessageHeader') {
    return {
      ok: false,
      errors: [
        ...r.errors,
        { path: `${header}/resourceType`, rule: 'const', message: 'the first entry of a FHIR message must be its MessageHeader' },
      ],
    };
  }
  if (r.errors.length === 0) {
    const structure = structuralErrors(native);
    if (structure.length) return { ok: false, errors: structure };
  }
  const event = `${r.get(`${header}/eventCoding/system`)}|${r.get(`${header}/eventCoding/code`)}`;
  if (!ACCEPTED_EVENTS.includes(event)) r.fail(`${header}/eventCoding`, 'event', `must be one of ${ACCEPTED_EVENTS.join(', ')}`);
  const entries = new Entries(r);
  const codes = loadCodeMap();
  const senderOds = r.field(`${header}/sender/identifier/value`, 'odsCode', { required: true });
  const focus = entries.resolve(`${header}/focus/0`, ['ServiceRequest', 'Communication'], { required: true });
  if (!focus) return { ok: false, errors: r.errors };
  const isRequest = r.get(`${focus}/resourceType`) === 'ServiceRequest';

  // Only a live request is a referral: a draft, revoked or entered-in-error one must not open a case.
  const status = r.string(`${focus}/status`, { required: true });
  const live = isRequest ? 'active' : 'completed';
  if (status !== undefined && status !== live) r.fail(`${focus}/status`, 'status', `must be ${live} for a referral`);

  // Two trusts can both number a referral 42: the sender's ODS code makes the reference the sender's own.
  const localId = r.string(`${focus}/identifier/0/value`, { required: true });
  const agencyReference =
    senderOds && localId ? r.conforms(`${focus}/identifier/0/value`, `${senderOds}:${localId}`, 'agencyReference') : undefined;
  const authored = r.field(isRequest ? `${focus}/authoredOn` : `${focus}/sent`, 'dateTime', { required: true });

  const patient = entries.resolve(`${focus}/subject`, ['Patient'], { required: true });
  const subjects: ContactSubject[] = [];
  const relationships: NonNullable<NonNullable<Contact['household']>['relationships']> = [];
  let address: NonNullable<Contact['household']>['address'];
  if (patient) {
    const child = person(r, patient, 'patient', authored, 'child');
    subjects.push({ ...child, role: 'subject', gpPractice: r.field(`${patient}/generalPractitioner/0/display`, 'gpPractice') });
    address = postalAddress(r, `${patient}/address/0`);
    for (const related of entries.ofType('RelatedPerson')) {
      if (entries.resolve(`${related}/patient`, ['Patient']) !== patient) continue;
      const code = r.string(
        `${find(r, `${related}/relationship/0/coding`, 'system', FHIR.roleCode) ?? `${related}/relationship/0/coding/0`}/code`,
      );
      const link = RELATED[code ?? ''] ?? { role: 'household-member' as const, type: 'other' as const };
      const p = person(r, related, `related-${subjects.length}`, authored, link.type === 'sibling' ? 'child' : 'adult');
      subjects.push({ ...p, role: link.role });
      relationships.push({ from: p.subjectRef, to: child.subjectRef, type: link.type });
    }
  }

  const findings = clinicalFindings(r, entries, patient, codes);
  const narrative = [
    ...(isRequest
      ? r.array(`${focus}/note`).map((_, i) => r.string(`${focus}/note/${i}/text`))
      : r.array(`${focus}/payload`).map((_, i) => r.string(`${focus}/payload/${i}/contentString`))),
    ...cpisFlags(r, entries, patient),
    ...findings.words,
  ].filter((t): t is string => !!t);
  if (narrative.length === 0) r.fail(isRequest ? `${focus}/note` : `${focus}/payload`, 'required', 'must say what the concern is');

  const contact: Contact = compact({
    agencyReference: agencyReference!,
    referrer: referrer(r, entries, focus, isRequest, header, senderOds),
    subjects,
    household:
      address || relationships.length ? compact({ address, relationships: relationships.length ? relationships : undefined }) : undefined,
    presentingIssues: presentingIssues(r, focus, codes, findings.issues),
    narrative: narrative.length ? r.conforms(isRequest ? `${focus}/note` : `${focus}/payload`, narrative.join('\n\n'), 'narrative')! : '',
    urgency: r.code(`${focus}/priority`, URGENCY) ?? 'routine',
    consent: consent(r, entries, focus, patient)!,
  });
  return r.finish(contact);
}

/** A Patient or RelatedPerson; `usually` is its kind when no birth date says otherwise. */
function person(r: NativeReader, at: string, fallbackRef: string, on: string | undefined, usually: 'child' | 'adult'): ContactSubject {
  const id = r.string(`${at}/id`);
  const birthDate = r.field(`${at}/birthDate`, 'date');
  const age = birthDate && on ? ageOn(birthDate, on) : undefined;
  const nhsAt = find(r, `${at}/identifier`, 'system', FHIR.nhsNumber);
  const nhs = nhsAt ? r.string(`${nhsAt}/value`, { required: true }) : undefined;
  const nameAt = find(r, `${at}/name`, 'use', 'official') ?? `${at}/name/0`;
  const given = r
    .array(`${nameAt}/given`)
    .map((_, i) => r.string(`${nameAt}/given/${i}`))
    .filter(Boolean)
    .join(' ');
  return compact({
    subjectRef: id ? r.conforms(`${at}/id`, id, 'subjectRef')! : fallbackRef,
    kind: age === undefined ? usually : age < 18 ? ('child' as const) : ('adult' as const),
    givenName: given ? r.conforms(`${nameAt}/given`, given, 'givenName') : undefined,
    familyName: r.field(`${nameAt}/family`, 'familyName'),
    dateOfBirth: birthDate,
    sex: r.code(`${at}/gender`, SEX),
    identifiers: nhs ? { nhsNumber: r.conforms(`${nhsAt}/value`, nhs.replace(/\s+/g, ''), 'nhsNumber')! } : undefined,
  });
}

function postalAddress(r: NativeReader, at: string): NonNullable<Contact['household']>['address'] {
  if (!r.object(at)) return undefined;
  const lines = r.array(`${at}/line`);
  if (lines.length > 5) r.fail(`${at}/line`, 'maxItems', 'must have at most 5 lines');
  return compact({
    lines: lines.length ? lines.map((_, i) => r.field(`${at}/line/${i}`, 'addressLine', { required: true })!) : undefined,
    town: r.field(`${at}/city`, 'town'),
    postcode: r.field(`${at}/postalCode`, 'postcode', { required: true })!,
  });
}

function referrer(
  r: NativeReader,
  entries: Entries,
  focus: string,
  isRequest: boolean,
  header: string,
  senderOds: string | undefined,
): Contact['referrer'] {
  const by = entries.resolve(isRequest ? `${focus}/requester` : `${focus}/sender`, ['PractitionerRole', 'Practitioner'], {
    required: true,
  });
  const role = by && r.get(`${by}/resourceType`) === 'PractitionerRole' ? by : undefined;
  const practitioner = role ? entries.resolve(`${role}/practitioner`, ['Practitioner']) : by;
  const organisation = role ? entries.resolve(`${role}/organization`, ['Organization']) : undefined;

  const nameAt = practitioner ? `${practitioner}/name/0` : undefined;
  const name = nameAt
    ? [
        r.string(`${nameAt}/prefix/0`),
        ...r.array(`${nameAt}/given`).map((_, i) => r.string(`${nameAt}/given/${i}`)),
        r.string(`${nameAt}/family`),
      ]
        .filter(Boolean)
        .join(' ')
    : undefined;
  const roleCoding = role ? find(r, `${role}/code/0/coding`, 'system', FHIR.referrerRole) : undefined;
  const roleCode = roleCoding ? r.code(`${roleCoding}/code`, REFERRER_SOURCE) : undefined;
  const phoneAt = role ? find(r, `${role}/telecom`, 'system', 'phone') : undefined;
  const odsAt = organisation ? find(r, `${organisation}/identifier`, 'system', FHIR.ods) : undefined;
  const webhookAt = find(r, `${header}/extension`, 'url', FHIR.noticeEndpointExtension);
  const webhook = webhookAt ? r.field(`${webhookAt}/valueUrl`, 'webhookUrl', { required: true }) : undefined;

  return compact({
    name: name ? r.conforms(`${nameAt}`, name, 'referrerName') : undefined,
    role: role
      ? (r.field(`${role}/code/0/text`, 'referrerRole') ?? (roleCoding ? r.field(`${roleCoding}/display`, 'referrerRole') : undefined))
      : undefined,
    organisation: organisation ? r.field(`${organisation}/name`, 'organisation') : undefined,
    odsCode: (odsAt ? r.field(`${odsAt}/value`, 'odsCode') : undefined) ?? senderOds,
    phone: phoneAt ? r.field(`${phoneAt}/value`, 'phone') : undefined,
    source: roleCode ?? '3F',
    // A health system that can take outcome notices over HTTPS says where; otherwise they go to the health topic.
    channel: webhook ? { kind: 'webhook' as const, url: webhook } : { kind: 'topic' as const },
  });
}

/** The request's reasons and the bundle's findings, once each: the same concern coded twice is one issue. */
function presentingIssues(r: NativeReader, focus: string, codes: CodeMap, findings: PresentingIssue[]): PresentingIssue[] {
  const all = [...reasons(r, focus, codes, findings.length === 0), ...findings];
  const seen = new Set<string>();
  return all.filter((i) => {
    const key = `${i.code}|${i.label ?? ''}|${i.coding?.system ?? ''}|${i.coding?.code ?? ''}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/**
 * A coded concern as presenting issues: a mapped code counts as its canonical issues and keeps the
 * sender's coding; an unmapped one travels as 20 (other) with its words and coding, so the decision
 * maker reads it and the rating says it went uncounted.
 */
function codedIssues(r: NativeReader, at: string, codes: CodeMap): PresentingIssue[] | undefined {
  const codingAt = find(r, `${at}/coding`, 'system', FHIR.snomed) ?? (r.array(`${at}/coding`).length ? `${at}/coding/0` : undefined);
  const text = r.string(`${at}/text`);
  const system = codingAt ? r.string(`${codingAt}/system`) : undefined;
  const code = codingAt ? r.string(`${codingAt}/code`) : undefined;
  const display = codingAt ? r.string(`${codingAt}/display`) : undefined;
  const label = display ?? text;
  if (label === undefined && code === undefined) return undefined;
  const coding =
    system && code
      ? compact({ system, code, display: display === undefined ? undefined : r.conforms(`${codingAt}/display`, display, 'label') })
      : undefined;
  const shown = label === undefined ? undefined : r.conforms(display === undefined ? `${at}/text` : `${codingAt}/display`, label, 'label');
  const reading = system && code ? codes.read(system, code) : { mapped: false as const };
  const issueCodes = reading.mapped ? reading.issues : ['20'];
  return issueCodes.map((c) => compact({ code: c, label: shown ?? (reading.mapped ? reading.row.display : undefined), coding }));
}

function reasons(r: NativeReader, focus: string, codes: CodeMap, required: boolean): PresentingIssue[] {
  const list = r.array(`${focus}/reasonCode`, { required });
  const out: PresentingIssue[] = [];
  list.forEach((_, i) => {
    const at = `${focus}/reasonCode/${i}`;
    const text = r.string(`${at}/text`);
    const cin = find(r, `${at}/coding`, 'system', FHIR.cinFactor);
    if (cin) {
      const code = r.field(`${cin}/code`, 'issueCode', { required: true });
      const label = r.field(`${cin}/display`, 'label') ?? (text === undefined ? undefined : r.conforms(`${at}/text`, text, 'label'));
      if (code) out.push(compact({ code, label }));
      return;
    }
    // SNOMED CT through the code map; any other coding travels as 20 (other) with its words, so the concern is not lost.
    const coded = codedIssues(r, at, codes);
    if (coded === undefined)
      return void r.fail(at, 'required', 'must have a CIN factor coding, a SNOMED CT coding, or text saying what the concern is');
    out.push(...coded);
  });
  return out;
}

/** What the clinician recorded about the child beside the request: Condition, Observation and (non CP-IS) Flag. */
const FINDINGS = {
  // A refuted or mistaken diagnosis, or one long resolved, is not today's concern.
  Condition: {
    live: (r: NativeReader, at: string) =>
      !['refuted', 'entered-in-error'].includes(String(r.get(`${at}/verificationStatus/coding/0/code`))) &&
      !['resolved', 'inactive', 'remission'].includes(String(r.get(`${at}/clinicalStatus/coding/0/code`))),
    notes: 'note',
  },
  Observation: {
    live: (r: NativeReader, at: string) => !['cancelled', 'entered-in-error'].includes(String(r.get(`${at}/status`))),
    notes: 'note',
  },
  Flag: { live: (r: NativeReader, at: string) => r.get(`${at}/status`) === 'active', notes: undefined },
} as const;

function clinicalFindings(
  r: NativeReader,
  entries: Entries,
  patient: string | undefined,
  codes: CodeMap,
): { issues: PresentingIssue[]; words: string[] } {
  const issues: PresentingIssue[] = [];
  const words: string[] = [];
  if (!patient) return { issues, words };
  for (const [type, how] of Object.entries(FINDINGS)) {
    for (const at of entries.ofType(type)) {
      if (entries.resolve(`${at}/subject`, ['Patient']) !== patient || !how.live(r, at)) continue;
      const isCpis = r
        .array(`${at}/code/coding`)
        .some(
          (_, i) => r.get(`${at}/code/coding/${i}/system`) === FHIR.snomed && r.get(`${at}/code/coding/${i}/code`) === FHIR.cpisFinding,
        );
      if (isCpis) continue; // history, told in words by cpisFlags
      const coded = codedIssues(r, `${at}/code`, codes);
      if (coded) issues.push(...coded);
      const text = r.string(`${at}/code/text`) ?? r.string(`${at}/code/coding/0/display`);
      const notes = how.notes ? r.array(`${at}/${how.notes}`).map((_, i) => r.string(`${at}/${how.notes}/${i}/text`)) : [];
      const value = type === 'Observation' ? r.string(`${at}/valueString`) : undefined;
      const said = [text, value, ...notes].filter((t): t is string => !!t);
      if (said.length) words.push(`${type}: ${said.join('. ')}`);
    }
  }
  return { issues, words };
}

/** A CP-IS flag in the bundle is health's own history of the child, shared by the referrer: say so in words. */
function cpisFlags(r: NativeReader, entries: Entries, patient: string | undefined): string[] {
  return entries.ofType('Flag').flatMap((flag) => {
    const isCpis = r
      .array(`${flag}/code/coding`)
      .some(
        (_, i) => r.get(`${flag}/code/coding/${i}/system`) === FHIR.snomed && r.get(`${flag}/code/coding/${i}/code`) === FHIR.cpisFinding,
      );
    if (!isCpis || r.get(`${flag}/status`) !== 'active' || entries.resolve(`${flag}/subject`, ['Patient']) !== patient) return [];
    const start = r.string(`${flag}/period/start`);
    return [
      `CP-IS: the child is flagged as subject to a child protection plan or looked after${start ? ` since ${start.slice(0, 10)}` : ''}.`,
    ];
  });
}

/**
 * The consent answer: a standard FHIR Consent about the child (scope patient-privacy, active,
 * permit or deny), or the hub's consent-to-share extension on the request. A refusal is an answer:
 * the contact goes ahead and the refusal limits what is shared. Only a missing answer is refused:
 * Blackburn's audit found 60% of referrals without one because the system allowed it (docs/sources.md L536-544).
 */
function consent(r: NativeReader, entries: Entries, focus: string, patient: string | undefined): Consent | undefined {
  const fromResource = consentResource(r, entries, patient);
  const ext = find(r, `${focus}/extension`, 'url', FHIR.consentExtension);
  if (fromResource === 'unanswered' && !ext) {
    return r.fail(
      `${focus}/extension`,
      'consent-required',
      `the consent question is unanswered: add an active Consent (scope patient-privacy) for the patient, or the ${FHIR.consentExtension} extension`,
    );
  }
  const fromExtension = ext ? consentExtension(r, ext) : undefined;
  if (fromResource === 'unanswered') return fromExtension;
  if (fromExtension && fromResource.consent && fromExtension.status !== fromResource.consent.status) {
    return r.fail(
      fromResource.at,
      'consent-conflict',
      `says ${fromResource.consent.status} but the consent-to-share extension says ${fromExtension.status}: send one answer`,
    );
  }
  return fromExtension ?? fromResource.consent;
}

/** The active patient-privacy Consent about this child, as the canonical consent. */
function consentResource(
  r: NativeReader,
  entries: Entries,
  patient: string | undefined,
): { at: string; consent: Consent | undefined } | 'unanswered' {
  const answers = entries.ofType('Consent').filter((at) => {
    const scope = find(r, `${at}/scope/coding`, 'system', FHIR.consentScope);
    // Consent to treatment or research is not consent to share with the MASH.
    return (
      scope !== undefined &&
      r.get(`${scope}/code`) === 'patient-privacy' &&
      r.get(`${at}/status`) === 'active' &&
      entries.resolve(`${at}/patient`, ['Patient']) === patient
    );
  });
  if (answers.length === 0) return 'unanswered';
  if (answers.length > 1) {
    r.fail(answers[1], 'consent-conflict', `is a second active consent for the patient (first at ${answers[0]}): send one answer`);
    return 'unanswered';
  }
  const at = answers[0];
  const type = r.code(`${at}/provision/type`, { permit: 'permit', deny: 'deny' } as const, { required: true });
  // No permit or deny: the error is recorded, and no answer is guessed.
  if (type === undefined) return { at, consent: undefined };
  if (type === 'permit') return { at, consent: { status: 'given' } };
  const ruleAt = find(r, `${at}/policyRule/coding`, 'system', FHIR.lawfulBasis);
  const stated = ruleAt ? r.code(`${ruleAt}/code`, LAWFUL_BASIS, { required: true }) : undefined;
  const words = r.string(`${at}/policyRule/text`);
  const when = r.string(`${at}/dateTime`);
  const reason = words
    ? r.conforms(`${at}/policyRule/text`, words, 'consentReason')
    : stated
      ? `Consent refused${when ? ` on ${when.slice(0, 10)}` : ''}; shared on the basis of ${stated}.`
      : `Consent refused${when ? ` on ${when.slice(0, 10)}` : ''}; the referrer stated no lawful basis for sharing without consent, so checks go only as far as the policy allows after a refusal.`;
  // With no basis stated, the authority's statutory functions are what the limited checks rest on (as triage reads it too).
  return {
    at,
    consent: {
      status: 'refused',
      reason: reason ?? '',
      lawfulBasis: stated === undefined || stated === 'consent' ? 'statutory-function' : stated,
    },
  };
}

function consentExtension(r: NativeReader, ext: string): Consent | undefined {
  const part = (name: string) => {
    const at = find(r, `${ext}/extension`, 'url', name);
    return at ?? r.fail(`${ext}/extension`, `${name}-required`, `must have a "${name}" part`);
  };
  const statusAt = part('status');
  const status = statusAt === undefined ? undefined : r.code(`${statusAt}/valueCode`, CONSENT_STATUS, { required: true });
  if (!status) return undefined;
  if (status === 'given') return { status };
  // Refused or not sought: sharing then needs a reason and a lawful basis, recorded case by case.
  const reasonAt = part('reason');
  const basisAt = part('lawfulBasis');
  const reason = reasonAt === undefined ? undefined : r.field(`${reasonAt}/valueString`, 'consentReason', { required: true });
  const lawfulBasis = basisAt === undefined ? undefined : r.code(`${basisAt}/valueCode`, LAWFUL_BASIS, { required: true });
  if (reason === undefined || lawfulBasis === undefined) return undefined;
  return { status, reason, lawfulBasis };
}
