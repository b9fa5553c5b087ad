import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Triage revises a case's plan (a consent override, escalation by a duplicate report): the
 * revision adds agencies, or widens one already asked, and each addition is a request of its own.
 * The case remembers the highest plan revision applied, so a replayed revision asks nobody again;
 * an agency may now hold one request per revision, and the latest is the one that counts.
 */
export class ChecksPlanRevisions1700000000320 implements MigrationInterface {
  name = 'ChecksPlanRevisions1700000000320';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE checks.cases ADD COLUMN plan_revision integer NOT NULL DEFAULT 1`);
    await q.query(`ALTER TABLE checks.requests ADD COLUMN revision integer NOT NULL DEFAULT 1`);
    await q.query(`ALTER TABLE checks.requests DROP CONSTRAINT IF EXISTS requests_case_id_agency_key`);
    await q.query(`ALTER TABLE checks.requests ADD CONSTRAINT requests_case_agency_revision UNIQUE (case_id, agency, revision)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM checks.timers WHERE request_id IN (SELECT request_id FROM checks.requests WHERE revision > 1)`);
    await q.query(`DELETE FROM checks.alerts WHERE request_id IN (SELECT request_id FROM checks.requests WHERE revision > 1)`);
    await q.query(`DELETE FROM checks.replies WHERE request_id IN (SELECT request_id FROM checks.requests WHERE revision > 1)`);
    await q.query(`DELETE FROM checks.requests WHERE revision > 1`);
    await q.query(`ALTER TABLE checks.requests DROP CONSTRAINT IF EXISTS requests_case_agency_revision`);
    await q.query(`ALTER TABLE checks.requests ADD CONSTRAINT requests_case_id_agency_key UNIQUE (case_id, agency)`);
    await q.query(`ALTER TABLE checks.requests DROP COLUMN IF EXISTS revision`);
    await q.query(`ALTER TABLE checks.cases DROP COLUMN IF EXISTS plan_revision`);
  }
}
