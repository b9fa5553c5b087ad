import type { EntityManager } from 'typeorm';
import { affectedRows, dataKeys } from '@mash/at-rest';
import type { KnownPerson, MatchSubject } from '../matching';

/**
 * People, their blocking keys and households (triage.persons, triage.person_blocks,
 * triage.households): the only place their SQL lives. Rows come out as KnownPerson values.
 *
 * At rest (docs/architecture.md, "Encryption at rest"): names, date of birth, postcode and the
 * identifiers are one sealed `identity` per person; nhs_number, upn, police_person_id and the
 * blocking keys hold keyed digests only, so the unique indexes and block lookups still match exactly.
 */

interface PersonRow {
  person_id: string;
  identity: string | null;
  sex: KnownPerson['sex'] | null;
  nhs_number: string | null;
  upn: string | null;
  police_person_id: string | null;
  household_id: string | null;
}

/** What `identity` seals. */
type Identity = Pick<KnownPerson, 'givenName' | 'familyName' | 'dateOfBirth' | 'postcode' | 'nhsNumber' | 'upn' | 'policePersonId'>;

export const lookupOf = {
  nhs: (v: string | undefined) => (v ? dataKeys().lookup('nhs', v) : null),
  upn: (v: string | undefined) => (v ? dataKeys().lookup('upn', v.toUpperCase()) : null),
  police: (v: string | undefined) => (v ? dataKeys().lookup('police', v) : null),
  block: (v: string) => dataKeys().lookup('block', v),
};

const u = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
function known(r: PersonRow): StoredPerson {
  const id: Identity = r.identity ? dataKeys().openJson<Identity>(r.identity) : {};
  return {
    householdId: u(r.household_id),
    personId: r.person_id,
    givenName: id.givenName,
    familyName: id.familyName,
    dateOfBirth: id.dateOfBirth,
    postcode: id.postcode,
    // An identifier counts only while the row holds its digest (another person may hold it instead).
    sex: u(r.sex),
    nhsNumber: r.nhs_number && r.nhs_number === lookupOf.nhs(id.nhsNumber) ? id.nhsNumber : undefined,
    upn: r.upn && r.upn === lookupOf.upn(id.upn) ? id.upn?.toUpperCase() : undefined,
    policePersonId: r.police_person_id && r.police_person_id === lookupOf.police(id.policePersonId) ? id.policePersonId : undefined,
  };
}

/** A known person as stored: what matching scores, and the household they are in. */
export interface StoredPerson extends KnownPerson {
  householdId?: string;
}

function identityOf(s: Identity): Identity {
  const pick: Identity = {};
  for (const k of ['givenName', 'familyName', 'dateOfBirth', 'postcode', 'nhsNumber', 'upn', 'policePersonId'] as const)
    if (s[k]) pick[k] = s[k];
  return pick;
}

/** People holding any of the subject's strong identifiers (through the unique indexes). */
export async function personsByIdentifiers(m: EntityManager, s: MatchSubject): Promise<StoredPerson[]> {
  if (!s.nhsNumber && !s.upn && !s.policePersonId) return [];
  const rows: PersonRow[] = await m.query(`SELECT * FROM triage.persons WHERE nhs_number = $1 OR upn = $2 OR police_person_id = $3`, [
    lookupOf.nhs(s.nhsNumber),
    lookupOf.upn(s.upn),
    lookupOf.police(s.policePersonId),
  ]);
  return rows.map(known);
}

/** People filed under any of the blocking keys. */
export async function personsInBlocks(m: EntityManager, keys: string[]): Promise<StoredPerson[]> {
  if (!keys.length) return [];
  const rows: PersonRow[] = await m.query(
    `SELECT p.* FROM triage.persons p WHERE p.person_id IN (SELECT person_id FROM triage.person_blocks WHERE block = ANY($1::text[]))`,
    [keys.map(lookupOf.block)],
  );
  return rows.map(known);
}

/**
 * One subject's candidates in one round trip: who holds any of its strong identifiers, and who is
 * filed under any of its query blocks, each person once with which of the two found them.
 */
