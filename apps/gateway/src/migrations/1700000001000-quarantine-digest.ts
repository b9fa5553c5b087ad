import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What is kept of a refused body is bounded (docs/trust-boundary.md): a refused caller's body keeps
 * its first bytes only, and the SHA-256 of the whole body says what was sent without storing it.
 */
export class QuarantineDigest1700000001000 implements MigrationInterface {
  name = 'QuarantineDigest1700000001000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gateway.quarantine ADD COLUMN raw_sha256 text`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gateway.quarantine DROP COLUMN raw_sha256`);
  }
}
