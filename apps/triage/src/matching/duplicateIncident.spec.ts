import type { ContactReceived, SubmittingAgency } from '@mash/contracts';
import { findDuplicateIncident } from '.';
import { contactWith } from '../rating/testContacts';

function received(
  contactId: string,
  sourceAgency: SubmittingAgency,
  receivedAt: string,
  over: Parameters<typeof contactWith>[0] = {},
  child = {},
): ContactReceived {
  return {
    contactId,
    sourceAgency,
    receivedAt,
    contact: contactWith(
      { agencyReference: contactId, ...over },
      { givenName: 'Amy', familyName: 'Example', dateOfBirth: '2019-03-02', ...child },
    ),
  };
}
const home = { household: { address: { lines: ['1 Example Street'], postcode: 'EX1 2AB' } } };
const incident = (occurredAt: string, reference?: string) => ({ incident: { occurredAt, ...(reference ? { reference } : {}) } });

describe('findDuplicateIncident', () => {
  const police = received('C-POLICE', 'police', '2026-11-21T08:00:00Z', { ...home, ...incident('2026-11-20T22:15:00Z', 'INC-1') });

  it("links a school's report of the same child the next morning to the police report", () => {
    const school = received('C-SCHOOL', 'education', '2026-11-21T09:30:00Z', home);
    const d = findDuplicateIncident(school, [police]);
    expect(d?.duplicateOf).toBe('C-POLICE');
    expect(d?.reasons.join(' ')).toMatch(/reported by police and education .* minutes apart/);
    expect(d?.reasons.join(' ')).toMatch(/same people: c1 is c1/);
  });
  it('links the same incident reference even from the same agency', () => {
    const again = received('C-POLICE-2', 'police', '2026-11-22T08:00:00Z', incident('2026-11-20T22:15:00Z', 'INC-1'));
    expect(findDuplicateIncident(again, [police])).toEqual({ duplicateOf: 'C-POLICE', reasons: ['same incident reference INC-1'] });
  });
  it('a second police report the same night with its own reference is a repeat, not a duplicate', () => {
    const second = received('C-POLICE-3', 'police', '2026-11-21T09:00:00Z', { ...home, ...incident('2026-11-21T02:00:00Z', 'INC-2') });
    expect(findDuplicateIncident(second, [police])).toBeUndefined();
  });
  it('the same child reported by another agency days later is a new contact', () => {
    const later = received('C-HEALTH', 'health', '2026-11-25T09:00:00Z', home);
    expect(findDuplicateIncident(later, [police])).toBeUndefined();
  });
  it('different people at the same address within the window are linked on the address', () => {
    const other = received('C-HEALTH', 'health', '2026-11-21T07:00:00Z', home, { givenName: 'Zed', dateOfBirth: '2024-01-01' });
    expect(findDuplicateIncident(other, [police])).toMatchObject({
      duplicateOf: 'C-POLICE',
      reasons: expect.arrayContaining(['same address']),
    });
  });
  it('a neighbour sharing only the postcode is not linked', () => {
    const neighbour = received(
      'C-HEALTH',
      'health',
      '2026-11-21T07:00:00Z',
      { household: { address: { lines: ['3 Example Street'], postcode: 'EX1 2AB' } } },
      { givenName: 'Zed', familyName: 'Other', dateOfBirth: '2024-01-01' },
    );
    expect(findDuplicateIncident(neighbour, [police])).toBeUndefined();
  });
  it('another concern about the same child the same day is not the same incident', () => {
    const neglect = received('C-SCHOOL', 'education', '2026-11-21T09:30:00Z', { ...home, presentingIssues: [{ code: '16A' }] });
    expect(findDuplicateIncident(neglect, [police])).toBeUndefined();
    const both = received('C-SCHOOL', 'education', '2026-11-21T09:30:00Z', {
      ...home,
      presentingIssues: [{ code: '16A' }, { code: '20' }],
    });
    expect(findDuplicateIncident(both, [police])?.reasons).toContain('same presenting issue 20');
  });
  it('points at the first report when several match', () => {
    const school = received('C-SCHOOL', 'education', '2026-11-21T09:30:00Z', home);
    const health = received('C-HEALTH', 'health', '2026-11-21T10:00:00Z', home);
    expect(findDuplicateIncident(health, [school, police])?.duplicateOf).toBe('C-POLICE');
  });
  it('ignores itself and honours a narrower window', () => {
    expect(findDuplicateIncident(police, [police])).toBeUndefined();
    const school = received('C-SCHOOL', 'education', '2026-11-21T09:30:00Z', home);
    expect(findDuplicateIncident(school, [police], { windowHours: 6 })).toBeUndefined();
  });
});
