import fc from 'fast-check';
import { blockKeysOf, PersonIndex, queryKeysOf, rankCandidates, scorePair, subjectForMatching, KnownPerson } from '.';

const amy: KnownPerson = {
  personId: 'P-AMY',
  givenName: 'Amy',
  familyName: 'Example',
  dateOfBirth: '2019-03-02',
  postcode: 'EX1 2AB',
  nhsNumber: '9434765919',
  sex: 'female',
};
const ben: KnownPerson = {
  personId: 'P-BEN',
  givenName: 'Ben',
  familyName: 'Example',
  dateOfBirth: '2016-08-20',
  postcode: 'EX1 2AB',
  sex: 'male',
};
const william: KnownPerson = {
  personId: 'P-WILL',
  givenName: 'William',
  familyName: 'Jones',
  dateOfBirth: '2012-01-10',
  postcode: 'LS6 1AA',
  upn: 'A123456789012',
  sex: 'male',
};
const john: KnownPerson = {
  personId: 'P-JOHN',
  givenName: 'John',
  familyName: 'Thomson',
  dateOfBirth: '2010-11-05',
  postcode: 'M1 1AE',
  policePersonId: 'PNC-1',
  sex: 'male',
};
const twinA: KnownPerson = { personId: 'P-AIDAN', givenName: 'Aidan', familyName: 'Twin', dateOfBirth: '2018-04-04', postcode: 'B1 1AA' };
const twinB: KnownPerson = { personId: 'P-AIDEN', givenName: 'Aiden', familyName: 'Twin', dateOfBirth: '2018-04-04', postcode: 'B1 1AA' };
const lily: KnownPerson = { personId: 'P-LILY', givenName: 'Lily', familyName: 'Rose', dateOfBirth: '2020-02-02', postcode: 'B2 2BB' };
const daisy: KnownPerson = { personId: 'P-DAISY', givenName: 'Daisy', familyName: 'Rose', dateOfBirth: '2020-02-02', postcode: 'B2 2BB' };

function index(): PersonIndex {
  const idx = new PersonIndex();
  for (const p of [amy, ben, william, john, twinA, twinB, lily, daisy]) idx.add(p);
  return idx;
}

