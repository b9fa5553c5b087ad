import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The board's own read-only role; revocation of a principal removed from the configuration (the
 * row is kept and marked, so a refused attempt is audited under its name); and the audit of
 * refused access (who, what, when, why), kept like the disclosure audit of granted access.
 */
export class Access1700000000190 implements MigrationInterface {
  name = 'Access1700000000190';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gateway.credentials DROP CONSTRAINT IF EXISTS credentials_role_check`);
    await q.query(
      `ALTER TABLE gateway.credentials ADD CONSTRAINT credentials_role_check CHECK (role IN ('adapter', 'decision-maker', 'ops', 'board'))`,
    );
    await q.query(`ALTER TABLE gateway.credentials ADD COLUMN revoked_at timestamptz`);
    await q.query(`CREATE TABLE gateway.access_refusals (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      principal text,
      role text,
      credential text NOT NULL CHECK (credential IN ('none', 'unknown', 'revoked', 'valid')),
      method text NOT NULL,
      route text NOT NULL,
      params jsonb NOT NULL DEFAULT '{}',
      status integer NOT NULL,
      reason text NOT NULL
    )`);
    await q.query(`CREATE INDEX access_refusals_at ON gateway.access_refusals (at)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS gateway.access_refusals`);
    await q.query(`ALTER TABLE gateway.credentials DROP COLUMN revoked_at`);
    await q.query(`DELETE FROM gateway.credentials WHERE role = 'board'`);
    await q.query(`ALTER TABLE gateway.credentials DROP CONSTRAINT IF EXISTS credentials_role_check`);
    await q.query(
      `ALTER TABLE gateway.credentials ADD CONSTRAINT credentials_role_check CHECK (role IN ('adapter', 'decision-maker', 'ops'))`,
    );
  }
}
