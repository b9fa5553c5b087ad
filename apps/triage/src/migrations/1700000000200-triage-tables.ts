import { MigrationInterface, QueryRunner } from 'typeorm';

export class TriageTables1700000000200 implements MigrationInterface {
  name = 'TriageTables1700000000200';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE triage.cases (
      case_id text PRIMARY KEY,
      contact_id text NOT NULL UNIQUE,
      source_agency text NOT NULL,
      received_at timestamptz NOT NULL,
      start_rating text NOT NULL,
      end_rating text,
      final_rating text,
      rule_ids jsonb NOT NULL,
      reasons jsonb NOT NULL,
      policy_version text NOT NULL,
      deadline timestamptz NOT NULL,
      lawful_basis text NOT NULL,
      check_plan jsonb NOT NULL,
      duplicate_of text,
      state text NOT NULL DEFAULT 'checks',
      decision_id text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    // Every rating, start and end, with the rules that produced it: the 3x3 start->end matrix comes from here.
    await q.query(`CREATE TABLE triage.ratings (
      id bigserial PRIMARY KEY,
      case_id text NOT NULL REFERENCES triage.cases(case_id),
      stage text NOT NULL CHECK (stage IN ('start', 'end', 'decision')),
      rating text NOT NULL,
      rule_ids jsonb NOT NULL,
      reasons jsonb NOT NULL,
      policy_version text NOT NULL,
      rated_by text NOT NULL,
      reason text,
      rated_at timestamptz NOT NULL DEFAULT now()
    )`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS triage.ratings`);
    await q.query(`DROP TABLE IF EXISTS triage.cases`);
  }
}
