import type { ContactSubject } from '@mash/contracts';
import { comparePrepared, NameAgreement, prepareName, PreparedName } from './names';

/** A person already known to the hub. */
export interface KnownPerson {
  personId: string;
  givenName?: string;
  familyName?: string;
  dateOfBirth?: string;
  postcode?: string;
  nhsNumber?: string;
  upn?: string;
  policePersonId?: string;
  sex?: 'male' | 'female' | 'unknown' | 'indeterminate';
}

export type MatchSubject = Omit<KnownPerson, 'personId'>;

export interface MatchResult {
  personId: string;
  score: number;
  reasons: string[];
}

export interface PairScore {
  score: number;
  reasons: string[];
}

/** A contact subject in the shape the index matches on; the postcode is the household's. */
export function subjectForMatching(s: ContactSubject, postcode?: string): MatchSubject {
  return {
    givenName: s.givenName,
    familyName: s.familyName,
    dateOfBirth: s.dateOfBirth,
    postcode,
    nhsNumber: s.identifiers?.nhsNumber,
    upn: s.identifiers?.upn,
    policePersonId: s.identifiers?.policePersonId,
    sex: s.sex,
  };
}

export function normalisePostcode(p: string | undefined): string {
  return p ? p.toUpperCase().replace(/\s+/g, '') : '';
}

/** The outward code (district): everything before the last three characters. */
function outward(pc: string): string {
  return pc.length > 3 ? pc.slice(0, -3) : pc;
}

interface Prepared {
  given: PreparedName;
  family: PreparedName;
  dob: string;
  postcode: string;
  nhs: string;
  upn: string;
  police: string;
  sex: string;
}

function prepare(p: MatchSubject): Prepared {
  return {
    given: prepareName(p.givenName),
    family: prepareName(p.familyName),
    dob: p.dateOfBirth ?? '',
    postcode: normalisePostcode(p.postcode),
    nhs: p.nhsNumber ?? '',
    upn: p.upn?.toUpperCase() ?? '',
    police: p.policePersonId ?? '',
    // Only a stated male or female can disagree; unknown and indeterminate say nothing.
    sex: p.sex === 'male' || p.sex === 'female' ? p.sex : '',
  };
}

/**
 * Weights: exact date of birth, given name, family name and postcode sum to 1. A different date
 * of birth or a different given name counts against a match, because siblings and twins share
 * surname and address: those are what must never merge.
 */
const W = {
  dob: { exact: 0.35, near: 0.15, differs: -0.35 },
  given: { exact: 0.3, nickname: 0.27, part: 0.27, close: 0.22, phonetic: 0.18, different: -0.35 } as Record<NameAgreement, number>,
  family: { exact: 0.2, nickname: 0.2, part: 0.16, close: 0.14, phonetic: 0.14, different: -0.05 } as Record<NameAgreement, number>,
  postcode: { exact: 0.15, district: 0.05 },
  sexDiffers: -0.3,
};

/** Dates one slip apart: one digit wrong, or day and month swapped. */
function nearDate(a: string, b: string): boolean {
  if (a.length !== 10 || b.length !== 10) return false;
  let diffs = 0;
  for (let i = 0; i < 10; i++) if (a[i] !== b[i]) diffs++;
  if (diffs === 1) return true;
  const [ya, ma, da] = a.split('-');
  const [yb, mb, db] = b.split('-');
  return ya === yb && ma === db && da === mb;
}

