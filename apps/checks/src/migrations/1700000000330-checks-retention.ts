import { MigrationInterface, QueryRunner } from 'typeorm';
import { createRetentionRunsTable } from '@mash/platform';

/**
 * Retention (retention/checksRetention.ts) runs from when a case was decided, which checks learns
 * from mash.decision.recorded.v1 into its own row: no service reads another's tables.
 */
export class ChecksRetention1700000000330 implements MigrationInterface {
  name = 'ChecksRetention1700000000330';
  async up(q: QueryRunner): Promise<void> {
    await createRetentionRunsTable(q, 'checks');
    await q.query(`ALTER TABLE checks.cases ADD COLUMN decided_at timestamptz, ADD COLUMN pruned_at timestamptz`);
    await q.query(`CREATE INDEX cases_decided_unpruned ON checks.cases (decided_at) WHERE decided_at IS NOT NULL AND pruned_at IS NULL`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS checks.cases_decided_unpruned`);
    await q.query(`ALTER TABLE checks.cases DROP COLUMN decided_at, DROP COLUMN pruned_at`);
    await q.query(`DROP TABLE IF EXISTS checks.retention_runs`);
  }
}
