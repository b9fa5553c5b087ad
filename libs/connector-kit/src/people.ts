import type { CheckSubject } from '@mash/contracts';
import { exampleContact } from '@mash/contracts/examples';
import { checkSubjectsFrom } from './testing';

/**
 * The people of the reference fixtures, as a check request names them. The Example household
 * comes from the contracts' example contact, so the demo's referral finds them.
 */
const [amy, beth, carl] = checkSubjectsFrom(exampleContact);

export const fixturePeople = {
  /** Child, 7, Example household (EX1 2AB); NHS number only as identifier. */
  amy,
  /** Amy's mother, DA victim; name and date of birth only. */
  beth,
  /** Beth's former partner, DA perpetrator on licence; PNC id. */
  carl,
  /** Beth's son, 15, lives with his grandmother; school and early youth justice contact. */
  dylan: {
    subjectId: 'c2',
    kind: 'child',
    givenName: 'Dylan',
    familyName: 'Example',
    dateOfBirth: '2011-06-04',
    upn: 'T938214111047',
  } satisfies CheckSubject,
  /** 17, exploited into county lines; PNC id and UPN. */
  kai: {
    subjectId: 'c3',
    kind: 'child',
    givenName: 'Kai',
    familyName: 'Morgan',
    dateOfBirth: '2009-05-11',
    nhsNumber: '9990000395',
    upn: 'Q938402109215',
    policePersonId: 'PNC-09-654321',
  } satisfies CheckSubject,
  /** Kai's mother: bipolar disorder, care package, temporary accommodation. */
  leanne: { subjectId: 'a3', kind: 'adult', givenName: 'Leanne', familyName: 'Morgan', dateOfBirth: '1984-11-02' } satisfies CheckSubject,
  /** Kai's father, MAPPA level 2. */
  darren: {
    subjectId: 'a4',
    kind: 'adult',
    givenName: 'Darren',
    familyName: 'Morgan',
    dateOfBirth: '1981-02-17',
    policePersonId: 'PNC-81-445566',
  } satisfies CheckSubject,
  /** Known to no agency. */
  zara: {
    subjectId: 'c9',
    kind: 'child',
    givenName: 'Zara',
    familyName: 'Nobody',
    dateOfBirth: '2016-08-08',
    nhsNumber: '9990000824',
  } satisfies CheckSubject,
  /** Amy's name and birth date with another child's NHS number: a different child. */
  amyNamesake: {
    subjectId: 'c8',
    kind: 'child',
    givenName: 'Amy',
    familyName: 'Example',
    dateOfBirth: '2019-03-02',
    nhsNumber: '9990000980',
  } satisfies CheckSubject,
};
