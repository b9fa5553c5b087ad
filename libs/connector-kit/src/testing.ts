import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import type { CheckAgency, CheckRequested, CheckSubject, Contact, DataCategory } from '@mash/contracts';
import { DATA_CATEGORIES, validateData } from '@mash/contracts';
import { answer, Connector } from './connector';
import { parseFixtures } from './fixtures';

/**
 * Helpers for testing connectors and running the demo. No test framework here (the library is
 * built without jest's types): checks throw assertion errors, and a spec runs them with it.each.
 */

export const ALL_CATEGORIES: readonly DataCategory[] = DATA_CATEGORIES;

/** A valid check request, as triage and checks would send it. */
export function checkRequestFor(
  agency: CheckAgency,
  subjects: CheckSubject[],
  categories: DataCategory[] = [...ALL_CATEGORIES],
  overrides: Partial<CheckRequested> = {},
): CheckRequested {
  return {
    requestId: `req-${agency}-1`,
    caseId: 'case-1',
    agency,
    subjects,
    categories,
    lawfulBasis: 'risk-of-significant-harm',
    rating: 'AMBER',
    requestedAt: '2026-11-23T09:00:00.000Z',
    dueAt: '2026-11-23T17:00:00.000Z',
    caseDeadline: '2026-11-24T09:00:00.000Z',
    ...overrides,
  };
}

/**
 * The check subjects of a contact, with every identifying field it has. Triage decides what an
 * agency is really sent; this is the fullest version, for finding the demo's people.
 */
export function checkSubjectsFrom(contact: Contact): CheckSubject[] {
  return contact.subjects.map((s) => {
    const subject: CheckSubject = { subjectId: s.subjectRef, kind: s.kind };
    if (s.givenName) subject.givenName = s.givenName;
    if (s.familyName) subject.familyName = s.familyName;
    if (s.dateOfBirth) subject.dateOfBirth = s.dateOfBirth;
    if (s.expectedDate) subject.expectedDate = s.expectedDate;
    if (s.identifiers?.nhsNumber) subject.nhsNumber = s.identifiers.nhsNumber;
    if (s.identifiers?.upn) subject.upn = s.identifiers.upn;
    if (s.identifiers?.policePersonId) subject.policePersonId = s.identifiers.policePersonId;
    if (contact.household?.address?.postcode) subject.postcode = contact.household.address.postcode;
    return subject;
  });
}

/** Every non-empty subset of the categories: 511 grants, few enough to try them all. */
export function everyGrant(categories: readonly DataCategory[] = ALL_CATEGORIES): DataCategory[][] {
  const out: DataCategory[][] = [];
  for (let mask = 1; mask < 1 << categories.length; mask++) out.push(categories.filter((_, i) => mask & (1 << i)));
  return out;
}

export interface NamedSubject {
  name: string;
  subject: CheckSubject;
}

export interface ConnectorCheck {
  name: string;
  run(): Promise<void>;
}

/** What every reference connector must satisfy: finds whom it knows, not whom it does not, never leaks. */
export function referenceConnectorChecks(
  connector: Connector,
  fixtureFile: unknown,
  cases: { known: NamedSubject[]; unknown: NamedSubject[] },
): ConnectorCheck[] {
  const agency = connector.agency;
  const now = new Date('2026-11-23T10:00:00.000Z');
  const knownSubjects = cases.known.map((c) => c.subject);
  const reply = async (categories: DataCategory[], subjects = knownSubjects) => {
    const request = checkRequestFor(agency, subjects, categories);
    return answer(request, await connector.lookup(request), now);
  };
  const check = (name: string, run: () => Promise<void>): ConnectorCheck => ({ name, run });

  return [
    check('has well-formed fixtures for its own agency', async () => {
      ok(parseFixtures(fixtureFile, agency).length >= cases.known.length);
    }),
    check('is asked with valid requests (identifiers pass their check digits)', async () => {
      const request = checkRequestFor(agency, [...knownSubjects, ...cases.unknown.map((c) => c.subject)]);
      deepStrictEqual(validateData('checkRequested', request), { ok: true, value: request });
    }),
    ...cases.known.map((c) =>
      check(`knows ${c.name}`, async () => {
        const r = await reply([...ALL_CATEGORIES], [c.subject]);
        strictEqual(r.known, true);
        ok(r.entries.length > 0, 'no entries');
        deepStrictEqual([...new Set(r.entries.map((e) => e.subjectId))], [c.subject.subjectId]);
      }),
    ),
    ...cases.unknown.map((c) =>
      check(`does not know ${c.name}`, async () => {
        const r = await reply([...ALL_CATEGORIES], [c.subject]);
        deepStrictEqual({ known: r.known, entries: r.entries }, { known: false, entries: [] });
      }),
    ),
    // Without two categories on record a fire-wall check could not catch a leak.
    check('holds records in several categories for the people it knows', async () => {
      const all = await reply([...ALL_CATEGORIES]);
      ok(new Set(all.entries.map((e) => e.category)).size >= 2);
    }),
    check('never returns a category it was not granted, for every possible grant', async () => {
      const all = await reply([...ALL_CATEGORIES]);
      for (const grant of everyGrant()) {
        const r = await reply(grant);
        const leaked = r.entries.filter((e) => !e.category || !grant.includes(e.category));
        deepStrictEqual({ grant, leaked }, { grant, leaked: [] });
        // The fire-wall filters; it must not also lose what was granted.
        strictEqual(r.entries.length, all.entries.filter((e) => grant.includes(e.category!)).length, `grant ${grant.join(',')}`);
      }
    }),
    check('says whether it is currently involved only when involvement is granted', async () => {
      strictEqual((await reply(['history'])).currentInvolvement, undefined);
      strictEqual(typeof (await reply(['involvement'])).currentInvolvement, 'boolean');
    }),
    check(`answers with a valid mash.check.${agency}.replied.v1 body`, async () => {
      const r = await reply([...ALL_CATEGORIES], [...knownSubjects, ...cases.unknown.map((c) => c.subject)]);
      deepStrictEqual(validateData('checkReplied', r), { ok: true, value: r });
    }),
  ];
}
