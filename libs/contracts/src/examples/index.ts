import type { Contact, MessageTypes } from '../types';
import type { TopicKind } from '../topics';

/**
 * One valid example per message, used by the contract tests, the AsyncAPI document and the demo.
 * NHS number 9434765919 and UPN A123456789012's kind of values are check-digit valid test values.
 */
export const exampleContact: Contact = {
  agencyReference: 'PVP-2026-000123',
  referrer: {
    name: 'PC Jane Walker',
    role: 'Officer in the case',
    organisation: 'Example Constabulary',
    source: '6',
    channel: { kind: 'topic' },
  },
  subjects: [
    { subjectRef: 'c1', kind: 'child', role: 'subject', givenName: 'Amy', familyName: 'Example', dateOfBirth: '2019-03-02', sex: 'female', identifiers: { nhsNumber: '9434765919' }, presentDuringIncident: true, residentAtAddress: true },
    { subjectRef: 'a1', kind: 'adult', role: 'victim', givenName: 'Beth', familyName: 'Example', dateOfBirth: '1990-07-14', sex: 'female' },
    { subjectRef: 'a2', kind: 'adult', role: 'alleged-perpetrator', givenName: 'Carl', familyName: 'Sample', dateOfBirth: '1988-01-30', sex: 'male', identifiers: { policePersonId: 'PNC-88-123456' } },
  ],
  household: {
    address: { lines: ['1 Example Street'], town: 'Exampleton', postcode: 'EX1 2AB' },
    relationships: [{ from: 'a1', to: 'c1', type: 'parent' }, { from: 'a2', to: 'a1', type: 'partner' }],
  },
  presentingIssues: [{ code: '3', label: 'Domestic abuse' }],
  narrative: 'Police attended a domestic incident; the child was present.',
  incident: { occurredAt: '2026-11-20T22:15:00Z', place: 'Home address', reference: 'INC-20261120-0456' },
  domesticAbuse: { dashRiskLevel: 'medium', childrenPresent: true, dashYesCount: 9 },
  consent: { status: 'not-sought', reason: 'Seeking consent may place the child at risk', lawfulBasis: 'risk-of-significant-harm' },
  urgency: 'same-day',
};