export async function candidatesOf(
  m: EntityManager,
  s: MatchSubject,
  keys: string[],
): Promise<{ strong: StoredPerson[]; inBlocks: StoredPerson[] }> {
  const rows: (PersonRow & { strong: boolean; in_block: boolean })[] = await m.query(
    `SELECT p.*, bool_or(k.strong) AS strong, bool_or(NOT k.strong) AS in_block FROM (
       SELECT person_id, true AS strong FROM triage.persons WHERE nhs_number = $1 OR upn = $2 OR police_person_id = $3
       UNION ALL
       SELECT person_id, false FROM triage.person_blocks WHERE block = ANY($4::text[])) k
     JOIN triage.persons p USING (person_id) GROUP BY p.person_id`,
    [lookupOf.nhs(s.nhsNumber), lookupOf.upn(s.upn), lookupOf.police(s.policePersonId), keys.map(lookupOf.block)],
  );
  const people = rows.map((r) => ({ row: r, person: known(r) }));
  return {
    strong: people.filter((x) => x.row.strong).map((x) => x.person),
    inBlocks: people.filter((x) => x.row.in_block).map((x) => x.person),
  };
}

export async function personById(m: EntityManager, personId: string): Promise<StoredPerson | undefined> {
  const [row]: PersonRow[] = await m.query(`SELECT * FROM triage.persons WHERE person_id = $1`, [personId]);
  return row ? known(row) : undefined;
}

/**
 * A person's columns as stored: the sealed identity and the identifiers' keyed digests. Also what
 * the matching bench (bench/triagePgMatching.ts) bulk-loads, so it measures rows as triage writes them.
 */
export function personColumns(s: MatchSubject): {
  identity: string;
  sex: string | null;
  nhsNumber: string | null;
  upn: string | null;
  policePersonId: string | null;
} {
  return {
    identity: dataKeys().sealJson(identityOf({ ...s, upn: s.upn?.toUpperCase() })),
    sex: s.sex ?? null,
    nhsNumber: lookupOf.nhs(s.nhsNumber),
    upn: lookupOf.upn(s.upn),
    policePersonId: lookupOf.police(s.policePersonId),
  };
}

/** A person to be filed with the contact (intake.repository.ts), as personColumns gives them. */
export interface NewPerson extends ReturnType<typeof personColumns> {
  personId: string;
}

export type IdentifierColumn = 'nhs_number' | 'upn' | 'police_person_id';
/** One identifier column's digest, as a key for a set of digests held. */
export const identifierKey = (col: IdentifierColumn, digest: string) => `${col}:${digest}`;

/** A new person; an identifier another person already holds (the same child listed twice) is not copied. */
export async function insertPerson(m: EntityManager, personId: string, s: MatchSubject): Promise<void> {
  const c = personColumns(s);
  await m.query(
    `INSERT INTO triage.persons (person_id, identity, sex, nhs_number, upn, police_person_id)
     VALUES ($1, $2, $3,
       CASE WHEN EXISTS (SELECT 1 FROM triage.persons WHERE nhs_number = $4) THEN NULL ELSE $4 END,
       CASE WHEN EXISTS (SELECT 1 FROM triage.persons WHERE upn = $5) THEN NULL ELSE $5 END,
       CASE WHEN EXISTS (SELECT 1 FROM triage.persons WHERE police_person_id = $6) THEN NULL ELSE $6 END)`,
    [personId, c.identity, c.sex, c.nhsNumber, c.upn, c.policePersonId],
  );
}

/**
 * What a new contact adds to a known person: identifiers they lacked (unless another person holds
 * them), a newer postcode, names and date of birth they lacked. Returns the person as now stored.
 * The caller holds the person's intake lock, so the read-merge-write of the sealed identity is not raced.
 */
