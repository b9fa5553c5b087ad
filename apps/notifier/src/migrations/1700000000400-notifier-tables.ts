import { MigrationInterface, QueryRunner } from 'typeorm';

export class NotifierTables1700000000400 implements MigrationInterface {
  name = 'NotifierTables1700000000400';
  async up(q: QueryRunner): Promise<void> {
    // Who raised each contact and how to reach them: the notifier's own copy, from contactReceived.
    await q.query(`CREATE TABLE notifier.referrers (
      contact_id text PRIMARY KEY,
      case_id text,
      source_agency text NOT NULL,
      agency_reference text NOT NULL,
      referrer jsonb NOT NULL,
      received_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX referrers_case ON notifier.referrers (case_id)`);
    await q.query(`CREATE TABLE notifier.contributors (
      case_id text NOT NULL,
      agency text NOT NULL,
      PRIMARY KEY (case_id, agency)
    )`);
    // Every notice and its delivery: the receipt is the row; retries are scheduled here, not in memory.
    await q.query(`CREATE TABLE notifier.notices (
      notice_id text PRIMARY KEY,
      case_id text NOT NULL,
      contact_id text,
      kind text NOT NULL,
      recipient text NOT NULL,
      channel jsonb NOT NULL,
      body jsonb NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'no-channel', 'dead-lettered')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX notices_due ON notifier.notices (next_attempt_at) WHERE status = 'pending'`);
  }
  async down(q: QueryRunner): Promise<void> {
    for (const t of ['notices', 'contributors', 'referrers']) await q.query(`DROP TABLE IF EXISTS notifier.${t}`);
  }
}
