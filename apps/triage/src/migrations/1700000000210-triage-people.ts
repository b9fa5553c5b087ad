import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * People, households, contacts, open cases and consent overrides: everything a rating rests on
 * lives in Postgres, so a restarted or second triage replica rates exactly as the first.
 */
export class TriagePeople1700000000210 implements MigrationInterface {
  name = 'TriagePeople1700000000210';
  async up(q: QueryRunner): Promise<void> {
    // start_rating stays the first rating (the matrix's row); current_rating follows revisions.
    await q.query(`ALTER TABLE triage.cases
      ADD COLUMN current_rating text,
      ADD COLUMN revision integer NOT NULL DEFAULT 1,
      ADD COLUMN allocated_worker text,
      ADD COLUMN household_id text,
      ADD COLUMN end_rule_ids jsonb,
      ADD COLUMN end_reasons jsonb,
      ADD COLUMN ended_at timestamptz,
      ADD COLUMN rating_change_reason text,
      ADD COLUMN decided_by text,
      ADD COLUMN decided_at timestamptz`);
    await q.query(`UPDATE triage.cases SET current_rating = start_rating WHERE current_rating IS NULL`);
    await q.query(`CREATE INDEX cases_received_at ON triage.cases (received_at)`);

    await q.query(`CREATE TABLE triage.households (
      household_id text PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE triage.persons (
      person_id text PRIMARY KEY,
      given_name text,
      family_name text,
      date_of_birth text,
      postcode text,
      sex text,
      nhs_number text,
      upn text,
      police_person_id text,
      household_id text REFERENCES triage.households(household_id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    // A strong identifier names one person; the unique indexes are also the lookups.
    await q.query(`CREATE UNIQUE INDEX persons_nhs ON triage.persons (nhs_number) WHERE nhs_number IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX persons_upn ON triage.persons (upn) WHERE upn IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX persons_police ON triage.persons (police_person_id) WHERE police_person_id IS NOT NULL`);
    await q.query(`CREATE INDEX persons_household ON triage.persons (household_id)`);
    // Blocking keys (date of birth + family initial; postcode district + surname sound): a match
    // reads a few small blocks through this index, never the whole table.
    await q.query(`CREATE TABLE triage.person_blocks (
      block text NOT NULL,
      person_id text NOT NULL REFERENCES triage.persons(person_id),
      PRIMARY KEY (block, person_id)
    )`);

    await q.query(`CREATE TABLE triage.contacts (
      contact_id text PRIMARY KEY,
      case_id text NOT NULL REFERENCES triage.cases(case_id),
      source_agency text NOT NULL,
      received_at timestamptz NOT NULL,
      incident_at timestamptz NOT NULL,
      incident_ref text,
      duplicate_of text,
      duplicate_reasons jsonb,
      rating text NOT NULL,
      rule_ids jsonb NOT NULL,
      body jsonb NOT NULL
    )`);
    await q.query(`CREATE INDEX contacts_incident_at ON triage.contacts (incident_at)`);
    await q.query(`CREATE INDEX contacts_incident_ref ON triage.contacts (incident_ref) WHERE incident_ref IS NOT NULL`);
    await q.query(`CREATE INDEX contacts_case ON triage.contacts (case_id)`);

    // One contact about several children is one row per child here, not several contacts.
    await q.query(`CREATE TABLE triage.contact_subjects (
      contact_id text NOT NULL REFERENCES triage.contacts(contact_id),
      subject_ref text NOT NULL,
      person_id text NOT NULL REFERENCES triage.persons(person_id),
      case_id text NOT NULL,
      kind text NOT NULL,
      received_at timestamptz NOT NULL,
      matched_by text NOT NULL CHECK (matched_by IN ('identifier', 'score', 'new')),
      score real,
      match_reasons jsonb NOT NULL DEFAULT '[]',
      PRIMARY KEY (contact_id, subject_ref)
    )`);
    await q.query(`CREATE INDEX contact_subjects_person ON triage.contact_subjects (person_id, received_at)`);

    // Children open to social care, with the allocated worker (seeded from a file for the demo;
    // a deployment feeds it from the case-management system).
    await q.query(`CREATE TABLE triage.open_cases (
      open_case_id text PRIMARY KEY,
      nhs_number text,
      upn text,
      police_person_id text,
      allocated_worker text NOT NULL,
      team text,
      source text NOT NULL,
      loaded_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX open_cases_nhs ON triage.open_cases (nhs_number) WHERE nhs_number IS NOT NULL`);
    await q.query(`CREATE INDEX open_cases_upn ON triage.open_cases (upn) WHERE upn IS NOT NULL`);
    await q.query(`CREATE INDEX open_cases_police ON triage.open_cases (police_person_id) WHERE police_person_id IS NOT NULL`);

    // The audit of every consent override: who, why, on what basis, when, and what it widened.
    await q.query(`CREATE TABLE triage.consent_overrides (
      override_id text PRIMARY KEY,
      case_id text NOT NULL REFERENCES triage.cases(case_id),
      recorded_at timestamptz NOT NULL,
      recorded_by_name text NOT NULL,
      recorded_by_role text NOT NULL,
      principal text NOT NULL,
      basis text NOT NULL,
      reason text NOT NULL,
      revision integer NOT NULL,
      plan_before jsonb NOT NULL,
      plan_added jsonb NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX consent_overrides_case ON triage.consent_overrides (case_id)`);
  }
  async down(q: QueryRunner): Promise<void> {
    for (const t of ['consent_overrides', 'open_cases', 'contact_subjects', 'contacts', 'person_blocks', 'persons', 'households']) {
      await q.query(`DROP TABLE IF EXISTS triage.${t}`);
    }
    await q.query(`DROP INDEX IF EXISTS triage.cases_received_at`);
    await q.query(`ALTER TABLE triage.cases DROP COLUMN current_rating, DROP COLUMN revision, DROP COLUMN allocated_worker, DROP COLUMN household_id,
      DROP COLUMN end_rule_ids, DROP COLUMN end_reasons, DROP COLUMN ended_at, DROP COLUMN rating_change_reason, DROP COLUMN decided_by, DROP COLUMN decided_at`);
  }
}
