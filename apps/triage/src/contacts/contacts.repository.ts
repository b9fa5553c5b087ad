import type { EntityManager } from 'typeorm';
import type { ContactReceived, Rating } from '@mash/contracts';
import { affectedRows, dataKeys } from '@mash/at-rest';
import { PRUNABLE_CASES } from '../cases/cases.repository';

/**
 * Contacts and their links to people (triage.contacts, triage.contact_subjects): the only place
 * their SQL lives. Every read here goes through an index on a case, a person, an incident
 * reference or an address: none scans the hub's contacts by time alone.
 *
 * At rest: the body is sealed (a jsonb string); the incident reference and address key are keyed
 * digests, so "same incident" and "same address" stay index lookups without the values.
 */

export const contactLookupOf = {
  incident: (v: string | undefined) => (v ? dataKeys().lookup('incident', v) : null),
  address: (v: string | undefined) => (v ? dataKeys().lookup('address', v) : null),
};

/** A stored body: sealed, or the '{}' retention left (nothing to compare). */
function openBody(body: unknown): ContactReceived {
  return (typeof body === 'string' ? dataKeys().openJson<ContactReceived>(body) : body) as ContactReceived;
}

export async function contactKnown(m: EntityManager, contactId: string): Promise<boolean> {
  return (await m.query(`SELECT 1 FROM triage.contacts WHERE contact_id = $1`, [contactId])).length > 0;
}

export async function caseOfContact(m: EntityManager, contactId: string): Promise<string | undefined> {
  const [row]: { case_id: string }[] = await m.query(`SELECT case_id FROM triage.contacts WHERE contact_id = $1`, [contactId]);
  return row?.case_id;
}

export interface NewContact {
  event: ContactReceived;
  caseId: string;
  incidentAt: string;
  addressKey?: string;
  duplicateOf?: string;
  duplicateReasons?: string[];
  rating: Rating;
  ruleIds: string[];
}

export async function insertContact(m: EntityManager, c: NewContact): Promise<void> {
  await m.query(
    `INSERT INTO triage.contacts (contact_id, case_id, source_agency, received_at, incident_at, incident_ref, address_key, duplicate_of, duplicate_reasons, rating, rule_ids, body)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    contactValues(c),
  );
}

/** A contacts row's values, in the order of insertContact's columns. */
export function contactValues(c: NewContact): unknown[] {
  const e = c.event;
  return [
    e.contactId,
    c.caseId,
    e.sourceAgency,
    e.receivedAt,
    c.incidentAt,
    contactLookupOf.incident(e.contact.incident?.reference),
    contactLookupOf.address(c.addressKey),
    c.duplicateOf ?? null,
    c.duplicateReasons ? JSON.stringify(c.duplicateReasons) : null,
    c.rating,
    JSON.stringify(c.ruleIds),
    JSON.stringify(dataKeys().sealJson(e)),
  ];
}

/**
 * The contacts that could report the same incident: the same incident reference (at any time),
 * or within the window of `incidentAt`, at the same address or about one of `personIds`.
 */
export async function possibleSameIncident(
  m: EntityManager,
  q: { incidentRef?: string; addressKey?: string; personIds: string[]; incidentAt: string; windowHours: number },
): Promise<ContactReceived[]> {
  const rows: { body: unknown }[] = await m.query(
    `WITH w AS (SELECT $4::timestamptz - make_interval(hours => $5) AS lo, $4::timestamptz + make_interval(hours => $5) AS hi)
     SELECT body FROM triage.contacts WHERE contact_id IN (
       SELECT contact_id FROM triage.contacts WHERE incident_ref = $1
       UNION
       SELECT c.contact_id FROM triage.contacts c, w WHERE c.address_key = $2 AND c.incident_at BETWEEN w.lo AND w.hi
       UNION
       SELECT c.contact_id FROM triage.contact_subjects cs JOIN triage.contacts c USING (contact_id), w
        WHERE cs.person_id = ANY($3::text[]) AND c.incident_at BETWEEN w.lo AND w.hi)`,
    [contactLookupOf.incident(q.incidentRef), contactLookupOf.address(q.addressKey), q.personIds, q.incidentAt, q.windowHours],
  );
  // Retention empties the bodies of decided cases past the period: nothing left to compare.
  return rows.map((r) => openBody(r.body)).filter((b) => b && b.contactId);
}

export interface SubjectLink {
  subjectRef: string;
  personId: string;
  kind: string;
  matchedBy: 'identifier' | 'score' | 'new';
  score?: number;
  reasons: string[];
}

export async function recordSubjects(
  m: EntityManager,
  contactId: string,
  caseId: string,
  receivedAt: string,
  links: SubjectLink[],
): Promise<void> {
  for (const l of links) {
    await m.query(
      `INSERT INTO triage.contact_subjects (contact_id, subject_ref, person_id, case_id, kind, received_at, matched_by, score, match_reasons)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [contactId, l.subjectRef, l.personId, caseId, l.kind, receivedAt, l.matchedBy, l.score ?? null, JSON.stringify(l.reasons)],
    );
  }
}

