import { MigrationInterface, QueryRunner } from 'typeorm';
import { createRetentionRunsTable } from '@mash/platform';

/** Retention (retention/notifierRetention.ts): what each run removed, and which notices are already stripped. */
export class NotifierRetention1700000000402 implements MigrationInterface {
  name = 'NotifierRetention1700000000402';
  async up(q: QueryRunner): Promise<void> {
    await createRetentionRunsTable(q, 'notifier');
    await q.query(`ALTER TABLE notifier.notices ADD COLUMN pruned_at timestamptz`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notifier.notices DROP COLUMN pruned_at`);
    await q.query(`DROP TABLE IF EXISTS notifier.retention_runs`);
  }
}
