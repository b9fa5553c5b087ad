import { MigrationInterface, QueryRunner } from 'typeorm';

/** Each service's `legal_holds` table (legalHolds.ts says how it is used; docs/retention.md). */
export function legalHoldsMigration(schema: string, timestamp: number): new () => MigrationInterface {
  const name = `LegalHolds${schema.replace(/[^A-Za-z0-9]/g, '')}${timestamp}`;
  const cls = class implements MigrationInterface {
    name = name;
    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE TABLE "${schema}".legal_holds (
        case_id text PRIMARY KEY,
        held boolean NOT NULL,
        hold_id text NOT NULL,
        recorded_at timestamptz NOT NULL,
        recorded_by text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      // Retention prunes relayed outbox rows by when they were relayed (outboxRetentionStep).
      await q.query(`CREATE INDEX IF NOT EXISTS outbox_relayed ON "${schema}".outbox (published_at) WHERE published_at IS NOT NULL`);
    }
    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP INDEX IF EXISTS "${schema}".outbox_relayed`);
      await q.query(`DROP TABLE IF EXISTS "${schema}".legal_holds`);
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}
