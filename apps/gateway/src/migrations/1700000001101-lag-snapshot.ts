import { MigrationInterface, QueryRunner } from 'typeorm';

/** The last consumer-lag sample, written by the one replica that samples and read by the others. */
export class LagSnapshot1700000001101 implements MigrationInterface {
  name = 'LagSnapshot1700000001101';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS gateway.lag_snapshot (
      id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
      snapshot jsonb NOT NULL,
      written_at timestamptz NOT NULL DEFAULT now()
    )`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS gateway.lag_snapshot`);
  }
}
