import type { CheckSubject } from '@mash/contracts';
import { subjectsFor } from './disclosure';

const kai: CheckSubject = {
  subjectId: 'c3',
  kind: 'child',
  givenName: 'Kai',
  familyName: 'Morgan',
  dateOfBirth: '2009-05-11',
  nhsNumber: '9990000395',
  upn: 'Q938402109215',
  policePersonId: 'PNC-09-654321',
  postcode: 'EX1 2AB',
};

describe('subjectsFor', () => {
  it.each([
    ['health', ['nhsNumber']],
    ['adult-social-care', ['nhsNumber']],
    ['education', ['upn']],
    ['police', ['policePersonId']],
    ['probation', ['policePersonId']],
    ['youth-justice', ['policePersonId']],
    ['housing', []],
  ] as const)('gives %s with identity granted the names, dates and only its own identifiers %p', (agency, own) => {
    const [s] = subjectsFor(agency, ['identity'], [kai]);
    const ids = (['nhsNumber', 'upn', 'policePersonId'] as const).filter((k) => k in s);
    expect(ids).toEqual(own);
    expect(s).toMatchObject({ subjectId: 'c3', kind: 'child', givenName: 'Kai', familyName: 'Morgan', dateOfBirth: '2009-05-11' });
    expect(s.postcode).toBeUndefined();
  });

  it('without identity sends only who the entry is about; address alone grants the postcode', () => {
    expect(subjectsFor('health', ['health'], [kai])).toEqual([{ subjectId: 'c3', kind: 'child' }]);
    expect(subjectsFor('housing', ['address'], [kai])).toEqual([{ subjectId: 'c3', kind: 'child', postcode: 'EX1 2AB' }]);
  });

  it("keeps an unborn child's expected date under identity", () => {
    expect(subjectsFor('health', ['identity'], [{ subjectId: 'u1', kind: 'unborn', expectedDate: '2027-01-01' }])).toEqual([
      { subjectId: 'u1', kind: 'unborn', expectedDate: '2027-01-01' },
    ]);
  });
});