/** Scores a pair; fills `reasons` only when asked, since most candidates are scored and dropped. */
function scorePrepared(s: Prepared, p: Prepared, reasons?: string[]): number {
  const say = (r: string) => reasons?.push(r);
  for (const [key, label] of STRONG) {
    if (s[key] && s[key] === p[key]) {
      say(`${label} matches`);
      if (s.dob && p.dob && s.dob !== p.dob) say('date of birth differs: check the record');
      return 1;
    }
  }
  // An NHS number is for life: two different ones are two different people.
  if (s.nhs && p.nhs && s.nhs !== p.nhs) {
    say('NHS numbers differ');
    return 0;
  }

  let score = 0;
  if (s.dob && p.dob) {
    if (s.dob === p.dob) {
      score += W.dob.exact;
      say('date of birth matches');
    } else if (nearDate(s.dob, p.dob)) {
      score += W.dob.near;
      say('date of birth one slip apart');
    } else {
      score += W.dob.differs;
      say('date of birth differs');
    }
  }
  if (s.given.full && p.given.full) {
    const g = comparePrepared(s.given, p.given, 'given');
    score += W.given[g];
    say(g === 'different' ? 'given name differs' : `given name ${g === 'exact' ? 'matches' : `matches (${g})`}`);
  }
  if (s.family.full && p.family.full) {
    const f = comparePrepared(s.family, p.family, 'family');
    score += W.family[f];
    say(f === 'different' ? 'family name differs' : `family name ${f === 'exact' ? 'matches' : `matches (${f})`}`);
  }
  if (s.postcode && p.postcode) {
    if (s.postcode === p.postcode) {
      score += W.postcode.exact;
      say('postcode matches');
    } else if (outward(s.postcode) === outward(p.postcode)) {
      score += W.postcode.district;
      say('same postcode district');
    }
  }
  if (s.sex && p.sex && s.sex !== p.sex) {
    score += W.sexDiffers;
    say('sex differs');
  }
  return Math.round(Math.max(0, Math.min(1, score)) * 1000) / 1000;
}

const STRONG = [
  ['nhs', 'NHS number'],
  ['upn', 'UPN'],
  ['police', 'police person id'],
] as const;

function explained(s: Prepared, p: Prepared): PairScore {
  const reasons: string[] = [];
  const score = scorePrepared(s, p, reasons);
  return { score, reasons };
}

/** How alike two people are, with the reasons; strong identifiers decide outright. */
export function scorePair(a: MatchSubject, b: MatchSubject): PairScore {
  return explained(prepare(a), prepare(b));
}

export interface PersonIndexOptions {
  /** Lowest score that links automatically (default 0.8). */
  threshold?: number;
  /** The best candidate must beat the next by this much, or the match is left to a person. */
  margin?: number;
}

/**
 * Known people, in memory, indexed so that a match looks only at a few blocks (same date of
 * birth and family initial; same postcode district and surname sound) instead of everyone. At
 * threshold 0.8 a candidate needs either the exact date of birth and an agreeing family name, or
 * the same postcode and family name: both are blocks.
 */
export class PersonIndex {
  private readonly people: Prepared[] = [];
  private readonly ids: string[] = [];
  private readonly byId = new Map<string, number>();
  private readonly strong = new Map<string, number>();
  private readonly blocks = new Map<string, number[]>();
  readonly threshold: number;
  readonly margin: number;

  constructor(options: PersonIndexOptions = {}) {
    this.threshold = options.threshold ?? 0.8;
    this.margin = options.margin ?? 0.05;
  }

  get size(): number {
    return this.people.length;
  }

  add(person: KnownPerson): void {
    if (this.byId.has(person.personId)) throw new Error(`person ${person.personId} is already indexed`);
    const p = prepare(person);
    const n = this.people.length;
    this.people.push(p);
    this.ids.push(person.personId);
    this.byId.set(person.personId, n);
    if (p.nhs) this.strong.set(`n:${p.nhs}`, n);
    if (p.upn) this.strong.set(`u:${p.upn}`, n);
    if (p.police) this.strong.set(`p:${p.police}`, n);
    for (const key of new Set(blockKeys(p))) {
      const list = this.blocks.get(key);
      if (list) list.push(n);
      else this.blocks.set(key, [n]);
    }
  }

  /** The best match at or over the threshold, clear of the runner-up; otherwise undefined. */
  match(subject: MatchSubject): MatchResult | undefined {
    const ranked = this.rank(prepare(subject), 2);
    const [best, next] = ranked;
    if (!best || best.score < this.threshold) return undefined;
    if (next && best.score - next.score < this.margin) return undefined;
    return best;
  }

  /** The closest people, scored and explained, for a researcher to look at (below threshold too). */
  candidates(subject: MatchSubject, limit = 5): MatchResult[] {
    return this.rank(prepare(subject), limit);
  }

