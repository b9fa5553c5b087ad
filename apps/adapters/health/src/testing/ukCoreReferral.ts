import type {
  Bundle,
  BundleEntry,
  Condition,
  Consent,
  MessageHeader,
  Organization,
  Patient,
  Practitioner,
  PractitionerRole,
  RelatedPerson,
  Resource,
  ServiceRequest,
} from '@medplum/fhirtypes';
import { FHIR } from '../translate';

/**
 * A UK Core safeguarding referral as an NHS system writes it, built from the FHIR R4 types for tests
 * (not copied from the samples): a BaRS message header, the ServiceRequest, the Patient with an NHS
 * number, her mother, the GP, and whatever Consent and Condition resources a test asks for.
 */
export interface ReferralOptions {
  reference?: string;
  birthDate?: string;
  authoredOn?: string;
  /** 'permit' | 'deny', a whole Consent, or none at all. */
  consent?: 'permit' | 'deny' | Consent;
  /** SNOMED CT findings recorded as Conditions about the child, with a note. */
  findings?: { code: string; display: string; note?: string }[];
  reasonText?: string;
  event?: { system: string; code: string };
  postcode?: string;
}

const ukCore = (name: string) => ({ profile: [`https://fhir.hl7.org.uk/StructureDefinition/UKCore-${name}`] });

export function consentResource(type: 'permit' | 'deny', extra: Partial<Consent> = {}): Consent {
  return {
    resourceType: 'Consent',
    id: 'consent-1',
    meta: ukCore('Consent'),
    status: 'active',
    scope: { coding: [{ system: FHIR.consentScope, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient: { reference: 'Patient/child-1' },
    dateTime: '2026-11-28T09:30:00Z',
    provision: { type },
    ...extra,
  };
}

export function ukCoreReferral(o: ReferralOptions = {}): Bundle {
  const header: MessageHeader = {
    resourceType: 'MessageHeader',
    id: 'header-1',
    meta: ukCore('MessageHeader'),
    eventCoding: o.event ?? { system: FHIR.nhsMessageEvent, code: FHIR.nhsReferralEvent },
    sender: { identifier: { system: FHIR.ods, value: 'Y05555' } },
    source: { endpoint: 'https://gp.example.nhs.uk/fhir' },
    focus: [{ reference: 'ServiceRequest/sr-1' }],
  };
  const request: ServiceRequest = {
    resourceType: 'ServiceRequest',
    id: 'sr-1',
    meta: ukCore('ServiceRequest'),
    identifier: [{ system: 'https://gp.example.nhs.uk/referrals', value: o.reference ?? 'REF-1' }],
    status: 'active',
    intent: 'order',
    priority: 'urgent',
    subject: { reference: 'Patient/child-1' },
    requester: { reference: 'PractitionerRole/role-1' },
    authoredOn: o.authoredOn ?? '2026-11-28T10:00:00Z',
    note: [{ text: o.reasonText ?? 'Seen today with her mother; worried about what we found.' }],
  };
  const patient: Patient = {
    resourceType: 'Patient',
    id: 'child-1',
    meta: ukCore('Patient'),
    identifier: [{ system: FHIR.nhsNumber, value: '9434765919' }],
    name: [{ use: 'official', given: ['Ivy'], family: 'Testcase' }],
    gender: 'female',
    birthDate: o.birthDate ?? '2026-06-10',
    address: [{ line: ['3 Example Row'], city: 'Exampleton', postalCode: o.postcode ?? 'EX3 4CD' }],
  };
  const mother: RelatedPerson = {
    resourceType: 'RelatedPerson',
    id: 'mother-1',
    meta: ukCore('RelatedPerson'),
    patient: { reference: 'Patient/child-1' },
    relationship: [{ coding: [{ system: FHIR.roleCode, code: 'MTH' }] }],
    name: [{ given: ['Mae'], family: 'Testcase' }],
    birthDate: '1998-04-04',
  };
  const role: PractitionerRole = {
    resourceType: 'PractitionerRole',
    id: 'role-1',
    practitioner: { reference: 'Practitioner/gp-1' },
    organization: { reference: 'Organization/org-1' },
    code: [{ coding: [{ system: FHIR.referrerRole, code: 'general-practitioner' }], text: 'GP' }],
  };
  const gp: Practitioner = { resourceType: 'Practitioner', id: 'gp-1', name: [{ prefix: ['Dr'], given: ['Ana'], family: 'Lima' }] };
  const org: Organization = {
    resourceType: 'Organization',
    id: 'org-1',
    name: 'Example Surgery',
    identifier: [{ system: FHIR.ods, value: 'Y05555' }],
  };
  const findings: Condition[] = (o.findings ?? []).map((f, i) => ({
    resourceType: 'Condition',
    id: `finding-${i + 1}`,
    meta: ukCore('Condition'),
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
    code: { coding: [{ system: FHIR.snomed, code: f.code, display: f.display }], text: f.display },
    subject: { reference: 'Patient/child-1' },
    note: f.note ? [{ text: f.note }] : undefined,
  }));
  const consent = o.consent === undefined ? [] : [typeof o.consent === 'string' ? consentResource(o.consent) : o.consent];
  const resources: Resource[] = [header, request, patient, ...consent, ...findings, mother, role, gp, org];
  const entry: BundleEntry[] = resources.map((resource) => ({
    fullUrl: `https://gp.example.nhs.uk/fhir/${resource.resourceType}/${resource.id}`,
    resource,
  }));
  return { resourceType: 'Bundle', id: 'bundle-1', meta: ukCore('Bundle'), type: 'message', timestamp: '2026-11-28T10:00:05Z', entry };
}
