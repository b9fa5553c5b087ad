import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Transfers to neighbouring MASHs (docs/hub-to-hub.md): written with the decision, in its
 * transaction, so a crash between deciding and sending loses nothing; the sender retries a
 * transfer until the neighbour's signed receipt is recorded or the neighbour refuses it.
 */
export class HubTransfers1700000001600 implements MigrationInterface {
  name = 'HubTransfers1700000001600';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE gateway.transfers (
      transfer_id text PRIMARY KEY,
      case_id text NOT NULL,
      contact_id text NOT NULL,
      decision_id text NOT NULL UNIQUE,
      to_hub text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'acknowledged', 'refused')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      acknowledged_at timestamptz,
      receipt jsonb
    )`);
    await q.query(`CREATE INDEX transfers_due ON gateway.transfers (next_attempt_at) WHERE status = 'pending'`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS gateway.transfers`);
  }
}
