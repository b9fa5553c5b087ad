import { createHash } from 'node:crypto';
import type { CheckSubject, Contact } from '@mash/contracts';
import type { LinkedSubject } from '../people/people';

/** A case id derived from the contact id, so a replayed contact opens the same case. */
export function caseIdFor(contactId: string): string {
  return `CS-${createHash('sha256').update(contactId).digest('hex').slice(0, 20)}`;
}

/**
 * The people checks may ask about, each under the hub's person id: the same child keeps one id
 * across contacts, so agencies' replies and the chronology line up across a family's history.
 */
export function checkSubjects(contact: Contact, linked: readonly LinkedSubject[]): CheckSubject[] {
  const postcode = contact.household?.address?.postcode;
  const seen = new Set<string>();
  const out: CheckSubject[] = [];
  for (const { subject: s, personId } of linked) {
    if (seen.has(personId)) continue;
    seen.add(personId);
    out.push({
      subjectId: personId,
      kind: s.kind,
      ...(s.givenName ? { givenName: s.givenName } : {}),
      ...(s.familyName ? { familyName: s.familyName } : {}),
      ...(s.dateOfBirth ? { dateOfBirth: s.dateOfBirth } : {}),
      ...(s.expectedDate ? { expectedDate: s.expectedDate } : {}),
      ...(s.identifiers?.nhsNumber ? { nhsNumber: s.identifiers.nhsNumber } : {}),
      ...(s.identifiers?.upn ? { upn: s.identifiers.upn } : {}),
      ...(s.identifiers?.policePersonId ? { policePersonId: s.identifiers.policePersonId } : {}),
      ...(postcode ? { postcode } : {}),
    });
  }
  return out;
}
