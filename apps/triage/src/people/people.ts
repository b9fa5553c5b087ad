import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { ContactReceived, ContactSubject } from '@mash/contracts';
import type { RepeatTrigger } from '@mash/policy';
import { blockKeysOf, KnownPerson, MatchSubject, queryKeysOf, rankCandidates, subjectForMatching } from '../matching';
import { assessRepeats, monthsBefore, RepeatAssessment } from '../repeats';

/**
 * People and households in Postgres. Matching reads strong identifiers through unique indexes,
 * then a few blocking-key rows through triage.person_blocks, and scores the candidates with the
 * pure scorer: nothing lives only in memory, so a restart or a second replica matches the same.
 */

export interface LinkedSubject {
  subject: ContactSubject;
  personId: string;
  matchedBy: 'identifier' | 'score' | 'new';
  score?: number;
  reasons: string[];
}

interface PersonRow {
  person_id: string;
  given_name: string | null;
  family_name: string | null;
  date_of_birth: string | null;
  postcode: string | null;
  sex: KnownPerson['sex'] | null;
  nhs_number: string | null;
  upn: string | null;
  police_person_id: string | null;
  household_id: string | null;
}

const u = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
function known(r: PersonRow): KnownPerson {
  return {
    personId: r.person_id, givenName: u(r.given_name), familyName: u(r.family_name), dateOfBirth: u(r.date_of_birth), postcode: u(r.postcode),
    sex: u(r.sex), nhsNumber: u(r.nhs_number), upn: u(r.upn), policePersonId: u(r.police_person_id),
  };
}

const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 20);

/** Candidates for one subject: strong-identifier hits, else the members of its blocks. */
export async function candidatesFor(m: EntityManager, s: MatchSubject): Promise<KnownPerson[]> {
  if (s.nhsNumber || s.upn || s.policePersonId) {
    const strong: PersonRow[] = await m.query(
      `SELECT * FROM triage.persons WHERE nhs_number = $1 OR upn = $2 OR police_person_id = $3`,
      [s.nhsNumber ?? null, s.upn?.toUpperCase() ?? null, s.policePersonId ?? null],
    );
    if (strong.length) return strong.map(known);
  }
  const keys = queryKeysOf(s);
  if (!keys.length) return [];
  const rows: PersonRow[] = await m.query(
    `SELECT p.* FROM triage.persons p WHERE p.person_id IN (SELECT person_id FROM triage.person_blocks WHERE block = ANY($1::text[]))`,
    [keys],
  );
  return rows.map(known);
}

/** Matches each subject to a known person or files a new one; two subjects of one contact are never one person. */
export async function linkSubjects(m: EntityManager, e: ContactReceived): Promise<LinkedSubject[]> {
  const postcode = e.contact.household?.address?.postcode;
  const linked: LinkedSubject[] = [];
  for (const subject of e.contact.subjects) {
    const ms = subjectForMatching(subject, postcode);
    const taken = new Set(linked.map((l) => l.personId));
    const people = (await candidatesFor(m, ms)).filter((p) => !taken.has(p.personId));
    const ranked = rankCandidates(ms, people);
    if (ranked.best) {
      const byId = ranked.best.reasons.some((r) => /^(NHS number|UPN|police person id) matches/.test(r));
      linked.push({ subject, personId: ranked.best.personId, matchedBy: byId ? 'identifier' : 'score', score: ranked.best.score, reasons: ranked.best.reasons });
      await enrich(m, ranked.best.personId, ms);
    } else {
      const personId = `P-${hash(`${e.contactId}:${subject.subjectRef}`)}`;
      await m.query(
        `INSERT INTO triage.persons (person_id, given_name, family_name, date_of_birth, postcode, sex, nhs_number, upn, police_person_id)
         VALUES ($1, $2, $3, $4, $5, $6,
           -- An identifier another person already holds (the same child listed twice) is not copied.
           CASE WHEN EXISTS (SELECT 1 FROM triage.persons WHERE nhs_number = $7) THEN NULL ELSE $7 END,
           CASE WHEN EXISTS (SELECT 1 FROM triage.persons WHERE upn = $8) THEN NULL ELSE $8 END,
           CASE WHEN EXISTS (SELECT 1 FROM triage.persons WHERE police_person_id = $9) THEN NULL ELSE $9 END)`,
        [personId, ms.givenName ?? null, ms.familyName ?? null, ms.dateOfBirth ?? null, ms.postcode ?? null, ms.sex ?? null, ms.nhsNumber ?? null, ms.upn?.toUpperCase() ?? null, ms.policePersonId ?? null],
      );
      await addBlocks(m, personId, ms);
      const reasons = ranked.undecided ? [`new person: ${ranked.undecided}`] : ['new person: no candidate'];
      linked.push({ subject, personId, matchedBy: 'new', reasons });
    }
  }
  return linked;
}

async function addBlocks(m: EntityManager, personId: string, s: MatchSubject): Promise<void> {
  const keys = blockKeysOf(s);
  if (!keys.length) return;
  await m.query(
    `INSERT INTO triage.person_blocks (block, person_id) SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING`,
    [keys, personId],
  );
}

