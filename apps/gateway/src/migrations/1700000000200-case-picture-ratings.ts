import { MigrationInterface, QueryRunner } from 'typeorm';

/** The case picture's rating at the start and the end of checks: rating, rules fired and reasons. */
export class CasePictureRatings1700000000200 implements MigrationInterface {
  name = 'CasePictureRatings1700000000200';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gateway.cases ADD COLUMN rating_start jsonb, ADD COLUMN rating_end jsonb`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gateway.cases DROP COLUMN rating_end, DROP COLUMN rating_start`);
  }
}
