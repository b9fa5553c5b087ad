import type { ContactReceived, ContactSubject } from '@mash/contracts';
import { contactWith } from '../rating/testContacts';
import { blockLock, contactLockKeys, IntakeLocks, LockSetGrew } from './intakeLocks';

const received = (
  contactId: string,
  subjects: Partial<ContactSubject>[],
  address?: { lines: string[]; postcode: string },
  reference?: string,
): ContactReceived => ({
  contactId,
  sourceAgency: 'police',
  receivedAt: '2026-11-30T09:00:00Z',
  contact: contactWith({
    subjects: subjects.map((s, i) => ({ subjectRef: `s${i}`, kind: 'child', ...s }) as ContactSubject),
    ...(address ? { household: { address } } : {}),
    ...(reference ? { incident: { occurredAt: '2026-11-30T08:00:00Z', reference } } : {}),
  }),
});
const shared = (a: ContactReceived, b: ContactReceived) => contactLockKeys(a).filter((k) => contactLockKeys(b).includes(k));

describe('intake lock keys', () => {
  const amy = { givenName: 'Amy', familyName: 'Example', dateOfBirth: '2019-03-02' };
  const home = { lines: ['1 Example Street'], postcode: 'EX1 2AB' };

  it('two unrelated families share no key', () => {
    const a = received('C-1', [{ ...amy, identifiers: { nhsNumber: '9434765919' } }], home);
    const b = received('C-2', [{ givenName: 'Zofia', familyName: 'Nowak', dateOfBirth: '2016-10-11' }], {
      lines: ['9 Other Road'],
      postcode: 'LS6 1AA',
    });
    expect(shared(a, b)).toEqual([]);
  });

  it('the same child from two agencies shares the date of birth and the area, even with different identifiers', () => {
    const police = received('C-3', [{ ...amy, identifiers: { nhsNumber: '9434765919' } }], home);
    const school = received('C-4', [{ ...amy, givenName: 'Aimee', identifiers: { upn: 'P123456789123' } }], {
      lines: ['1 Example St'],
      postcode: 'EX1 2AB',
    });
    expect(shared(police, school)).toEqual(expect.arrayContaining(['dob:2019-03-02', 'block:s:EX1:E251']));
  });

  it('a second report of an incident shares its reference; a report at the same address shares the address', () => {
    const a = received('C-5', [{ givenName: 'A', dateOfBirth: '2010-01-01' }], home, 'INC-9');
    const b = received('C-6', [{ givenName: 'B', dateOfBirth: '2011-01-01' }], home, 'INC-9');
    expect(shared(a, b)).toEqual(['incident:INC-9', 'address:EX12AB|1 example street']);
  });

  it('every date-of-birth block of one date is one lock; area blocks are their own', () => {
    expect(['df:2019-03-02:e', 'df:2019-03-02:?', 'd:2019-03-02'].map(blockLock)).toEqual([
      'dob:2019-03-02',
      'dob:2019-03-02',
      'dob:2019-03-02',
    ]);
    expect(blockLock('s:EX1:E251')).toBe('block:s:EX1:E251');
  });

  it('asking for a lock not held says which', () => {
    const locks = new IntakeLocks(new Set(['person:P-1']), 1);
    expect(() => locks.require(['person:P-1'])).not.toThrow();
    let err: unknown;
    try {
      locks.require(['person:P-1', 'household:HH-1', 'household:HH-1']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LockSetGrew);
    expect((err as LockSetGrew).missing).toEqual(['household:HH-1']);
  });
});