/**
 * What a new contact adds to a known person: identifiers they lacked (unless another person holds
 * them), a newer postcode, and the blocks those file them under. Old blocks stay so the person is
 * still found under the address they were first known at.
 */
async function enrich(m: EntityManager, personId: string, s: MatchSubject): Promise<void> {
  const fields: [string, string | undefined][] = [['nhs_number', s.nhsNumber], ['upn', s.upn?.toUpperCase()], ['police_person_id', s.policePersonId]];
  for (const [col, value] of fields) {
    if (!value) continue;
    await m.query(
      `UPDATE triage.persons SET ${col} = $2, updated_at = now() WHERE person_id = $1 AND ${col} IS NULL
         AND NOT EXISTS (SELECT 1 FROM triage.persons WHERE ${col} = $2)`,
      [personId, value],
    );
  }
  await m.query(
    `UPDATE triage.persons SET postcode = COALESCE($2, postcode), given_name = COALESCE(given_name, $3), family_name = COALESCE(family_name, $4),
       date_of_birth = COALESCE(date_of_birth, $5), updated_at = now() WHERE person_id = $1`,
    [personId, s.postcode ?? null, s.givenName ?? null, s.familyName ?? null, s.dateOfBirth ?? null],
  );
  const [row]: PersonRow[] = await m.query(`SELECT * FROM triage.persons WHERE person_id = $1`, [personId]);
  await addBlocks(m, personId, known(row));
}

/** Who lives in the household the contact describes: children, and adults not said to live elsewhere. */
function householdMembers(linked: LinkedSubject[]): string[] {
  return linked
    .filter(({ subject: s }) => s.kind !== 'adult' || s.residentAtAddress === true || (s.residentAtAddress !== false && s.role !== 'alleged-perpetrator'))
    .map((l) => l.personId);
}

/**
 * Links the contact's household members into one household: the one any of them already belongs
 * to (several are merged into the first), else a new one.
 */
export async function linkHousehold(m: EntityManager, contactId: string, linked: LinkedSubject[]): Promise<string | undefined> {
  const members = householdMembers(linked);
  if (!members.length) return undefined;
  const existing: { household_id: string }[] = await m.query(
    `SELECT DISTINCT household_id FROM triage.persons WHERE person_id = ANY($1::text[]) AND household_id IS NOT NULL ORDER BY household_id`,
    [members],
  );
  let householdId = existing[0]?.household_id;
  if (!householdId) {
    householdId = `HH-${hash(contactId)}`;
    await m.query(`INSERT INTO triage.households (household_id) VALUES ($1) ON CONFLICT DO NOTHING`, [householdId]);
  }
  const others = existing.slice(1).map((h) => h.household_id);
  if (others.length) await m.query(`UPDATE triage.persons SET household_id = $1 WHERE household_id = ANY($2::text[])`, [householdId, others]);
  await m.query(`UPDATE triage.persons SET household_id = $1 WHERE person_id = ANY($2::text[])`, [householdId, members]);
  return householdId;
}

/** Whether the household was in an earlier contact (another case: a duplicate report does not count). */
export async function householdKnown(m: EntityManager, householdId: string, caseId: string): Promise<boolean> {
  const rows = await m.query(
    `SELECT 1 FROM triage.contact_subjects cs JOIN triage.persons p USING (person_id) WHERE p.household_id = $1 AND cs.case_id <> $2 LIMIT 1`,
    [householdId, caseId],
  );
  return rows.length > 0;
}

export interface ChildRepeats extends RepeatAssessment {
  personId: string;
}

/**
 * Contacts per child inside the policy window, one per case (two agencies reporting one incident
 * are one contact here), this one included; the child with the most decides.
 */
export async function repeatsFor(m: EntityManager, linked: LinkedSubject[], caseId: string, now: Date, trigger: RepeatTrigger): Promise<ChildRepeats | undefined> {
  let worst: ChildRepeats | undefined;
  const from = monthsBefore(now, trigger.windowMonths);
  for (const l of linked) {
    if (l.subject.kind === 'adult') continue;
    const rows: { received_at: Date }[] = await m.query(
      `SELECT min(received_at) AS received_at FROM triage.contact_subjects
        WHERE person_id = $1 AND case_id <> $2 AND received_at >= $3 AND received_at <= $4 GROUP BY case_id`,
      [l.personId, caseId, from, now],
    );
    const a = assessRepeats(rows.map((r) => new Date(r.received_at)), now, trigger);
    if (!worst || a.count > worst.count) worst = { ...a, personId: l.personId };
  }
  return worst;
}

export async function recordSubjects(m: EntityManager, contactId: string, caseId: string, receivedAt: string, linked: LinkedSubject[]): Promise<void> {
  for (const l of linked) {
    await m.query(
      `INSERT INTO triage.contact_subjects (contact_id, subject_ref, person_id, case_id, kind, received_at, matched_by, score, match_reasons)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [contactId, l.subject.subjectRef, l.personId, caseId, l.subject.kind, receivedAt, l.matchedBy, l.score ?? null, JSON.stringify(l.reasons)],
    );
  }
}
