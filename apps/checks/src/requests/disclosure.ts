import type { CheckAgency, CheckSubject, DataCategory } from '@mash/contracts';

/**
 * Which strong identifiers an agency's own systems key on. Each agency gets only the identifiers it
 * already uses (social care records carry the NHS number; probation and youth justice the PNC id):
 * another agency's reference number helps nobody search and discloses more than the check needs.
 */
const OWN_IDENTIFIERS: Record<'nhsNumber' | 'upn' | 'policePersonId', readonly CheckAgency[]> = {
  nhsNumber: ['health', 'adult-social-care'],
  upn: ['education'],
  policePersonId: ['police', 'probation', 'youth-justice'],
};

/**
 * The subjects as one agency may see them, from what its plan item grants: `identity` grants who a
 * person is (names, dates, the agency's own identifiers), `address` grants where (postcode).
 * Subject id and kind always go: a reply must say whom an entry is about.
 */
export function subjectsFor(agency: CheckAgency, categories: readonly DataCategory[], subjects: readonly CheckSubject[]): CheckSubject[] {
  const identity = categories.includes('identity');
  const address = categories.includes('address');
  return subjects.map((s) => {
    const out: CheckSubject = { subjectId: s.subjectId, kind: s.kind };
    if (identity) {
      if (s.givenName !== undefined) out.givenName = s.givenName;
      if (s.familyName !== undefined) out.familyName = s.familyName;
      if (s.dateOfBirth !== undefined) out.dateOfBirth = s.dateOfBirth;
      if (s.expectedDate !== undefined) out.expectedDate = s.expectedDate;
      for (const id of Object.keys(OWN_IDENTIFIERS) as (keyof typeof OWN_IDENTIFIERS)[]) {
        if (s[id] !== undefined && OWN_IDENTIFIERS[id].includes(agency)) out[id] = s[id];
      }
    }
    if (address && s.postcode !== undefined) out.postcode = s.postcode;
    return out;
  });
}
