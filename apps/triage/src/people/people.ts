import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { ContactReceived, ContactSubject } from '@mash/contracts';
import type { RepeatTrigger } from '@mash/policy';
import { otherCasesOfPerson, householdInOtherCase } from '../contacts/contacts.repository';
import { blockLock, IntakeLocks, lockKey } from '../intake/intakeLocks';
import { blockKeysOf, KnownPerson, MatchSubject, queryKeysOf, rankCandidates, subjectForMatching } from '../matching';
import { assessRepeats, monthsBefore, RepeatAssessment } from '../repeats';
import {
  addBlocks,
  createHousehold,
  enrichPerson,
  householdsOf,
  insertPerson,
  joinHousehold,
  personsByIdentifiers,
  personsInBlocks,
  personsNear,
} from './people.repository';

/**
 * People and households in Postgres. Matching reads strong identifiers through unique indexes,
 * then a few blocking-key rows through triage.person_blocks, and scores the candidates with the
 * pure scorer: nothing lives only in memory, so a restart or a second replica matches the same.
 * Every read names the locks that guard it (IntakeLocks.require) before its result is used.
 */

export interface LinkedSubject {
  subject: ContactSubject;
  personId: string;
  matchedBy: 'identifier' | 'score' | 'new';
  score?: number;
  reasons: string[];
}

const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 20);

/** Candidates for one subject: strong-identifier hits, else the members of its blocks. */
export async function candidatesFor(m: EntityManager, s: MatchSubject): Promise<KnownPerson[]> {
  const strong = await personsByIdentifiers(m, s);
  return strong.length ? strong : personsInBlocks(m, queryKeysOf(s));
}

export interface Linked {
  linked: LinkedSubject[];
  /** Every known person a subject could be (matched or not): whose history a duplicate may be in. */
  candidateIds: string[];
}

/** Matches each subject to a known person or files a new one; two subjects of one contact are never one person. */
export async function linkSubjects(m: EntityManager, e: ContactReceived, locks: IntakeLocks): Promise<Linked> {
  const postcode = e.contact.household?.address?.postcode;
  const linked: LinkedSubject[] = [];
  const candidateIds = new Set<string>();
  const filed = new Set<string>();
  for (const subject of e.contact.subjects) {
    const ms = subjectForMatching(subject, postcode);
    const strong = await personsByIdentifiers(m, ms);
    const inBlocks = await personsInBlocks(m, queryKeysOf(ms));
    // Whoever was read is locked before anything read about them is used (but for the people this
    // contact has just filed, whom no one else can see yet).
    const read = [...strong, ...inBlocks].filter((p) => !filed.has(p.personId));
    locks.require(read.map((p) => lockKey.person(p.personId)));
    for (const p of read) candidateIds.add(p.personId);

    const taken = new Set(linked.map((l) => l.personId));
    const people = (strong.length ? strong : inBlocks).filter((p) => !taken.has(p.personId));
    const ranked = rankCandidates(ms, people);
    if (ranked.best) {
      // Whoever merges the person's household also writes the person's row: one waits for the other.
      const household = people.find((p) => p.personId === ranked.best!.personId)?.householdId;
      if (household) locks.require([lockKey.household(household)]);
      const byId = ranked.best.reasons.some((r) => /^(NHS number|UPN|police person id) matches/.test(r));
      linked.push({
        subject,
        personId: ranked.best.personId,
        matchedBy: byId ? 'identifier' : 'score',
        score: ranked.best.score,
        reasons: ranked.best.reasons,
      });
      // Old blocks stay so the person is still found under the address they were first known at.
      const now = await enrichPerson(m, ranked.best.personId, ms);
      const blocks = blockKeysOf(now);
      locks.require(blocks.map(blockLock));
      await addBlocks(m, ranked.best.personId, blocks);
    } else {
      const personId = `P-${hash(`${e.contactId}:${subject.subjectRef}`)}`;
      await insertPerson(m, personId, ms);
      filed.add(personId);
      await addBlocks(m, personId, blockKeysOf(ms));
      const reasons = ranked.undecided ? [`new person: ${ranked.undecided}`] : ['new person: no candidate'];
      linked.push({ subject, personId, matchedBy: 'new', reasons });
    }
  }
  return { linked, candidateIds: [...candidateIds].sort() };
}

/**
 * The person and household locks the contact will most likely need, read without any lock: only
 * a guess to take them in the first round (saving a round per lock found missing), never trusted.
 */
export async function likelyLockKeys(m: EntityManager, e: ContactReceived): Promise<string[]> {
  const postcode = e.contact.household?.address?.postcode;
  const subjects = e.contact.subjects.map((s) => subjectForMatching(s, postcode));
  const present = (xs: (string | undefined)[]) => xs.filter((x): x is string => !!x);
  const near = await personsNear(m, {
    nhsNumbers: present(subjects.map((s) => s.nhsNumber)),
    upns: present(subjects.map((s) => s.upn)),
    policePersonIds: present(subjects.map((s) => s.policePersonId)),
    blocks: [...new Set(subjects.flatMap(queryKeysOf))],
  });
  return [...near.map((p) => lockKey.person(p.personId)), ...present(near.map((p) => p.householdId)).map(lockKey.household)];
}

/** Who lives in the household the contact describes: children, and adults not said to live elsewhere. */
function householdMembers(linked: LinkedSubject[]): string[] {
  return linked
    .filter(
      ({ subject: s }) =>
        s.kind !== 'adult' || s.residentAtAddress === true || (s.residentAtAddress !== false && s.role !== 'alleged-perpetrator'),
    )
    .map((l) => l.personId);
}

/**
 * Links the contact's household members into one household: the one any of them already belongs
 * to (several are merged into the first), else a new one.
 */
export async function linkHousehold(
  m: EntityManager,
  contactId: string,
  linked: LinkedSubject[],
  locks: IntakeLocks,
): Promise<string | undefined> {
  const members = householdMembers(linked);
  if (!members.length) return undefined;
  const existing = await householdsOf(m, members);
  locks.require(existing.map(lockKey.household));
  let householdId = existing[0];
  if (!householdId) {
    householdId = `HH-${hash(contactId)}`;
    await createHousehold(m, householdId);
  }
  await joinHousehold(m, householdId, existing.slice(1), members);
  return householdId;
}

/** Whether the household was in an earlier contact (another case: a duplicate report does not count). */
export async function householdKnown(m: EntityManager, householdId: string, caseId: string): Promise<boolean> {
  return householdInOtherCase(m, householdId, caseId);
}

export interface ChildRepeats extends RepeatAssessment {
  personId: string;
}

/**
 * Contacts per child inside the policy window, one per case (two agencies reporting one incident
 * are one contact here), this one included; the child with the most decides.
 */
export async function repeatsFor(
  m: EntityManager,
  linked: LinkedSubject[],
  caseId: string,
  now: Date,
  trigger: RepeatTrigger,
): Promise<ChildRepeats | undefined> {
  let worst: ChildRepeats | undefined;
  const from = monthsBefore(now, trigger.windowMonths);
  for (const l of linked) {
    if (l.subject.kind === 'adult') continue;
    const a = assessRepeats(await otherCasesOfPerson(m, l.personId, caseId, from, now), now, trigger);
    if (!worst || a.count > worst.count) worst = { ...a, personId: l.personId };
  }
  return worst;
}
