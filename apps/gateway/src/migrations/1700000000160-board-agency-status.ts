import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The wall board's view of each agency's reply to each case (Nottinghamshire, docs/domain.md "Checks"):
 * times and flags only. A reply's entries are never stored here; the board shows no case content.
 */
export class BoardAgencyStatus1700000000160 implements MigrationInterface {
  name = 'BoardAgencyStatus1700000000160';
  async up(q: QueryRunner): Promise<void> {
    // Rows are upserted column by column from different topics, which arrive in any order.
    await q.query(`CREATE TABLE gateway.board_agency_status (
      case_id text NOT NULL,
      agency text NOT NULL,
      request_id text,
      due_at timestamptz,
      replied_at timestamptz,
      known boolean,
      reminders integer NOT NULL DEFAULT 0,
      last_reminded_at timestamptz,
      escalated_at timestamptz,
      refused_replies integer NOT NULL DEFAULT 0,
      missing boolean NOT NULL DEFAULT false,
      late boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (case_id, agency)
    )`);
    // The board reads open cases by deadline every 2 s per screen; decided cases pile up over the
    // years and must not be scanned. INCLUDE lets the counts by rating come from the index alone.
    await q.query(`CREATE INDEX cases_open_by_deadline ON gateway.cases (deadline) INCLUDE (rating, ready) WHERE decision_id IS NULL`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS gateway.cases_open_by_deadline`);
    await q.query(`DROP TABLE IF EXISTS gateway.board_agency_status`);
  }
}
