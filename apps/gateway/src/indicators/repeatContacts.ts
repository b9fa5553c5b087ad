import type { ContactSubject } from '@mash/contracts';

/** A contact received, as the repeat count needs it: when, and the match keys of its children and unborn subjects. */
export interface ContactKeys {
  contactId: string;
  receivedAt: Date;
  keys: string[];
}

/**
 * The keys a subject is matched on across contacts: NHS number, UPN, police person id, or the
 * names (without case) with the date of birth. Adults are not counted; a subject of no stated kind
 * is not either (it cannot be told apart from an adult). A key with a part missing is no key.
 */
export function subjectKeys(subjects: Partial<ContactSubject>[] | undefined): string[] {
  const keys = new Set<string>();
  for (const s of subjects ?? []) {
    if (!s || !s.kind || s.kind === 'adult') continue;
    const id = s.identifiers ?? {};
    if (id.nhsNumber) keys.add(`nhs:${id.nhsNumber}`);
    if (id.upn) keys.add(`upn:${id.upn}`);
    if (id.policePersonId) keys.add(`police:${id.policePersonId}`);
    if (s.givenName && s.familyName && s.dateOfBirth)
      keys.add(`name:${s.givenName.toLowerCase()}|${s.familyName.toLowerCase()}|${s.dateOfBirth}`);
  }
  return [...keys];
}

/** The same instant twelve calendar months before, in UTC; the 29th of February falls back to the 28th. */
export function twelveMonthsBefore(t: Date): Date {
  const d = new Date(t.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCFullYear(d.getUTCFullYear() - 1);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d;
}

/**
 * Contacts received in [from, to) about a child or young person who was the subject of another
 * contact in the 12 months before it. `contacts` must cover [twelveMonthsBefore(from), to).
 */
export function countRepeats(contacts: ContactKeys[], from: Date, to: Date): number {
  const seen = new Map<string, ContactKeys[]>();
  for (const c of contacts) {
    for (const k of c.keys) {
      const list = seen.get(k);
      if (list) list.push(c);
      else seen.set(k, [c]);
    }
  }
  let n = 0;
  for (const a of contacts) {
    if (a.receivedAt < from || a.receivedAt >= to) continue;
    const since = twelveMonthsBefore(a.receivedAt);
    const earlier = (b: ContactKeys) => b.contactId !== a.contactId && b.receivedAt < a.receivedAt && b.receivedAt >= since;
    if (a.keys.some((k) => (seen.get(k) ?? []).some(earlier))) n++;
  }
  return n;
}
