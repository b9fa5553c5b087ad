import { MigrationInterface, QueryRunner } from 'typeorm';
import { createRetentionRunsTable } from '@mash/platform';

/** Retention (retention/triageRetention.ts): what each run removed, and which cases are already anonymised. */
export class TriageRetention1700000000220 implements MigrationInterface {
  name = 'TriageRetention1700000000220';
  async up(q: QueryRunner): Promise<void> {
    await createRetentionRunsTable(q, 'triage');
    await q.query(`ALTER TABLE triage.cases ADD COLUMN pruned_at timestamptz`);
    await q.query(`CREATE INDEX cases_decided_unpruned ON triage.cases (decided_at) WHERE decided_at IS NOT NULL AND pruned_at IS NULL`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS triage.cases_decided_unpruned`);
    await q.query(`ALTER TABLE triage.cases DROP COLUMN pruned_at`);
    await q.query(`DROP TABLE IF EXISTS triage.retention_runs`);
  }
}
