import type { EntityManager } from 'typeorm';
import { caseValues, NewCase, RatingEntry, ratingValues } from '../cases/cases.repository';
import { contactLookupOf, contactValues, NewContact, SubjectLink } from '../contacts/contacts.repository';
import { lookupOf, NewPerson } from '../people/people.repository';

/**
 * What an intake writes once everything is decided, in one statement (docs/architecture.md, "A
 * contact's intake: reads under its locks, then one write"): a new case and its first rating (or
 * neither, for a report joining a case), the people the contact files, the contact, its links to
 * people and the blocks its people are filed under. What the intake reads after matching does not
 * need them written (see people.ts, linkSubjects); the locks guarding them were required when they
 * were chosen. Foreign keys between these rows are checked at the statement's end, when all are in.
 */
export interface FiledContact {
  newCase?: NewCase;
  rating?: { caseId: string; entry: RatingEntry };
  contact: NewContact;
  /** The people the contact files, with the household they join (if any). */
  newPersons: (NewPerson & { householdId?: string })[];
  subjects: SubjectLink[];
  blocks: { personId: string; block: string }[];
}

const placeholders = (from: number, n: number) => Array.from({ length: n }, (_, i) => `$${from + i}`).join(', ');

export async function fileContact(m: EntityManager, f: FiledContact): Promise<void> {
  const e = f.contact.event;
  const pairs = [...new Map(f.blocks.map((b) => [`${b.block}\u0000${b.personId}`, b])).values()];
  const params: unknown[] = [
    e.contactId,
    f.contact.caseId,
    e.receivedAt,
    JSON.stringify(f.subjects.map((l) => ({ ...l, score: l.score ?? null }))),
    pairs.map((b) => lookupOf.block(b.block)),
    pairs.map((b) => b.personId),
    ...contactValues(f.contact),
    JSON.stringify(f.newPersons.map((p) => ({ ...p, householdId: p.householdId ?? null }))),
  ];
  // An identifier another person in the table holds (the same child listed twice) is not copied.
  const parts: string[] = [
    `new_persons AS (INSERT INTO triage.persons (person_id, identity, sex, nhs_number, upn, police_person_id, household_id)
     SELECT s."personId", s.identity, s.sex,
       CASE WHEN EXISTS (SELECT 1 FROM triage.persons WHERE nhs_number = s."nhsNumber") THEN NULL ELSE s."nhsNumber" END,
       CASE WHEN EXISTS (SELECT 1 FROM triage.persons WHERE upn = s.upn) THEN NULL ELSE s.upn END,
       CASE WHEN EXISTS (SELECT 1 FROM triage.persons WHERE police_person_id = s."policePersonId") THEN NULL ELSE s."policePersonId" END,
       s."householdId"
       FROM jsonb_to_recordset($19::jsonb) AS s("personId" text, identity text, sex text, "nhsNumber" text, upn text, "policePersonId" text, "householdId" text))`,
  ];
  if (f.newCase) {
    const at = params.length + 1;
    params.push(...caseValues(f.newCase));
    parts.push(
      `new_case AS (INSERT INTO triage.cases (case_id, contact_id, source_agency, received_at, start_rating, current_rating, rule_ids, reasons, policy_version, deadline, lawful_basis, check_plan, allocated_worker, household_id)
       VALUES ($${at}, $${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 4}, ${placeholders(at + 5, 8)}))`,
    );
  }
  if (f.rating) {
    const at = params.length + 1;
    params.push(...ratingValues(f.rating.caseId, f.rating.entry));
    parts.push(
      `rating AS (INSERT INTO triage.ratings (case_id, stage, rating, rule_ids, reasons, policy_version, rated_by, reason) VALUES (${placeholders(at, 8)}))`,
    );
  }
  parts.push(
    `contact AS (INSERT INTO triage.contacts (contact_id, case_id, source_agency, received_at, incident_at, incident_ref, address_key, duplicate_of, duplicate_reasons, rating, rule_ids, body)
     VALUES (${placeholders(7, 12)}))`,
    `links AS (INSERT INTO triage.contact_subjects (contact_id, subject_ref, person_id, case_id, kind, received_at, matched_by, score, match_reasons)
     SELECT $1::text, s."subjectRef", s."personId", $2::text, s.kind, $3::timestamptz, s."matchedBy", s.score, s.reasons
       FROM jsonb_to_recordset($4::jsonb) AS s("subjectRef" text, "personId" text, kind text, "matchedBy" text, score real, reasons jsonb))`,
  );
  await m.query(
    `WITH ${parts.join(',\n')}
     INSERT INTO triage.person_blocks (block, person_id) SELECT * FROM unnest($5::text[], $6::text[]) ON CONFLICT DO NOTHING`,
    params,
  );
}

/**
 * Who holds any of the identifiers or is filed under any of the blocks, with their household, and
 * the cases of the contacts this one may be a second report of (the same incident reference, or
 * inside the window at the same address or about one of those people): one round trip for a
 * whole contact, read without any lock (only a guess at the locks to take).
 */
export async function nearby(
  m: EntityManager,
  q: {
    nhsNumbers: string[];
    upns: string[];
    policePersonIds: string[];
    blocks: string[];
    incidentRef?: string;
    addressKey?: string;
    incidentAt: string;
    windowHours: number;
  },
): Promise<{ persons: { personId: string; householdId?: string }[]; caseIds: string[] }> {
  const rows: { person_id: string | null; household_id: string | null; case_id: string | null }[] = await m.query(
    `WITH near AS (
       SELECT person_id, household_id FROM triage.persons WHERE nhs_number = ANY($1::text[]) OR upn = ANY($2::text[]) OR police_person_id = ANY($3::text[])
       UNION
       SELECT p.person_id, p.household_id FROM triage.persons p WHERE p.person_id IN (SELECT person_id FROM triage.person_blocks WHERE block = ANY($4::text[]))),
     w AS (SELECT $7::timestamptz - make_interval(hours => $8) AS lo, $7::timestamptz + make_interval(hours => $8) AS hi)
     SELECT person_id, household_id, NULL AS case_id FROM near
     UNION ALL
     SELECT NULL, NULL, case_id FROM (
       SELECT case_id FROM triage.contacts WHERE incident_ref = $5
       UNION
       SELECT c.case_id FROM triage.contacts c, w WHERE c.address_key = $6 AND c.incident_at BETWEEN w.lo AND w.hi
       UNION
       SELECT c.case_id FROM triage.contact_subjects cs JOIN triage.contacts c USING (contact_id), w
        WHERE cs.person_id IN (SELECT person_id FROM near) AND c.incident_at BETWEEN w.lo AND w.hi) k`,
    [
      q.nhsNumbers.map(lookupOf.nhs),
      q.upns.map(lookupOf.upn),
      q.policePersonIds.map(lookupOf.police),
      q.blocks.map(lookupOf.block),
      contactLookupOf.incident(q.incidentRef),
      contactLookupOf.address(q.addressKey),
      q.incidentAt,
      q.windowHours,
    ],
  );
  return {
    persons: rows.filter((r) => r.person_id).map((r) => ({ personId: r.person_id!, householdId: r.household_id ?? undefined })),
    caseIds: rows.filter((r) => r.case_id).map((r) => r.case_id!),
  };
}
