import { MigrationInterface, QueryRunner } from 'typeorm';

/** A case's notices by its id: each reconcile reads which it already issued (notices/notices.service.ts). */
export class NoticesByCase1700000001920 implements MigrationInterface {
  name = 'NoticesByCase1700000001920';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX notices_case ON notifier.notices (case_id)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS notifier.notices_case`);
  }
}
