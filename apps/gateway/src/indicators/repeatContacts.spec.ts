import { countRepeats, subjectKeys, twelveMonthsBefore } from './repeatContacts';

describe('repeat contacts', () => {
  it('goes back twelve calendar months in UTC, the 29th of February to the 28th', () => {
    expect(twelveMonthsBefore(new Date('2026-10-02T10:00:00Z')).toISOString()).toBe('2025-10-02T10:00:00.000Z');
    expect(twelveMonthsBefore(new Date('2028-02-29T23:30:00Z')).toISOString()).toBe('2027-02-28T23:30:00.000Z');
  });

  it('keys children and unborn subjects on identifiers and on names without case with the date of birth, never adults', () => {
    expect(
      subjectKeys([
        {
          kind: 'child',
          givenName: 'Ann',
          familyName: 'SMITH',
          dateOfBirth: '2015-01-01',
          identifiers: { nhsNumber: '9434765919', upn: 'A1' },
        },
        { kind: 'unborn', identifiers: { policePersonId: 'P7' } },
        { kind: 'child', givenName: 'Bob' },
        { kind: 'adult', identifiers: { nhsNumber: '1111111111' } },
        { identifiers: { nhsNumber: '2222222222' } },
      ]).sort(),
    ).toEqual(['name:ann|smith|2015-01-01', 'nhs:9434765919', 'police:P7', 'upn:A1']);
    expect(subjectKeys(undefined)).toEqual([]);
  });

  it('counts a contact of the period once when an earlier contact within 12 months shares a key', () => {
    const c = (contactId: string, at: string, keys: string[]) => ({ contactId, receivedAt: new Date(at), keys });
    const contacts = [
      c('old', '2025-09-30T10:00:00Z', ['nhs:1']),
      c('prev', '2026-01-01T10:00:00Z', ['upn:2', 'nhs:3']),
      c('a', '2026-10-01T10:00:00Z', ['nhs:1']),
      c('b', '2026-10-02T10:00:00Z', ['upn:2', 'nhs:3']),
      c('d', '2026-10-03T10:00:00Z', ['nhs:9']),
      c('later', '2026-11-02T10:00:00Z', ['nhs:9']),
    ];
    // a: its earlier contact is more than 12 months before; b: matches 'prev' on two keys, counted once;
    // d: only a later contact shares its key.
    expect(countRepeats(contacts, new Date('2026-10-01T00:00:00Z'), new Date('2026-11-01T00:00:00Z'))).toBe(1);
    // 'later' repeats 'd'.
    expect(countRepeats(contacts, new Date('2026-11-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z'))).toBe(1);
  });
});
