import type { CapabilityStatement } from '@medplum/fhirtypes';
import { FHIR } from './translate';

/**
 * What the health adapter accepts, for a supplier's system to read before it sends: FHIR R4
 * messages, the two message events (the NHS Booking and Referral Standard's and the hub's own),
 * the resources it reads, and the hub's own definitions (consent extension, code systems).
 */
export function capabilityStatement(): { body: CapabilityStatement; contentType: string } {
  const body: CapabilityStatement = {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-11-30',
    publisher: 'MASH integration hub',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    implementation: { description: 'MASH hub health adapter: safeguarding referrals as FHIR R4 messages (UK Core), POST /records' },
    messaging: [
      {
        documentation:
          'POST a Bundle of type message to /records. The first entry is the MessageHeader; its focus is the ServiceRequest (status active) or Communication (status completed). ' +
          'Consent: an active Consent (scope patient-privacy) for the Patient, provision.type permit (given) or deny (refused; policyRule coded in ' +
          `${FHIR.lawfulBasis} gives the lawful basis for sharing without consent), or the ${FHIR.consentExtension} extension on the request. ` +
          'A refusal is an answer and the contact goes ahead with sharing limited; a bundle with no consent answer is refused with an OperationOutcome. ' +
          'Concerns: ServiceRequest.reasonCode and Condition, Observation and Flag resources about the Patient, coded in SNOMED CT or the CIN assessment factors, with free text.',
        supportedMessage: [
          { mode: 'receiver', definition: `${FHIR.nhsMessageEvent}|${FHIR.nhsReferralEvent}` },
          { mode: 'receiver', definition: `${FHIR.messageEvent}|${FHIR.referralEvent}` },
        ],
      },
    ],
    rest: [
      {
        mode: 'server',
        documentation: 'Resources read from a message bundle (not a RESTful API).',
        resource: (
          [
            'MessageHeader',
            'ServiceRequest',
            'Communication',
            'Patient',
            'RelatedPerson',
            'Consent',
            'Condition',
            'Observation',
            'Flag',
            'Practitioner',
            'PractitionerRole',
            'Organization',
          ] as const
        ).map((type) => ({
          type,
          profile: `https://fhir.hl7.org.uk/StructureDefinition/UKCore-${type}`,
        })),
      },
    ],
  };
  return { body, contentType: 'application/fhir+json; charset=utf-8' };
}