/** For each of the people, when each other case about them was first reported, inside [from, to]: one round trip for them all. */
export async function otherCasesOfPersons(
  m: EntityManager,
  personIds: string[],
  caseId: string,
  from: Date,
  to: Date,
): Promise<Map<string, Date[]>> {
  const out = new Map<string, Date[]>(personIds.map((id) => [id, []]));
  if (!personIds.length) return out;
  const rows: { person_id: string; received_at: Date }[] = await m.query(
    `SELECT person_id, min(received_at) AS received_at FROM triage.contact_subjects
      WHERE person_id = ANY($1::text[]) AND case_id <> $2 AND received_at >= $3 AND received_at <= $4 GROUP BY person_id, case_id`,
    [personIds, caseId, from, to],
  );
  for (const r of rows) out.get(r.person_id)?.push(new Date(r.received_at));
  return out;
}

/** Every contact of the case with its subjects' person links, oldest first. */
export async function caseContactSubjects(
  m: EntityManager,
  caseId: string,
): Promise<{ contact_id: string; body: ContactReceived; subject_ref: string; person_id: string }[]> {
  const rows: { contact_id: string; body: unknown; subject_ref: string; person_id: string }[] = await m.query(
    `SELECT ct.contact_id, ct.body, cs.subject_ref, cs.person_id FROM triage.contacts ct JOIN triage.contact_subjects cs USING (contact_id)
      WHERE ct.case_id = $1 ORDER BY ct.received_at, ct.contact_id`,
    [caseId],
  );
  return rows.map((r) => ({ ...r, body: openBody(r.body) }));
}

/** The report that opened the case (not a duplicate that joined it). */
export async function firstContactOfCase(m: EntityManager, caseId: string): Promise<ContactReceived | undefined> {
  const [first]: { body: unknown }[] = await m.query(
    `SELECT body FROM triage.contacts WHERE case_id = $1 AND duplicate_of IS NULL ORDER BY received_at LIMIT 1`,
    [caseId],
  );
  return first ? openBody(first.body) : undefined;
}

/** Removes the links from contacts to people on cases past retention. */
export async function unlinkSubjectsOfPrunableCases(m: EntityManager, cutoff: Date, batch: number): Promise<number> {
  return affectedRows(
    await m.query(
      `DELETE FROM triage.contact_subjects WHERE (contact_id, subject_ref) IN (
       SELECT contact_id, subject_ref FROM triage.contact_subjects WHERE case_id IN (${PRUNABLE_CASES}) LIMIT $2)`,
      [cutoff, batch],
    ),
  );
}

/** Empties the bodies of contacts on cases past retention (incident_ref and address too: they point at the family). */
export async function stripContactsOfPrunableCases(m: EntityManager, cutoff: Date, batch: number): Promise<number> {
  return affectedRows(
    await m.query(
      `UPDATE triage.contacts SET body = '{}'::jsonb, incident_ref = NULL, address_key = NULL, duplicate_reasons = NULL WHERE contact_id IN (
       SELECT contact_id FROM triage.contacts WHERE body <> '{}'::jsonb AND case_id IN (${PRUNABLE_CASES}) LIMIT $2)`,
      [cutoff, batch],
    ),
  );
}
