import type { CheckSubject } from '@mash/contracts';
import { fixtureLookup, FixturePerson, isSamePerson, normaliseName, parseFixtures } from './fixtures';
import { checkRequestFor } from './testing';

const amyRecord: FixturePerson = { givenName: 'Amy', familyName: 'Example', dateOfBirth: '2019-03-02', nhsNumber: '9434765919' };
const s = (x: Partial<CheckSubject>): CheckSubject => ({ subjectId: 'c1', kind: 'child', ...x });

describe('isSamePerson', () => {
  it('matches on a strong identifier alone', () => {
    expect(isSamePerson(s({ nhsNumber: '943 476 5919' }), amyRecord)).toBe(true);
    expect(isSamePerson(s({ policePersonId: 'pnc-88-123456' }), { policePersonId: 'PNC-88-123456' })).toBe(true);
    expect(isSamePerson(s({ upn: 'a123456789012' }), { upn: 'A123456789012' })).toBe(true);
  });

  it('does not match a different identifier, even with the same name and birth date', () => {
    expect(
      isSamePerson(s({ givenName: 'Amy', familyName: 'Example', dateOfBirth: '2019-03-02', nhsNumber: '4010232137' }), amyRecord),
    ).toBe(false);
  });

  it('matches on full name and date of birth when no identifier is shared, however spelt', () => {
    expect(isSamePerson(s({ givenName: 'amy ', familyName: 'EXAMPLE', dateOfBirth: '2019-03-02', upn: 'A123456789012' }), amyRecord)).toBe(
      true,
    );
    expect(
      isSamePerson(s({ givenName: 'Zoë', familyName: "O'Brien-Smith", dateOfBirth: '2015-01-01' }), {
        givenName: 'Zoe',
        familyName: 'OBrien Smith',
        dateOfBirth: '2015-01-01',
      }),
    ).toBe(true);
  });

  it('needs all three of given name, family name and date of birth', () => {
    expect(isSamePerson(s({ givenName: 'Amy', familyName: 'Example', dateOfBirth: '2019-03-03' }), amyRecord)).toBe(false);
    expect(isSamePerson(s({ givenName: 'Amy', familyName: 'Example' }), amyRecord)).toBe(false);
    expect(isSamePerson(s({ givenName: 'Ann', familyName: 'Example', dateOfBirth: '2019-03-02' }), amyRecord)).toBe(false);
    expect(isSamePerson(s({ kind: 'unborn', familyName: 'Example', expectedDate: '2027-01-01' }), { familyName: 'Example' })).toBe(false);
  });
});

describe('normaliseName', () => {
  it('keeps letters only, without accents or case', () => {
    expect(normaliseName(" Siân  O'Neil-Jones ")).toBe('sianoneiljones');
  });
});

describe('fixtureLookup', () => {
  const records = [
    { person: amyRecord, currentInvolvement: true, entries: [{ date: '2026-01-01', category: 'health' as const, summary: 'Seen' }] },
    {
      person: { givenName: 'Beth', familyName: 'Example', dateOfBirth: '1990-07-14' },
      entries: [{ date: '2026-02-01', category: 'history' as const, summary: 'Beth seen' }],
    },
  ];

  it("tags each entry with the request's subject id and says known and involvement", async () => {
    const lookup = fixtureLookup(records);
    const r = await lookup(
      checkRequestFor('health', [
        s({ subjectId: 'child-7', nhsNumber: '9434765919' }),
        s({ subjectId: 'adult-2', kind: 'adult', givenName: 'Beth', familyName: 'Example', dateOfBirth: '1990-07-14' }),
      ]),
    );
    expect(r).toEqual({
      known: true,
      currentInvolvement: true,
      entries: [
        { subjectId: 'child-7', date: '2026-01-01', category: 'health', summary: 'Seen' },
        { subjectId: 'adult-2', date: '2026-02-01', category: 'history', summary: 'Beth seen' },
      ],
    });
  });

  it('knows nothing of an unknown person', async () => {
    const r = await fixtureLookup(records)(
      checkRequestFor('health', [s({ givenName: 'Nobody', familyName: 'Known', dateOfBirth: '2010-01-01' })]),
    );
    expect(r).toEqual({ known: false, currentInvolvement: false, entries: [] });
  });
});

describe('parseFixtures', () => {
  const good = {
    agency: 'health',
    records: [{ person: { nhsNumber: '9434765919' }, entries: [{ date: '2026-01-01T10:00:00Z', category: 'health', summary: 'x' }] }],
  };

  it('accepts a well-formed file', () => {
    expect(parseFixtures(good, 'health')).toEqual(good.records);
  });

  it.each([
    [{ ...good, agency: 'police' }, /agency: is police, expected health/],
    [{ ...good, agency: 'nasa' }, /agency: must be a check agency/],
    [
      { agency: 'health', records: [{ person: {}, entries: [{ date: '2026-13-45', category: 'health', summary: 'x' }] }] },
      /entries\/0\/date/,
    ],
    [
      { agency: 'health', records: [{ person: {}, entries: [{ date: '2026-01-01', category: 'gossip', summary: 'x' }] }] },
      /entries\/0\/category/,
    ],
    [
      { agency: 'health', records: [{ person: {}, entries: [{ date: '2026-01-01', category: 'health', summary: ' ' }] }] },
      /entries\/0\/summary/,
    ],
    [{ agency: 'health', records: [{ person: { nhsNumber: 9434765919 }, entries: [] }] }, /person\/nhsNumber/],
  ])('names the broken field (%#)', (raw, message) => {
    expect(() => parseFixtures(raw, 'health')).toThrow(message);
  });
});
