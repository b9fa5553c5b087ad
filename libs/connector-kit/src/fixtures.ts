import type { CheckAgency, CheckRequested, CheckSubject, DataCategory, ReplyEntry } from '@mash/contracts';
import { CHECK_AGENCIES, DATA_CATEGORIES } from '@mash/contracts';
import type { LookupResult } from './connector';

/** A person as a reference agency's system holds them. */
export interface FixturePerson {
  givenName?: string;
  familyName?: string;
  dateOfBirth?: string;
  nhsNumber?: string;
  upn?: string;
  policePersonId?: string;
}

/** A dated record in the agency's own words; every entry says which category it belongs to. */
export interface FixtureEntry {
  date: string;
  category: DataCategory;
  summary: string;
  current?: boolean;
}

export interface FixtureRecord {
  person: FixturePerson;
  currentInvolvement?: boolean;
  entries: FixtureEntry[];
}

export interface FixtureFile {
  agency: CheckAgency;
  /** The (fictional) system the records stand for, for people reading the fixtures. */
  system?: string;
  records: FixtureRecord[];
}

const CATEGORIES: readonly DataCategory[] = DATA_CATEGORIES;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function fail(path: string, rule: string): never {
  throw new Error(`fixtures${path}: ${rule}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optString = (v: unknown, path: string) => {
  if (v !== undefined && typeof v !== 'string') fail(path, 'must be a string');
};

/**
 * Checks a fixture file (JSON gives plain strings, not DataCategory) and returns its records.
 * A fixture with an unknown category would be filtered out by the fire-wall and never be seen,
 * so it is an error here rather than a puzzle in a demo.
 */
export function parseFixtures(raw: unknown, agency?: CheckAgency): FixtureRecord[] {
  if (!isObject(raw)) fail('', 'must be an object');
  if (!(CHECK_AGENCIES as readonly unknown[]).includes(raw.agency)) fail('/agency', 'must be a check agency');
  if (agency && raw.agency !== agency) fail('/agency', `is ${String(raw.agency)}, expected ${agency}`);
  if (!Array.isArray(raw.records)) fail('/records', 'must be an array');
  return raw.records.map((r: unknown, i: number): FixtureRecord => {
    const at = `/records/${i}`;
    if (!isObject(r) || !isObject(r.person)) fail(`${at}/person`, 'must be an object');
    for (const k of ['givenName', 'familyName', 'dateOfBirth', 'nhsNumber', 'upn', 'policePersonId'])
      optString(r.person[k], `${at}/person/${k}`);
    if (r.currentInvolvement !== undefined && typeof r.currentInvolvement !== 'boolean')
      fail(`${at}/currentInvolvement`, 'must be a boolean');
    if (!Array.isArray(r.entries)) fail(`${at}/entries`, 'must be an array');
    const entries = r.entries.map((e: unknown, j: number): FixtureEntry => {
      const ep = `${at}/entries/${j}`;
      if (!isObject(e)) fail(ep, 'must be an object');
      if (typeof e.date !== 'string' || !(DATE.test(e.date) || DATE_TIME.test(e.date)) || Number.isNaN(Date.parse(e.date)))
        fail(`${ep}/date`, 'must be a date or date-time');
      if (!CATEGORIES.includes(e.category as DataCategory)) fail(`${ep}/category`, `must be one of ${CATEGORIES.join(', ')}`);
      if (typeof e.summary !== 'string' || e.summary.trim() === '') fail(`${ep}/summary`, 'must be a non-empty string');
      if (e.current !== undefined && typeof e.current !== 'boolean') fail(`${ep}/current`, 'must be a boolean');
      return {
        date: e.date,
        category: e.category as DataCategory,
        summary: e.summary,
        ...(e.current !== undefined ? { current: e.current } : {}),
      };
    });
    return {
      person: r.person as FixturePerson,
      ...(r.currentInvolvement !== undefined ? { currentInvolvement: r.currentInvolvement } : {}),
      entries,
    };
  });
}

/** Spelling differs between systems: case, accents, hyphens, apostrophes and spaces. */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

const normalisers = {
  nhsNumber: (v: string) => v.replace(/\s+/g, ''),
  upn: (v: string) => v.trim().toUpperCase(),
  policePersonId: (v: string) => v.trim().toUpperCase(),
};
type StrongId = keyof typeof normalisers;

/**
 * Whether a request subject is this person. A strong identifier both sides hold decides alone:
 * equal means the same person, different means not, even with the same name and date of birth
 * (a wrong match shows one child's records in another child's case). Without one, the full name
 * and the date of birth must all match.
 */
export function isSamePerson(subject: CheckSubject, person: FixturePerson): boolean {
  const shared = (Object.keys(normalisers) as StrongId[]).filter((k) => subject[k] && person[k]);
  if (shared.length) return shared.every((k) => normalisers[k](subject[k]!) === normalisers[k](person[k]!));
  if (!subject.givenName || !subject.familyName || !subject.dateOfBirth) return false;
  if (!person.givenName || !person.familyName || !person.dateOfBirth) return false;
  return (
    normaliseName(subject.givenName) === normaliseName(person.givenName) &&
    normaliseName(subject.familyName) === normaliseName(person.familyName) &&
    subject.dateOfBirth === person.dateOfBirth
  );
}

/**
 * A lookup over fixture records, for reference connectors, the demo and tests. Every entry of a
 * matched record comes back tagged with the request's subjectId for that person.
 */
export function fixtureLookup(records: readonly FixtureRecord[]): (request: CheckRequested) => Promise<LookupResult> {
  return async (request) => {
    let known = false;
    let currentInvolvement = false;
    const entries: ReplyEntry[] = [];
    for (const subject of request.subjects) {
      for (const record of records) {
        if (!isSamePerson(subject, record.person)) continue;
        known = true;
        currentInvolvement ||= record.currentInvolvement === true;
        for (const e of record.entries) entries.push({ subjectId: subject.subjectId, ...e });
      }
    }
    return { known, currentInvolvement, entries };
  };
}
