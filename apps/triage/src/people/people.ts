import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { ContactReceived, ContactSubject } from '@mash/contracts';
import type { RepeatTrigger } from '@mash/policy';
import { otherCasesOfPersons } from '../contacts/contacts.repository';
import { blockLock, IntakeLocks, lockKey } from '../intake/intakeLocks';
import { addressKey, blockKeysOf, KnownPerson, MatchSubject, queryKeysOf, rankCandidates, subjectForMatching } from '../matching';
import { assessRepeats, monthsBefore, RepeatAssessment } from '../repeats';
import { nearby } from '../intake/intake.repository';
import {
  candidatesOf,
  enrichPerson,
  householdsOf,
  identifierKey,
  IdentifierColumn,
  NewPerson,
  personColumns,
  personsByIdentifiers,
  personsInBlocks,
  settleHousehold,
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
  /**
   * The people this contact files, and where the linked people are to be filed (their locks
   * already required): written with the contact at the intake's end (intake.repository.ts).
   * Until then no read of this intake's finds them, and none needs to: a person filed for one
   * subject is linked, and a linked person is no candidate for the next. What their rows would
   * still have changed is kept here: the identifiers they hold (see `heldByNew`).
   */
  newPersons: NewPerson[];
  blocks: { personId: string; block: string }[];
}

/** Matches each subject to a known person or files a new one; two subjects of one contact are never one person. */
export async function linkSubjects(m: EntityManager, e: ContactReceived, locks: IntakeLocks): Promise<Linked> {
  const postcode = e.contact.household?.address?.postcode;
  const linked: LinkedSubject[] = [];
  const candidateIds = new Set<string>();
  const newPersons: NewPerson[] = [];
  // The identifier digests the new people hold: a later subject with one of them is found by it
  // (so its blocks are not searched), and no one else may take it.
  const heldByNew = new Set<string>();
  const blocks: { personId: string; block: string }[] = [];
  const file = (personId: string, keys: string[]) => blocks.push(...keys.map((block) => ({ personId, block })));
  for (const subject of e.contact.subjects) {
    const ms = subjectForMatching(subject, postcode);
    const columns = personColumns(ms);
    const digests = [
      ['nhs_number', columns.nhsNumber],
      ['upn', columns.upn],
      ['police_person_id', columns.policePersonId],
    ] as const;
    const { strong, inBlocks } = await candidatesOf(m, ms, queryKeysOf(ms));
    // Whoever was read is locked before anything read about them is used.
    const read = [...strong, ...inBlocks];
    locks.require(read.map((p) => lockKey.person(p.personId)));
    for (const p of read) candidateIds.add(p.personId);

    const taken = new Set(linked.map((l) => l.personId));
    const foundByIdentifier = strong.length > 0 || digests.some(([col, d]) => d && heldByNew.has(identifierKey(col, d)));
    const people = (foundByIdentifier ? strong : inBlocks).filter((p) => !taken.has(p.personId));
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
      const now = await enrichPerson(m, ranked.best.personId, ms, heldByNew);
      const keys = blockKeysOf(now);
      locks.require(keys.map(blockLock));
      file(ranked.best.personId, keys);
    } else {
      const personId = `P-${hash(`${e.contactId}:${subject.subjectRef}`)}`;
      // An identifier another new person holds is not copied (one in the table is left out when written).
      const own = (col: IdentifierColumn, digest: string | null) => (digest && !heldByNew.has(identifierKey(col, digest)) ? digest : null);
      const person: NewPerson = {
        personId,
        ...columns,
        nhsNumber: own('nhs_number', columns.nhsNumber),
        upn: own('upn', columns.upn),
        policePersonId: own('police_person_id', columns.policePersonId),
      };
      newPersons.push(person);
      for (const [col, digest] of [
        ['nhs_number', person.nhsNumber],
        ['upn', person.upn],
        ['police_person_id', person.policePersonId],
      ] as const)
        if (digest) heldByNew.add(identifierKey(col, digest));
      file(personId, blockKeysOf(ms));
      const reasons = ranked.undecided ? [`new person: ${ranked.undecided}`] : ['new person: no candidate'];
      linked.push({ subject, personId, matchedBy: 'new', reasons });
    }
  }
  return { linked, candidateIds: [...candidateIds].sort(), newPersons, blocks };
}

/**
 * The person, household and case locks the contact will most likely need, read without any lock:
 * only a guess to take them in the first round (saving a round per lock found missing), never
 * trusted. The cases are those a second report of one incident may join (see IntakeService).
 */
export async function likelyLockKeys(m: EntityManager, e: ContactReceived, duplicateWindowHours: number): Promise<string[]> {
  const postcode = e.contact.household?.address?.postcode;
  const subjects = e.contact.subjects.map((s) => subjectForMatching(s, postcode));
  const present = (xs: (string | undefined)[]) => xs.filter((x): x is string => !!x);
  const near = await nearby(m, {
    nhsNumbers: present(subjects.map((s) => s.nhsNumber)),
    upns: present(subjects.map((s) => s.upn)),
    policePersonIds: present(subjects.map((s) => s.policePersonId)),
    blocks: [...new Set(subjects.flatMap(queryKeysOf))],
    incidentRef: e.contact.incident?.reference,
    addressKey: addressKey(e),
    incidentAt: e.contact.incident?.occurredAt ?? e.receivedAt,
    windowHours: duplicateWindowHours,
  });
  return [
    ...near.persons.map((p) => lockKey.person(p.personId)),
    ...present(near.persons.map((p) => p.householdId)).map(lockKey.household),
    ...near.caseIds.map(lockKey.case),
  ];
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
 * to (several are merged into the first), else a new one. Also says whether the household was in
 * an earlier contact (another case than `caseId`: a duplicate report does not count). The people
 * the contact files are not written yet: they join it as they are written (`members`).
 */
export async function linkHousehold(
  m: EntityManager,
  contactId: string,
  linked: LinkedSubject[],
  caseId: string,
  locks: IntakeLocks,
): Promise<{ householdId: string; known: boolean; members: string[] } | undefined> {
  const members = householdMembers(linked);
  if (!members.length) return undefined;
  const existing = await householdsOf(m, members);
  locks.require(existing.map(lockKey.household));
  const householdId = existing[0] ?? `HH-${hash(contactId)}`;
  const known = await settleHousehold(m, { householdId, create: !existing[0], merged: existing.slice(1), personIds: members, caseId });
  return { householdId, known, members };
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
  const children = linked.filter((l) => l.subject.kind !== 'adult').map((l) => l.personId);
  const earlier = await otherCasesOfPersons(m, children, caseId, from, now);
  for (const personId of children) {
    const a = assessRepeats(earlier.get(personId) ?? [], now, trigger);
    if (!worst || a.count > worst.count) worst = { ...a, personId };
  }
  return worst;
}