  private rank(s: Prepared, limit: number): MatchResult[] {
    for (const key of [s.nhs && `n:${s.nhs}`, s.upn && `u:${s.upn}`, s.police && `p:${s.police}`]) {
      const n = key ? this.strong.get(key) : undefined;
      if (n !== undefined) return [{ personId: this.ids[n], ...explained(s, this.people[n]) }];
    }
    // Score everyone in the blocks cheaply; explain only the few that are returned.
    const top: { n: number; score: number }[] = [];
    const keys = queryKeys(s);
    for (let b = 0; b < keys.length; b++) {
      const block = this.blocks.get(keys[b]);
      if (!block) continue;
      for (const n of block) {
        if (b > 0 && top.some((t) => t.n === n)) continue;
        const score = scorePrepared(s, this.people[n]);
        if (score <= 0 || (top.length === limit && score <= top[limit - 1].score)) continue;
        top.push({ n, score });
        top.sort((x, y) => y.score - x.score);
        if (top.length > limit) top.pop();
      }
    }
    return top.map(({ n }) => ({ personId: this.ids[n], ...explained(s, this.people[n]) }));
  }
}

/**
 * Where a person is filed. `df`: date of birth and the first letter of each family-name part (a
 * person with no family name files under `?`); `s`: postcode district and family-name sound.
 */
function blockKeys(p: Prepared): string[] {
  const keys: string[] = [];
  if (p.dob) {
    if (p.family.parts.length) for (const part of p.family.parts) keys.push(`df:${p.dob}:${part[0]}`);
    else keys.push(`df:${p.dob}:?`);
    keys.push(`d:${p.dob}`);
  }
  if (p.postcode && p.family.full) keys.push(`s:${outward(p.postcode)}:${p.family.sound}`);
  return keys;
}

/**
 * Where to look for a subject. With a family name, the date-of-birth blocks of its initials and of
 * people with no family name; without one, everyone born that day. Only a family-name typo in
 * the first letter plus an exact date of birth escapes these blocks.
 */
function queryKeys(s: Prepared): string[] {
  const keys: string[] = [];
  if (s.dob) {
    if (s.family.parts.length) {
      for (const part of s.family.parts) keys.push(`df:${s.dob}:${part[0]}`);
      keys.push(`df:${s.dob}:?`);
    } else {
      keys.push(`d:${s.dob}`);
    }
  }
  if (s.postcode && s.family.full) keys.push(`s:${outward(s.postcode)}:${s.family.sound}`);
  return [...new Set(keys)];
}

/** Where a person is filed, for a store other than this in-memory index (triage.person_blocks). */
export function blockKeysOf(person: MatchSubject): string[] {
  return [...new Set(blockKeys(prepare(person)))];
}

/** The blocks to read to find candidates for a subject: the same keys the in-memory index reads. */
export function queryKeysOf(subject: MatchSubject): string[] {
  return queryKeys(prepare(subject));
}

export interface Ranked {
  /** The person to link to: at or over the threshold and clear of the runner-up. */
  best?: MatchResult;
  /** Every candidate scored above 0, best first, each with its reasons. */
  candidates: MatchResult[];
  /** Why there is no link when candidates exist: below threshold, or two too close to call. */
  undecided?: string;
}

/**
 * Decides among candidates read from a store (strong-identifier hits and block members): the same
 * scoring, threshold and margin as PersonIndex.match, so both give the same answer.
 */
export function rankCandidates(subject: MatchSubject, people: readonly KnownPerson[], options: PersonIndexOptions = {}): Ranked {
  const threshold = options.threshold ?? 0.8;
  const margin = options.margin ?? 0.05;
  const s = prepare(subject);
  for (const [key] of STRONG) {
    if (!s[key]) continue;
    const hit = people.find((p) => prepare(p)[key] === s[key]);
    if (hit) {
      const r = { personId: hit.personId, ...explained(s, prepare(hit)) };
      return { best: r, candidates: [r] };
    }
  }
  const seen = new Set<string>();
  const candidates: MatchResult[] = [];
  for (const p of people) {
    if (seen.has(p.personId)) continue;
    seen.add(p.personId);
    const r = explained(s, prepare(p));
    if (r.score > 0) candidates.push({ personId: p.personId, ...r });
  }
  candidates.sort((a, b) => b.score - a.score || a.personId.localeCompare(b.personId));
  const [best, next] = candidates;
  if (!best) return { candidates };
  if (best.score < threshold) return { candidates, undecided: `best score ${best.score} is under the threshold ${threshold}` };
  if (next && best.score - next.score < margin)
    return { candidates, undecided: `${best.personId} and ${next.personId} score within ${margin} of each other` };
  return { best, candidates };
}
