import { MigrationInterface, QueryRunner } from 'typeorm';
import { dataKeys } from '@mash/at-rest';

/**
 * The messaging tables every service keeps in its own schema: the outbox (events written in the
 * same transaction as the state that caused them) and the inbox (ids of messages already handled,
 * so a redelivery does nothing).
 */
export function messagingTablesMigration(schema: string): new () => MigrationInterface {
  return schemaMigration('MessagingTables', 1700000000000, schema, {
    async up(q) {
      await q.query(`CREATE TABLE IF NOT EXISTS "${schema}".outbox (
        seq bigserial PRIMARY KEY,
        id text NOT NULL UNIQUE,
        topic text NOT NULL,
        key text NOT NULL,
        value jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
      await q.query(traceColumn(schema));
      await q.query(caseIdColumn(schema));
      await q.query(`CREATE INDEX IF NOT EXISTS outbox_unpublished ON "${schema}".outbox (seq) WHERE published_at IS NULL`);
      await q.query(`CREATE TABLE IF NOT EXISTS "${schema}".inbox (
        consumer text NOT NULL,
        message_id text NOT NULL,
        topic text NOT NULL,
        handled_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, message_id)
      )`);
    },
    async down(q) {
      await q.query(`DROP TABLE IF EXISTS "${schema}".inbox`);
      await q.query(`DROP TABLE IF EXISTS "${schema}".outbox`);
    },
  });
}

/**
 * The W3C `traceparent` of the span that wrote an outbox row, so the relay (another time, maybe
 * another replica) sends the event as part of the same trace. New schemas get it with the tables;
 * this migration adds it to schemas made before tracing.
 */
const traceColumn = (schema: string) => `ALTER TABLE "${schema}".outbox ADD COLUMN IF NOT EXISTS traceparent text`;

export function messagingTraceMigration(schema: string): new () => MigrationInterface {
  return schemaMigration('MessagingTrace', 1700000001100, schema, {
    async up(q) {
      await q.query(traceColumn(schema));
    },
    async down(q) {
      await q.query(`ALTER TABLE "${schema}".outbox DROP COLUMN IF EXISTS traceparent`);
    },
  });
}

/**
 * Messages that arrived before what they build on, set aside so their partition goes on
 * (docs/architecture.md "Messages that arrive early"). Keyed like the inbox; the envelope sealed.
 */
export function messagingDeferredMigration(schema: string): new () => MigrationInterface {
  return schemaMigration('MessagingDeferred', 1700000009200, schema, {
    async up(q) {
      await q.query(`CREATE TABLE IF NOT EXISTS "${schema}".deferred_messages (
        consumer text NOT NULL,
        message_id text NOT NULL,
        topic text NOT NULL,
        kafka_partition int NOT NULL,
        kafka_offset text NOT NULL,
        envelope jsonb NOT NULL,
        reason text NOT NULL,
        deferred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        attempts int NOT NULL DEFAULT 0,
        next_try_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (consumer, message_id)
      )`);
      await q.query(`CREATE INDEX IF NOT EXISTS deferred_messages_due ON "${schema}".deferred_messages (consumer, next_try_at)`);
    },
    async down(q) {
      await q.query(`DROP TABLE IF EXISTS "${schema}".deferred_messages`);
    },
  });
}

/**
 * The case an outbox row is about, in a plain column of its own: the sealed envelope (a jsonb
 * string, docs/architecture.md "Encryption at rest") cannot be read by SQL, and an event keyed by
 * another id (a contact id, an agency request id) would otherwise escape its case's legal hold
 * when retention prunes relayed rows (docs/retention.md). A case id is no personal data.
 */
const caseIdColumn = (schema: string) => `ALTER TABLE "${schema}".outbox ADD COLUMN IF NOT EXISTS case_id text`;

/**
 * Adds `case_id` to outboxes made before it and fills it for the rows already there (pruned
 * within the hour, so few): plain envelopes by SQL, sealed ones opened with the process's keyring.
 */
export function messagingCaseIdMigration(schema: string): new () => MigrationInterface {
  return schemaMigration('MessagingCaseId', 1700000009100, schema, {
    async up(q) {
      await q.query(caseIdColumn(schema));
      await q.query(
        `UPDATE "${schema}".outbox SET case_id = value->'data'->>'caseId' WHERE case_id IS NULL AND jsonb_typeof(value) = 'object'`,
      );
      const sealed: { seq: string; value: string }[] = await q.query(
        `SELECT seq, value #>> '{}' AS value FROM "${schema}".outbox WHERE case_id IS NULL AND jsonb_typeof(value) = 'string'`,
      );
      for (const row of sealed) {
        const caseId = outboxCaseId(JSON.parse(dataKeys().open(row.value)) as { data?: unknown });
        if (caseId !== null) await q.query(`UPDATE "${schema}".outbox SET case_id = $1 WHERE seq = $2`, [caseId, row.seq]);
      }
    },
    async down(q) {
      await q.query(`ALTER TABLE "${schema}".outbox DROP COLUMN IF EXISTS case_id`);
    },
  });
}

/** The case id an envelope's data names, if any: what the outbox's `case_id` column holds. */
export function outboxCaseId(env: { data?: unknown }): string | null {
  const data = env.data as { caseId?: unknown } | null | undefined;
  return data && typeof data === 'object' && typeof data.caseId === 'string' ? data.caseId : null;
}

/**
 * A migration of one service's schema. TypeORM tells migrations apart by class name and orders
 * them by the timestamp at its end, so the name carries the schema and the timestamp.
 */
function schemaMigration(
  label: string,
  timestamp: number,
  schema: string,
  steps: { up(q: QueryRunner): Promise<void>; down(q: QueryRunner): Promise<void> },
): new () => MigrationInterface {
  const name = `${label}${schema.replace(/[^A-Za-z0-9]/g, '')}${timestamp}`;
  const cls = class implements MigrationInterface {
    name = name;
    up = steps.up;
    down = steps.down;
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}
