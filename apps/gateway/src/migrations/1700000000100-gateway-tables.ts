import { MigrationInterface, QueryRunner } from 'typeorm';

export class GatewayTables1700000000100 implements MigrationInterface {
  name = 'GatewayTables1700000000100';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE gateway.credentials (
      principal text PRIMARY KEY,
      role text NOT NULL CHECK (role IN ('adapter', 'decision-maker', 'ops')),
      token_sha256 text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    // The contact as accepted, and the idempotency key: the same agency reference twice is one contact.
    await q.query(`CREATE TABLE gateway.contacts (
      contact_id text PRIMARY KEY,
      source_agency text NOT NULL,
      agency_reference text NOT NULL,
      received_at timestamptz NOT NULL,
      body jsonb NOT NULL,
      UNIQUE (source_agency, agency_reference)
    )`);
    await q.query(`CREATE TABLE gateway.quarantine (
      id bigserial PRIMARY KEY,
      received_at timestamptz NOT NULL DEFAULT now(),
      sender text NOT NULL,
      channel text NOT NULL,
      status integer NOT NULL,
      reason text NOT NULL,
      errors jsonb NOT NULL DEFAULT '[]',
      raw text NOT NULL,
      raw_bytes integer NOT NULL,
      truncated boolean NOT NULL DEFAULT false
    )`);
    await q.query(`CREATE INDEX quarantine_received ON gateway.quarantine (received_at DESC)`);
    // What the gateway knows of each contact's journey, built from the services' events.
    await q.query(`CREATE TABLE gateway.contact_status (
      contact_id text PRIMARY KEY REFERENCES gateway.contacts(contact_id),
      case_id text,
      stage text NOT NULL,
      rating text,
      deadline timestamptz,
      ready_at timestamptz,
      complete boolean,
      missing jsonb,
      decided_at timestamptz,
      outcomes jsonb,
      referrer_informed_at timestamptz,
      notice_status text,
      history jsonb NOT NULL DEFAULT '[]',
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX contact_status_case ON gateway.contact_status (case_id)`);
    await q.query(`CREATE TABLE gateway.cases (
      case_id text PRIMARY KEY,
      contact_id text NOT NULL,
      rating text NOT NULL,
      policy_version text NOT NULL,
      deadline timestamptz NOT NULL,
      ready boolean NOT NULL DEFAULT false,
      chronology jsonb NOT NULL DEFAULT '[]',
      replied jsonb NOT NULL DEFAULT '[]',
      missing jsonb NOT NULL DEFAULT '[]',
      decision_id text,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE gateway.decisions (
      decision_id text PRIMARY KEY,
      case_id text NOT NULL UNIQUE REFERENCES gateway.cases(case_id),
      recorded_by text NOT NULL,
      body jsonb NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )`);
    // Every read or disclosure of case content: who, what, when (docs/architecture.md: fire-walled, audited).
    await q.query(`CREATE TABLE gateway.disclosure_audit (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      principal text NOT NULL,
      action text NOT NULL,
      case_id text,
      contact_id text,
      detail jsonb NOT NULL DEFAULT '{}'
    )`);
  }
  async down(q: QueryRunner): Promise<void> {
    for (const t of ['disclosure_audit', 'decisions', 'cases', 'contact_status', 'quarantine', 'contacts', 'credentials']) {
      await q.query(`DROP TABLE IF EXISTS gateway.${t}`);
    }
  }
}