describe('PersonIndex.match', () => {
  const idx = index();

  it('strong identifiers first: an NHS number match is 1.0 whatever the name says', () => {
    expect(idx.match({ givenName: 'Aimee', familyName: 'Other', nhsNumber: '9434765919' })).toEqual({
      personId: 'P-AMY',
      score: 1,
      reasons: ['NHS number matches'],
    });
  });
  it('a UPN or police person id matches outright, with a caution when the date of birth differs', () => {
    expect(idx.match({ upn: 'a123456789012' })?.personId).toBe('P-WILL');
    expect(idx.match({ policePersonId: 'PNC-1', dateOfBirth: '2010-11-06' })).toEqual({
      personId: 'P-JOHN',
      score: 1,
      reasons: ['police person id matches', 'date of birth differs: check the record'],
    });
  });
  it('two different NHS numbers are two people, however alike', () => {
    expect(idx.match({ ...amy, nhsNumber: '9999999999' })).toBeUndefined();
  });
  it('the same name, date of birth and postcode score 1.0 with every reason shown', () => {
    const { personId, ...subject } = ben;
    expect(idx.match(subject)).toEqual({
      personId: 'P-BEN',
      score: 1,
      reasons: ['date of birth matches', 'given name matches', 'family name matches', 'postcode matches'],
    });
  });
  it('a child who moved house still matches on name and date of birth', () => {
    expect(idx.match({ givenName: 'Ben', familyName: 'Example', dateOfBirth: '2016-08-20', postcode: 'ZZ9 9ZZ' })).toMatchObject({
      personId: 'P-BEN',
      score: 0.85,
    });
  });
  it('a nickname matches: Bill is William', () => {
    expect(idx.match({ givenName: 'Bill', familyName: 'Jones', dateOfBirth: '2012-01-10', postcode: 'LS6 1AA' })).toMatchObject({
      personId: 'P-WILL',
      reasons: expect.arrayContaining(['given name matches (nickname)']),
    });
  });
  it('a typo matches: "Jonh Tomson"', () => {
    expect(idx.match({ givenName: 'Jonh', familyName: 'Tomson', dateOfBirth: '2010-11-05', postcode: 'M1 1AE' })?.personId).toBe('P-JOHN');
  });
  it('day and month swapped, same name and address, is a match at the threshold', () => {
    expect(idx.match({ givenName: 'Ben', familyName: 'Example', dateOfBirth: '2016-08-02', postcode: 'EX1 2AB' })).toBeUndefined();
    expect(idx.match({ givenName: 'Amy', familyName: 'Example', dateOfBirth: '2019-02-03', postcode: 'EX1 2AB' })).toMatchObject({
      personId: 'P-AMY',
      score: 0.8,
    });
  });
  it('siblings at one address never merge', () => {
    expect(idx.match({ givenName: 'Cara', familyName: 'Example', dateOfBirth: '2021-05-05', postcode: 'EX1 2AB' })).toBeUndefined();
    expect(idx.match({ givenName: 'Ben', familyName: 'Example', dateOfBirth: '2016-08-20', postcode: 'EX1 2AB' })?.personId).toBe('P-BEN');
  });
  it('twins with different names do not merge', () => {
    expect(idx.match({ givenName: 'Lily', familyName: 'Rose', dateOfBirth: '2020-02-02', postcode: 'B2 2BB' })?.personId).toBe('P-LILY');
    expect(idx.match({ givenName: 'Poppy', familyName: 'Rose', dateOfBirth: '2020-02-02', postcode: 'B2 2BB' })).toBeUndefined();
  });
  it('twins with near-identical names: exact wins, a third spelling is left to a person', () => {
    expect(idx.match({ givenName: 'Aidan', familyName: 'Twin', dateOfBirth: '2018-04-04', postcode: 'B1 1AA' })?.personId).toBe('P-AIDAN');
    expect(idx.match({ givenName: 'Aidyn', familyName: 'Twin', dateOfBirth: '2018-04-04', postcode: 'B1 1AA' })).toBeUndefined();
    expect(
      idx
        .candidates({ givenName: 'Aidyn', familyName: 'Twin', dateOfBirth: '2018-04-04', postcode: 'B1 1AA' })
        .map((c) => c.personId)
        .sort(),
    ).toEqual(['P-AIDAN', 'P-AIDEN']);
  });
  it('a near-miss of a different sex does not match: Jon is not Joan', () => {
    const idx2 = new PersonIndex();
    idx2.add({ personId: 'P-JOAN', givenName: 'Joan', familyName: 'Smith', dateOfBirth: '2011-01-01', postcode: 'N1 1AA', sex: 'female' });
    expect(
      idx2.match({ givenName: 'Jon', familyName: 'Smith', dateOfBirth: '2011-01-01', postcode: 'N1 1AA', sex: 'male' }),
    ).toBeUndefined();
    expect(idx2.match({ givenName: 'Jon', familyName: 'Smith', dateOfBirth: '2011-01-01', postcode: 'N1 1AA' })?.personId).toBe('P-JOAN');
  });
  it('without a date of birth names and address are a candidate, not a match', () => {
    const s = { givenName: 'Amy', familyName: 'Example', postcode: 'EX1 2AB' };
    expect(idx.match(s)).toBeUndefined();
    expect(idx.candidates(s)[0]).toMatchObject({ personId: 'P-AMY', score: 0.65 });
  });
  it('a double-barrelled family name finds its single part, on the exact date of birth', () => {
    const idx2 = new PersonIndex();
    idx2.add({ personId: 'P-SJ', givenName: 'Maya', familyName: 'Smith-Jones', dateOfBirth: '2015-06-06', postcode: 'N1 1AA' });
    expect(idx2.match({ givenName: 'Maya', familyName: 'Jones', dateOfBirth: '2015-06-06', postcode: 'SE1 1AA' })).toMatchObject({
      personId: 'P-SJ',
      reasons: expect.arrayContaining(['family name matches (part)']),
    });
  });
  it('with no family name given, date of birth, given name and postcode are enough', () => {
    expect(idx.match({ givenName: 'Ben', dateOfBirth: '2016-08-20', postcode: 'EX1 2AB' })).toMatchObject({
      personId: 'P-BEN',
      score: 0.8,
    });
  });
  it('looks only in the blocks: a namesake born another day in another district is not even a candidate', () => {
    const idx2 = new PersonIndex();
    idx2.add({ personId: 'P-FAR', givenName: 'Ben', familyName: 'Example', dateOfBirth: '2001-01-01', postcode: 'ZZ1 1ZZ' });
    expect(
      scorePair(
        { givenName: 'Ben', familyName: 'Example', dateOfBirth: '2016-08-20', postcode: 'EX1 2AB' },
        { givenName: 'Ben', familyName: 'Example', dateOfBirth: '2001-01-01', postcode: 'ZZ1 1ZZ' },
      ).score,
    ).toBeGreaterThan(0);
    expect(idx2.candidates({ givenName: 'Ben', familyName: 'Example', dateOfBirth: '2016-08-20', postcode: 'EX1 2AB' })).toEqual([]);
  });
  it('refuses the same person id twice', () => {
    expect(() => idx.add(amy)).toThrow(/already indexed/);
  });
  it('builds a match subject from a contact subject and its household postcode', () => {
    expect(
      subjectForMatching({ subjectRef: 'c1', kind: 'child', givenName: 'Amy', identifiers: { nhsNumber: '9434765919' } }, 'EX1 2AB'),
    ).toMatchObject({ givenName: 'Amy', nhsNumber: '9434765919', postcode: 'EX1 2AB' });
  });
  it('scorePair is symmetric for demographics', () => {
    expect(scorePair(ben, amy).score).toBe(scorePair(amy, ben).score);
  });
});

