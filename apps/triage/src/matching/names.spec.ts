import { compareNames, isNickname, jaroWinkler, normaliseName, soundex } from '.';

describe('names', () => {
  it.each([
    ['martha', 'marhta', 0.961],
    ['dwayne', 'duane', 0.84],
    ['dixon', 'dicksonx', 0.813],
    ['abc', 'xyz', 0],
  ])('Jaro-Winkler(%s, %s) = %d', (a, b, expected) => {
    expect(jaroWinkler(a, b)).toBeCloseTo(expected, 3);
  });
  it('Jaro-Winkler of a name with itself is 1 and of empty strings is 0', () => {
    expect(jaroWinkler('amy', 'amy')).toBe(1);
    expect(jaroWinkler('', 'amy')).toBe(0);
  });
  it.each([
    ['Robert', 'R163'],
    ['Rupert', 'R163'],
    ['Rubin', 'R150'],
    ['Ashcraft', 'A261'],
    ['Tymczak', 'T522'],
    ['Pfister', 'P236'],
    ['Honeyman', 'H555'],
    ["O'Brien", 'O165'],
  ])('Soundex(%s) = %s', (name, code) => {
    expect(soundex(name)).toBe(code);
  });
  it('normalises accents, apostrophes, case and punctuation', () => {
    expect(normaliseName("  Zoë O'Brien-SMITH ")).toBe('zoe obrien smith');
    expect(normaliseName(undefined)).toBe('');
  });
  it('knows nicknames both ways and not across groups', () => {
    expect(isNickname('bill', 'william')).toBe(true);
    expect(isNickname('william', 'liam')).toBe(true);
    expect(isNickname('bill', 'robert')).toBe(false);
  });
  it('grades agreement', () => {
    expect(compareNames('amy', 'amy', 'given')).toBe('exact');
    expect(compareNames('bob', 'robert', 'given')).toBe('nickname');
    expect(compareNames('mary ann', 'mary', 'given')).toBe('part');
    expect(compareNames('smith jones', 'jones', 'family')).toBe('part');
    expect(compareNames('jonh', 'john', 'given')).toBe('close');
    expect(compareNames('thomson', 'tomsen', 'family')).toBe('phonetic');
    expect(compareNames('ben', 'amy', 'given')).toBe('different');
  });
});
