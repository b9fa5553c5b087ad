import { MigrationInterface, QueryRunner } from 'typeorm';
import { createRetentionRunsTable } from '@mash/platform';

/** Retention (retention/gatewayRetention.ts): what each run removed, and which rows are already stripped. */
export class GatewayRetention1700000000170 implements MigrationInterface {
  name = 'GatewayRetention1700000000170';
  async up(q: QueryRunner): Promise<void> {
    await createRetentionRunsTable(q, 'gateway');
    await q.query(`ALTER TABLE gateway.contacts ADD COLUMN pruned_at timestamptz`);
    await q.query(`ALTER TABLE gateway.cases ADD COLUMN pruned_at timestamptz`);
    await q.query(`ALTER TABLE gateway.decisions ADD COLUMN pruned_at timestamptz`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gateway.decisions DROP COLUMN pruned_at`);
    await q.query(`ALTER TABLE gateway.cases DROP COLUMN pruned_at`);
    await q.query(`ALTER TABLE gateway.contacts DROP COLUMN pruned_at`);
    await q.query(`DROP TABLE IF EXISTS gateway.retention_runs`);
  }
}
