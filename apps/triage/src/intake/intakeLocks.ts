import type { ContactReceived } from '@mash/contracts';
import { addressKey, blockKeysOf, MatchSubject, queryKeysOf, subjectForMatching } from '../matching';

/**
 * What two intakes must not do at the same time, as lock keys. Intake takes a transaction-scoped
 * advisory lock per key, so only contacts that share one wait for each other: the same contact, the
 * same incident reference or address, the same strong identifier, the same blocking area (a date
 * of birth, or a postcode district and surname sound), the same known person, the same household,
 * the same case joined. Two unrelated families share none and are triaged in parallel.
 */
export const lockKey = {
  contact: (contactId: string) => `contact:${contactId}`,
  incident: (reference: string) => `incident:${reference}`,
  address: (key: string) => `address:${key}`,
  case: (caseId: string) => `case:${caseId}`,
  person: (personId: string) => `person:${personId}`,
  household: (householdId: string) => `household:${householdId}`,
};

/**
 * A blocking key's lock. All blocks of one date of birth (`df:<dob>:<initial>`, `df:<dob>:?`,
 * `d:<dob>`) share one lock: a subject is looked up in several of them, and a person filed under
 * `df:<dob>:?` is refiled under an initial once a family name is known.
 */
export function blockLock(block: string): string {
  const [kind, value] = block.split(':', 2);
  return kind === 'df' || kind === 'd' ? `dob:${value}` : `block:${block}`;
}

/** Where a subject is looked up and filed: its strong identifiers and its blocks. */
export function identityKeys(s: MatchSubject): string[] {
  const keys = [...blockKeysOf(s), ...queryKeysOf(s)].map(blockLock);
  if (s.nhsNumber) keys.push(`nhs:${s.nhsNumber}`);
  if (s.upn) keys.push(`upn:${s.upn.toUpperCase()}`);
  if (s.policePersonId) keys.push(`police:${s.policePersonId}`);
  return keys;
}

/** The keys known from the contact alone, before anything is read. */
export function contactLockKeys(e: ContactReceived): string[] {
  const keys = [lockKey.contact(e.contactId)];
  const ref = e.contact.incident?.reference;
  if (ref) keys.push(lockKey.incident(ref));
  const address = addressKey(e);
  if (address) keys.push(lockKey.address(address));
  const postcode = e.contact.household?.address?.postcode;
  for (const s of e.contact.subjects) keys.push(...identityKeys(subjectForMatching(s, postcode)));
  return [...new Set(keys)];
}

/** Thrown when a read shows the intake needs a lock it does not hold: it starts over holding more. */
export class LockSetGrew extends Error {
  override name = 'LockSetGrew';
  constructor(readonly missing: string[]) {
    super(`intake needs ${missing.length} more lock(s)`);
  }
}

/**
 * The locks one attempt holds. Each read of shared state names the keys that guard what it read;
 * if one is not held, the attempt is abandoned (nothing it read is trusted) and the next holds it.
 */
export class IntakeLocks {
  constructor(
    readonly held: ReadonlySet<string>,
    readonly round: number,
  ) {}

  require(keys: Iterable<string>): void {
    const missing = [...new Set(keys)].filter((k) => !this.held.has(k));
    if (missing.length) throw new LockSetGrew(missing);
  }
}
