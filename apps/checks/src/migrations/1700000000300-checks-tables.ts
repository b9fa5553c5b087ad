import { MigrationInterface, QueryRunner } from 'typeorm';

export class ChecksTables1700000000300 implements MigrationInterface {
  name = 'ChecksTables1700000000300';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE checks.cases (
      case_id text PRIMARY KEY,
      contact_id text NOT NULL,
      rating text NOT NULL,
      deadline timestamptz NOT NULL,
      opened_at timestamptz NOT NULL,
      ready_at timestamptz,
      ready_reason text
    )`);
    await q.query(`CREATE TABLE checks.requests (
      request_id text PRIMARY KEY,
      case_id text NOT NULL REFERENCES checks.cases(case_id),
      agency text NOT NULL,
      categories jsonb NOT NULL,
      requested_at timestamptz NOT NULL,
      due_at timestamptz NOT NULL,
      replied_at timestamptz,
      late boolean,
      UNIQUE (case_id, agency)
    )`);
    await q.query(`CREATE TABLE checks.replies (
      request_id text PRIMARY KEY REFERENCES checks.requests(request_id),
      case_id text NOT NULL,
      agency text NOT NULL,
      received_at timestamptz NOT NULL,
      body jsonb NOT NULL
    )`);
    // Timers live here, not in memory: they survive restarts, and fired_at set in the same
    // transaction as the events a timer causes makes each fire exactly once.
    await q.query(`CREATE TABLE checks.timers (
      id bigserial PRIMARY KEY,
      case_id text NOT NULL REFERENCES checks.cases(case_id),
      request_id text REFERENCES checks.requests(request_id),
      kind text NOT NULL CHECK (kind IN ('reminder', 'escalation', 'case-deadline')),
      fire_at timestamptz NOT NULL,
      fired_at timestamptz,
      cancelled_at timestamptz
    )`);
    await q.query(`CREATE INDEX timers_due ON checks.timers (fire_at) WHERE fired_at IS NULL AND cancelled_at IS NULL`);
  }
  async down(q: QueryRunner): Promise<void> {
    for (const t of ['timers', 'replies', 'requests', 'cases']) await q.query(`DROP TABLE IF EXISTS checks.${t}`);
  }
}
