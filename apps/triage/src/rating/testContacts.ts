import type { Contact, ContactSubject } from '@mash/contracts';
import type { RatingInput } from './rate';

/** A minimal valid contact about one school-age child; tests add only what they are about. */
export function contactWith(over: Partial<Contact> = {}, child: Partial<ContactSubject> = {}): Contact {
  return {
    agencyReference: 'TEST-1',
    referrer: { source: '2A', channel: { kind: 'topic' } },
    subjects: [{ subjectRef: 'c1', kind: 'child', givenName: 'Sam', familyName: 'Test', dateOfBirth: '2016-05-01', ...child }],
    presentingIssues: [{ code: '20' }],
    narrative: 'test',
    consent: { status: 'given' },
    urgency: 'routine',
    ...over,
  };
}

export const NOW = new Date('2026-11-30T10:00:00Z');

export function inputWith(contact: Contact, ctx: Partial<Omit<RatingInput, 'contact'>> = {}): RatingInput {
  return { contact, now: NOW, knownHousehold: false, repeatCount: 1, ...ctx };
}
