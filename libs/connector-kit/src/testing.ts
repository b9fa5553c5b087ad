import type { CheckAgency, CheckRequested, CheckSubject, DataCategory } from '@mash/contracts';
import { validateData } from '@mash/contracts';
import { answer, Connector } from './connector';
import { parseFixtures } from './fixtures';

export const ALL_CATEGORIES: readonly DataCategory[] = ['identity', 'address', 'household', 'involvement', 'history', 'health', 'education', 'offending', 'domestic-abuse'];

/** A valid check request, as triage and checks would send it; for tests and the demo. */
export function checkRequestFor(agency: CheckAgency, subjects: CheckSubject[], categories: DataCategory[] = [...ALL_CATEGORIES], overrides: Partial<CheckRequested> = {}): CheckRequested {
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

/**
 * The tests every reference connector must pass, run from its own spec with jest. Test-only:
 * it calls jest's describe/it/expect when invoked and does nothing on import.
 */
export function referenceConnectorSuite(connector: Connector, fixtureFile: unknown, cases: { known: NamedSubject[]; unknown: NamedSubject[] }): void {
  const agency = connector.agency;
  const now = new Date('2026-11-23T10:00:00.000Z');
  const knownSubjects = cases.known.map((c) => c.subject);
  const reply = async (categories: DataCategory[], subjects = knownSubjects) => {
    const request = checkRequestFor(agency, subjects, categories);
    return answer(request, await connector.lookup(request), now);
  };

  describe(`${agency} reference connector`, () => {
    it('has well-formed fixtures for its own agency', () => {
      expect(parseFixtures(fixtureFile, agency).length).toBeGreaterThanOrEqual(cases.known.length);
    });

    it.each(cases.known.map((c) => [c.name, c.subject] as const))('knows %s', async (_name, subject) => {
      const r = await reply([...ALL_CATEGORIES], [subject]);
      expect(r.known).toBe(true);
      expect(r.entries.length).toBeGreaterThan(0);
      expect(r.entries.every((e) => e.subjectId === subject.subjectId)).toBe(true);
    });

    it.each(cases.unknown.map((c) => [c.name, c.subject] as const))('does not know %s', async (_name, subject) => {
      const r = await reply([...ALL_CATEGORIES], [subject]);
      expect(r).toMatchObject({ known: false, entries: [] });
    });

    // Without at least two categories on record, a fire-wall test could not catch a leak.
    it('holds records in several categories for the people it knows', async () => {
      const all = await reply([...ALL_CATEGORIES]);
      expect(new Set(all.entries.map((e) => e.category)).size).toBeGreaterThanOrEqual(2);
    });

    it('never returns a category it was not granted, for every possible grant', async () => {
      const all = await reply([...ALL_CATEGORIES]);
      for (const grant of everyGrant()) {
        const r = await reply(grant);
        const leaked = r.entries.filter((e) => !e.category || !grant.includes(e.category));
        expect({ grant, leaked }).toEqual({ grant, leaked: [] });
        // And nothing granted is held back: the fire-wall filters, it does not lose.
        expect(r.entries.length).toBe(all.entries.filter((e) => grant.includes(e.category!)).length);
      }
    });

    it('says whether it is currently involved only when involvement is granted', async () => {
      expect((await reply(['history'])).currentInvolvement).toBeUndefined();
      expect(typeof (await reply(['involvement'])).currentInvolvement).toBe('boolean');
    });

    it(`answers with a valid mash.check.${agency}.replied.v1 body`, async () => {
      const r = await reply([...ALL_CATEGORIES], [...knownSubjects, ...cases.unknown.map((c) => c.subject)]);
      expect(validateData('checkReplied', r)).toEqual({ ok: true, value: r });
    });
  });
}
