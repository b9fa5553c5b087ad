import type { Bundle, Consent, Flag, Observation, OperationOutcome } from '@medplum/fhirtypes';
import { validateContact } from '@mash/contracts';
import { capabilityStatement } from './capabilityStatement';
import { operationOutcome } from './operationOutcome';
import { consentResource, ukCoreReferral } from './testing/ukCoreReferral';
import { FHIR, toContact } from './translate';

const BRUISE = {
  code: '125667009',
  display: 'Contusion (disorder)',
  note: 'Two fingertip bruises on the left cheek; not yet rolling or crawling.',
};

const contactOf = (b: Bundle) => {
  const t = toContact(b);
  if (!t.ok) throw new Error(JSON.stringify(t.errors));
  expect(validateContact(t.contact).ok).toBe(true);
  return t.contact;
};
const errorsOf = (b: unknown) => {
  const t = toContact(b);
  if (t.ok) throw new Error('expected a refusal');
  return t.errors;
};

describe('health: UK Core message bundles as NHS systems send them', () => {
  it('accepts the NHS BaRS message event as well as the hub own', () => {
    expect(contactOf(ukCoreReferral({ consent: 'permit', findings: [BRUISE] })).agencyReference).toBe('Y05555:REF-1');
    const ours = ukCoreReferral({ consent: 'permit', findings: [BRUISE], event: { system: FHIR.messageEvent, code: FHIR.referralEvent } });
    expect(contactOf(ours).agencyReference).toBe('Y05555:REF-1');
  });

  it('refuses any other message event, naming both it accepts', () => {
    const errors = errorsOf(
      ukCoreReferral({ consent: 'permit', findings: [BRUISE], event: { system: FHIR.nhsMessageEvent, code: 'booking-request' } }),
    );
    expect(errors).toEqual([expect.objectContaining({ path: '/entry/0/resource/eventCoding', rule: 'event' })]);
    expect(errors[0].message).toContain('servicerequest-request');
    expect(errors[0].message).toContain('safeguarding-referral');
  });

  it('Consent permit is consent given', () => {
    expect(contactOf(ukCoreReferral({ consent: 'permit', findings: [BRUISE] })).consent).toEqual({ status: 'given' });
  });

  it('Consent deny is an answer: refused, on statutory functions when no lawful basis is stated', () => {
    const consent = contactOf(ukCoreReferral({ consent: 'deny', findings: [BRUISE] })).consent;
    expect(consent).toEqual({
      status: 'refused',
      lawfulBasis: 'statutory-function',
      reason: expect.stringMatching(/^Consent refused on 2026-11-28; the referrer stated no lawful basis/),
    });
  });

  it('Consent deny with the lawful basis for sharing without consent in policyRule keeps that basis and its words', () => {
    const deny = consentResource('deny', {
      policyRule: {
        coding: [{ system: FHIR.lawfulBasis, code: 'risk-of-significant-harm' }],
        text: 'Mother refused; sharing because the baby may be at risk of significant harm.',
      },
    });
    expect(contactOf(ukCoreReferral({ consent: deny, findings: [BRUISE] })).consent).toEqual({
      status: 'refused',
      lawfulBasis: 'risk-of-significant-harm',
      reason: 'Mother refused; sharing because the baby may be at risk of significant harm.',
    });
  });

  it.each<[string, Partial<Consent>, string[]]>([
    ['no Consent at all', {}, []],
    ['a Consent to treatment, not to share', { scope: { coding: [{ system: FHIR.consentScope, code: 'treatment' }] } }, []],
    ['a Consent still proposed', { status: 'proposed' }, []],
    [
      'a Consent about someone not in the bundle',
      { patient: { reference: 'Patient/someone-else' } },
      ['/entry/3/resource/patient/reference reference'],
    ],
  ])('refuses a bundle with no consent answer (%s), naming where the answer belongs', (label, change, also) => {
    const bundle = ukCoreReferral({
      consent: label === 'no Consent at all' ? undefined : consentResource('permit', change),
      findings: [BRUISE],
    });
    const errors = errorsOf(bundle).filter((e) => !also.includes(`${e.path} ${e.rule}`));
    expect(errorsOf(bundle)).toHaveLength(errors.length + also.length);
    expect(errors.map((e) => `${e.path} ${e.rule}`)).toEqual(['/entry/1/resource/extension consent-required']);
    const outcome = operationOutcome(422, 'refused', errors).body;
    expect(outcome.issue).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'required',
        expression: ['Bundle.entry[1].resource.extension'],
        details: expect.objectContaining({ text: expect.stringContaining('patient-privacy') }),
      }),
    ]);
  });

  it('refuses a Consent and a consent-to-share extension that disagree: one answer, not two', () => {
    const bundle = ukCoreReferral({ consent: 'deny', findings: [BRUISE] });
    const request = bundle.entry![1].resource as { extension?: unknown[] };
    request.extension = [{ url: FHIR.consentExtension, extension: [{ url: 'status', valueCode: 'given' }] }];
    expect(errorsOf(bundle).map((e) => `${e.path} ${e.rule}`)).toEqual(['/entry/3/resource consent-conflict']);
  });

  it('refuses a Consent that neither permits nor denies', () => {
    const consent = consentResource('permit');
    delete consent.provision;
    expect(errorsOf(ukCoreReferral({ consent, findings: [BRUISE] })).map((e) => `${e.path} ${e.rule}`)).toEqual([
      '/entry/3/resource/provision/type required',
    ]);
  });

  it('reads SNOMED CT findings as the canonical issue they map to, keeping the code and the clinician words', () => {
    const contact = contactOf(ukCoreReferral({ consent: 'permit', findings: [BRUISE] }));
    expect(contact.presentingIssues).toEqual([
      { code: '18C', label: 'Contusion (disorder)', coding: { system: FHIR.snomed, code: '125667009', display: 'Contusion (disorder)' } },
    ]);
    expect(contact.narrative).toContain('Condition: Contusion (disorder). Two fingertip bruises on the left cheek');
    expect(contact.subjects[0]).toMatchObject({ kind: 'child', dateOfBirth: '2026-06-10', identifiers: { nhsNumber: '9434765919' } });
  });

  it('keeps a SNOMED CT code with no mapping as 20 (other) with its words and code: never dropped', () => {
    const contact = contactOf(
      ukCoreReferral({ consent: 'permit', findings: [{ code: '22298006', display: 'Myocardial infarction (disorder)' }] }),
    );
    expect(contact.presentingIssues).toEqual([
      {
        code: '20',
        label: 'Myocardial infarction (disorder)',
        coding: { system: FHIR.snomed, code: '22298006', display: 'Myocardial infarction (disorder)' },
      },
    ]);
  });

  it('ignores a refuted or entered-in-error Condition', () => {
    const bundle = ukCoreReferral({ consent: 'permit', findings: [BRUISE, { code: '125605004', display: 'Fracture of bone (disorder)' }] });
    const fracture = bundle.entry!.find((e) => e.resource?.id === 'finding-2')!.resource as { verificationStatus: unknown };
    fracture.verificationStatus = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'refuted' }] };
    expect(contactOf(bundle).presentingIssues.map((i) => i.code)).toEqual(['18C']);
    expect(contactOf(bundle).narrative).not.toContain('Fracture');
  });

  it('reads Observation and active Flag resources about the child too, with their words; an inactive Flag is history, not a concern', () => {
    const bundle = ukCoreReferral({ consent: 'permit' });
    const observation: Observation = {
      resourceType: 'Observation',
      id: 'obs-1',
      status: 'final',
      code: { coding: [{ system: FHIR.snomed, code: '248062006', display: 'Self-injurious behavior (finding)' }] },
      subject: { reference: 'Patient/child-1' },
      valueString: 'Superficial cuts to both forearms, says she did it herself.',
    };
    const flag = (id: string, status: Flag['status']): Flag => ({
      resourceType: 'Flag',
      id,
      status,
      code: { coding: [{ system: FHIR.snomed, code: '82271004', display: 'Injury of head (disorder)' }] },
      subject: { reference: 'Patient/child-1' },
    });
    const burn = (id: string): Flag => ({
      ...flag(id, 'inactive'),
      code: { coding: [{ system: FHIR.snomed, code: '125666000', display: 'Burn (disorder)' }] },
    });
    for (const resource of [observation, flag('flag-1', 'active'), burn('flag-2')])
      bundle.entry!.push({ fullUrl: `https://gp.example.nhs.uk/fhir/${resource.resourceType}/${resource.id}`, resource });
    const contact = contactOf(bundle);
    expect(contact.presentingIssues.map((i) => [i.code, i.coding?.code])).toEqual([
      ['15A', '248062006'],
      ['18C', '82271004'],
    ]);
    expect(contact.narrative).toContain('Observation: Self-injurious behavior (finding). Superficial cuts to both forearms');
    expect(contact.narrative).toContain('Flag: Injury of head (disorder)');
    expect(contact.narrative).not.toContain('Burn');
  });

  it('refuses a referral with no concern at all: no reason code and no finding', () => {
    expect(errorsOf(ukCoreReferral({ consent: 'permit' })).map((e) => `${e.path} ${e.rule}`)).toEqual([
      '/entry/1/resource/reasonCode required',
    ]);
  });

  it('checks the bundle against the FHIR R4 structure and names each location as an expression', () => {
    const bundle = ukCoreReferral({ consent: 'permit', findings: [BRUISE] }) as any;
    bundle.entry[2].resource.birthDate = '2026-13-45';
    bundle.entry[1].resource.intent = 7;
    bundle.entry[3].resource.provision.colour = 'blue';
    const errors = errorsOf(bundle);
    expect(errors.map((e) => `${e.path} ${e.rule}`).sort()).toEqual([
      '/entry/1/resource/intent fhir-structure',
      '/entry/2/resource/birthDate fhir-structure',
      '/entry/3/resource/provision/colour fhir-structure',
    ]);
    const outcome: OperationOutcome = operationOutcome(422, 'refused', errors).body;
    expect(outcome.issue.map((i) => i.expression?.[0]).sort()).toEqual([
      'Bundle.entry[1].resource.intent',
      'Bundle.entry[2].resource.birthDate',
      'Bundle.entry[3].resource.provision.colour',
    ]);
    expect(outcome.issue.every((i) => i.code === 'structure' && i.severity === 'error')).toBe(true);
  });

  it('publishes both message events and the consent rules in its capability statement', () => {
    const cs = capabilityStatement().body;
    expect(cs.fhirVersion).toBe('4.0.1');
    expect(cs.messaging?.[0].supportedMessage?.map((m) => m.definition)).toEqual([
      'https://fhir.nhs.uk/CodeSystem/message-events-bars|servicerequest-request',
      `${FHIR.messageEvent}|${FHIR.referralEvent}`,
    ]);
    expect(cs.messaging?.[0].documentation).toContain('patient-privacy');
  });
});
