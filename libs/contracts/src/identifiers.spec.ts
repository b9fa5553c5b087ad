import { isValidNhsNumber, isValidUpn, nhsNumberCheckDigit, upnCheckLetter } from './identifiers';

describe('NHS number (modulus 11)', () => {
  it('accepts the published test number 9434765919', () => {
    expect(isValidNhsNumber('9434765919')).toBe(true);
    expect(nhsNumberCheckDigit('943476591')).toBe(9);
  });

  it('refuses the same number with a wrong check digit', () => {
    expect(isValidNhsNumber('9434765918')).toBe(false);
  });

  it('refuses every number whose check digit would be 10, whatever its last digit', () => {
    // 100000001: weights give sum 12, 12 mod 11 = 1, 11 - 1 = 10 -> never issued.
    expect(nhsNumberCheckDigit('100000001')).toBeUndefined();
    for (let d = 0; d <= 9; d++) expect(isValidNhsNumber(`100000001${d}`)).toBe(false);
    // The same happens near the test number: 943476596 also gives 10.
    for (let d = 0; d <= 9; d++) expect(isValidNhsNumber(`943476596${d}`)).toBe(false);
  });

  it('maps a check of 11 to 0', () => {
    // 100000006: sum 22, 22 mod 11 = 0, 11 - 0 = 11 -> 0.
    expect(nhsNumberCheckDigit('100000006')).toBe(0);
    expect(isValidNhsNumber('1000000060')).toBe(true);
    expect(isValidNhsNumber('1000000061')).toBe(false);
  });

  it.each(['943476591', '94347659190', '943 476 5919', '943476591X', '', ' 9434765919'])('refuses %p as not ten digits', (v) => {
    expect(isValidNhsNumber(v)).toBe(false);
  });

  it('has exactly one valid check digit for an issuable first nine', () => {
    const valid = [...Array(10).keys()].filter((d) => isValidNhsNumber(`943476591${d}`));
    expect(valid).toEqual([9]);
  });
});

describe('UPN (CBDS P1 check letter)', () => {
  it('gives P for the body 123456789123', () => {
    // sum of value x position (2..13) = 404; 404 mod 23 = 13 -> P.
    expect(upnCheckLetter('123456789123')).toBe('P');
    expect(isValidUpn('P123456789123')).toBe(true);
  });

  it('refuses a wrong check letter', () => {
    expect(isValidUpn('Q123456789123')).toBe(false);
    expect(isValidUpn('A123456789123')).toBe(false);
  });

  it('accepts temporary UPNs that end in a letter, with the letter valued A=0 .. Z=22', () => {
    // 12345678912A: 365 + 0 x 13 = 365; mod 23 = 20 -> X.
    expect(upnCheckLetter('12345678912A')).toBe('X');
    expect(isValidUpn('X12345678912A')).toBe(true);
    // 12345678912Z: 365 + 22 x 13 = 651; mod 23 = 7 -> H.
    expect(upnCheckLetter('12345678912Z')).toBe('H');
    expect(isValidUpn('H12345678912Z')).toBe(true);
    expect(isValidUpn('X12345678912Z')).toBe(false);
  });

  it.each(['I', 'O', 'S'])('refuses the letter %s anywhere a letter may stand', (letter) => {
    expect(upnCheckLetter(`12345678912${letter}`)).toBeUndefined();
    expect(isValidUpn(`${letter}123456789123`)).toBe(false);
    for (const check of 'ABCDEFGHJKLMNPQRTUVWXYZ') expect(isValidUpn(`${check}12345678912${letter}`)).toBe(false);
  });

  it('never produces I, O or S as a check letter', () => {
    const seen = new Set<string>();
    for (let n = 0; n < 23 * 20; n++) seen.add(upnCheckLetter(String(100000000000 + n))!);
    expect([...seen].sort().join('')).toBe('ABCDEFGHJKLMNPQRTUVWXYZ');
  });

  it.each(['P12345678912', 'P1234567891234', 'p123456789123', 'P12345678A123', 'UPNunknown', ''])('refuses %p as malformed', (v) => {
    expect(isValidUpn(v)).toBe(false);
  });
});