describe('PersonIndex property: everyone is found by their own details', () => {
  const given = ['Amy', 'Ben', 'Cara', 'Dev', 'Ella', 'Finn', 'Grace', 'Hari', 'Isla', 'Jack', 'Kemi', 'Leo'];
  const family = ['Smith', 'Khan', 'Jones', 'Patel', 'Brown', 'Okafor', 'Taylor', 'Nowak'];
  const person = fc.record({
    given: fc.constantFrom(...given),
    family: fc.constantFrom(...family),
    dob: fc
      .date({ min: new Date('2008-01-01'), max: new Date('2026-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
    postcode: fc.constantFrom('EX1 2AB', 'EX1 3CD', 'LS6 1AA', 'M1 1AE'),
  });
  it('returns the person, never a sibling, when no one else shares name and birth date', () => {
    fc.assert(
      fc.property(fc.uniqueArray(person, { minLength: 1, maxLength: 40, selector: (p) => `${p.given}|${p.family}|${p.dob}` }), (people) => {
        const idx = new PersonIndex();
        people.forEach((p, i) =>
          idx.add({ personId: `P${i}`, givenName: p.given, familyName: p.family, dateOfBirth: p.dob, postcode: p.postcode }),
        );
        return people.every(
          (p, i) => idx.match({ givenName: p.given, familyName: p.family, dateOfBirth: p.dob, postcode: p.postcode })?.personId === `P${i}`,
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('rankCandidates (the Postgres store scores with the same rules)', () => {
  const everyone = [amy, ben, william, john, twinA, twinB, lily, daisy];
  const idx = index();
  it.each([
    ['a strong identifier', { givenName: 'Aimee', nhsNumber: '9434765919' }],
    ['name, date of birth and postcode', { givenName: 'Ben', familyName: 'Example', dateOfBirth: '2016-08-20', postcode: 'EX1 2AB' }],
    ['one twin by a typo', { givenName: 'Aidan', familyName: 'Twin', dateOfBirth: '2018-04-04', postcode: 'B1 1AA' }],
    ['nobody', { givenName: 'Zed', familyName: 'Nobody', dateOfBirth: '2001-01-01' }],
  ])('agrees with PersonIndex.match for %s', (_, subject) => {
    expect(rankCandidates(subject, everyone).best).toEqual(idx.match(subject));
  });
  it('says why it does not link two near-equal candidates', () => {
    const r = rankCandidates({ givenName: 'Lily', familyName: 'Rose', dateOfBirth: '2020-02-02', postcode: 'B2 2BB' }, [
      lily,
      { ...lily, personId: 'P-LILY-2' },
    ]);
    expect(r.best).toBeUndefined();
    expect(r.undecided).toMatch(/within 0.05/);
  });
  it('files a person under the blocks it is queried by', () => {
    const keys = blockKeysOf(ben);
    expect(queryKeysOf({ givenName: 'Benjamin', familyName: 'Example', dateOfBirth: '2016-08-20' }).some((k) => keys.includes(k))).toBe(
      true,
    );
  });
});
