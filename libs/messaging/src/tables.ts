import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The messaging tables every service keeps in its own schema: the outbox (events written in the
 * same transaction as the state that caused them) and the inbox (ids of messages already handled,
 * so a redelivery does nothing).
 */
export function messagingTablesMigration(schema: string): new () => MigrationInterface {
  const name = `MessagingTables${schema.replace(/[^A-Za-z0-9]/g, '')}1700000000000`;
  const cls = class implements MigrationInterface {
    name = name;
    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE TABLE IF NOT EXISTS "${schema}".outbox (
        seq bigserial PRIMARY KEY,
        id text NOT NULL UNIQUE,
        topic text NOT NULL,
        key text NOT NULL,
        value jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
      await q.query(`CREATE INDEX IF NOT EXISTS outbox_unpublished ON "${schema}".outbox (seq) WHERE published_at IS NULL`);
      await q.query(`CREATE TABLE IF NOT EXISTS "${schema}".inbox (
        consumer text NOT NULL,
        message_id text NOT NULL,
        topic text NOT NULL,
        handled_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, message_id)
      )`);
    }
    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE IF EXISTS "${schema}".inbox`);
      await q.query(`DROP TABLE IF EXISTS "${schema}".outbox`);
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}