export async function enrichPerson(
  m: EntityManager,
  personId: string,
  s: MatchSubject,
  heldByNew: ReadonlySet<string> = new Set(),
): Promise<StoredPerson> {
  const fields: [IdentifierColumn, string | null][] = [
    ['nhs_number', lookupOf.nhs(s.nhsNumber)],
    ['upn', lookupOf.upn(s.upn)],
    ['police_person_id', lookupOf.police(s.policePersonId)],
  ];
  for (const [col, value] of fields) {
    // Held by a person this contact files (not written yet): as taken as one in the table.
    if (!value || heldByNew.has(identifierKey(col, value))) continue;
    await m.query(
      `UPDATE triage.persons SET ${col} = $2, updated_at = now() WHERE person_id = $1 AND ${col} IS NULL
         AND NOT EXISTS (SELECT 1 FROM triage.persons WHERE ${col} = $2)`,
      [personId, value],
    );
  }
  const [row]: PersonRow[] = await m.query(`SELECT * FROM triage.persons WHERE person_id = $1 FOR UPDATE`, [personId]);
  const was: Identity = row.identity ? dataKeys().openJson<Identity>(row.identity) : {};
  const now = identityOf({
    givenName: was.givenName ?? s.givenName,
    familyName: was.familyName ?? s.familyName,
    dateOfBirth: was.dateOfBirth ?? s.dateOfBirth,
    postcode: s.postcode ?? was.postcode,
    // The identifier the row holds the digest of: its own, or the one just added.
    nhsNumber:
      row.nhs_number === lookupOf.nhs(was.nhsNumber)
        ? was.nhsNumber
        : row.nhs_number === lookupOf.nhs(s.nhsNumber)
          ? s.nhsNumber
          : undefined,
    upn: row.upn === lookupOf.upn(was.upn) ? was.upn : row.upn === lookupOf.upn(s.upn) ? s.upn?.toUpperCase() : undefined,
    policePersonId:
      row.police_person_id === lookupOf.police(was.policePersonId)
        ? was.policePersonId
        : row.police_person_id === lookupOf.police(s.policePersonId)
          ? s.policePersonId
          : undefined,
  });
  const identity = dataKeys().sealJson(now);
  await m.query(`UPDATE triage.persons SET identity = $2, updated_at = now() WHERE person_id = $1`, [personId, identity]);
  return known({ ...row, identity });
}

/** The households the people already belong to, in id order. */
export async function householdsOf(m: EntityManager, personIds: string[]): Promise<string[]> {
  const rows: { household_id: string }[] = await m.query(
    `SELECT DISTINCT household_id FROM triage.persons WHERE person_id = ANY($1::text[]) AND household_id IS NOT NULL ORDER BY household_id`,
    [personIds],
  );
  return rows.map((r) => r.household_id);
}

/**
 * The household settled in one statement: created if `create`, everyone in `merged` moved into it
 * and `personIds` joined to it; returns whether anyone now in it is in a contact of another case.
 * The statement reads the rows as they were before its own writes, so "now in it" is spelled out:
 * those already in it or in a merged household, and the joining people.
 */
export async function settleHousehold(
  m: EntityManager,
  h: { householdId: string; create: boolean; merged: string[]; personIds: string[]; caseId: string },
): Promise<boolean> {
  const [row]: { known: boolean }[] = await m.query(
    `WITH created AS (INSERT INTO triage.households (household_id) SELECT $1 WHERE $4::boolean ON CONFLICT DO NOTHING),
     moved AS (UPDATE triage.persons SET household_id = $1 WHERE household_id = ANY($2::text[]) OR person_id = ANY($3::text[]))
     SELECT EXISTS (SELECT 1 FROM triage.contact_subjects cs JOIN triage.persons p USING (person_id)
       WHERE (p.household_id = $1 OR p.household_id = ANY($2::text[]) OR p.person_id = ANY($3::text[])) AND cs.case_id <> $5) AS known`,
    [h.householdId, h.merged, h.personIds, h.create, h.caseId],
  );
  return row.known;
}

/**
 * Deletes people no contact links to any more (with their blocking keys). created_at < cutoff
 * spares a person whose first contact is being committed right now.
 */
export async function deleteUnlinkedPersons(m: EntityManager, cutoff: Date, batch: number): Promise<number> {
  const ids = (
    (await m.query(
      `SELECT p.person_id FROM triage.persons p WHERE p.created_at < $1
      AND NOT EXISTS (SELECT 1 FROM triage.contact_subjects s WHERE s.person_id = p.person_id) LIMIT $2`,
      [cutoff, batch],
    )) as { person_id: string }[]
  ).map((r) => r.person_id);
  if (!ids.length) return 0;
  await m.query(`DELETE FROM triage.person_blocks WHERE person_id = ANY($1)`, [ids]);
  return affectedRows(await m.query(`DELETE FROM triage.persons WHERE person_id = ANY($1)`, [ids]));
}

/** Deletes households no person and no case refers to any more. */
export async function deleteEmptyHouseholds(m: EntityManager, cutoff: Date, batch: number): Promise<number> {
  return affectedRows(
    await m.query(
      `DELETE FROM triage.households WHERE household_id IN (
       SELECT h.household_id FROM triage.households h WHERE h.created_at < $1
       AND NOT EXISTS (SELECT 1 FROM triage.persons p WHERE p.household_id = h.household_id)
       AND NOT EXISTS (SELECT 1 FROM triage.cases c WHERE c.household_id = h.household_id) LIMIT $2)`,
      [cutoff, batch],
    ),
  );
}
