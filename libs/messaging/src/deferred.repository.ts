import { DataSource, EntityManager } from 'typeorm';
import { dataKeys } from '@mash/at-rest';
import { Envelope } from '@mash/contracts';
import { Received } from './kafkaPort';

/** A message set aside because what it builds on had not arrived (docs/architecture.md "Messages that arrive early"). */
export interface DeferredMessage {
  received: Received;
  reason: string;
  deferredAt: Date;
  attempts: number;
}

type Db = DataSource | EntityManager;

/** The deferred messages of one consumer, in its service's schema; the envelope is sealed at rest like an outbox row's. */
export const deferredRows = {
  /** Sets a message aside; a redelivery of one already set aside changes nothing. */
  async add(db: Db, schema: string, consumer: string, m: Received, reason: string): Promise<void> {
    await db.query(
      `INSERT INTO "${schema}".deferred_messages (consumer, message_id, topic, kafka_partition, kafka_offset, envelope, reason)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) ON CONFLICT (consumer, message_id) DO NOTHING`,
      [consumer, m.envelope.id, m.topic, m.partition, m.offset, JSON.stringify(dataKeys().sealJson(m.envelope)), reason.slice(0, 1000)],
    );
  },

  /** Those due for another try, oldest first. */
  async due(db: Db, schema: string, consumer: string, limit: number): Promise<DeferredMessage[]> {
    const rows: {
      topic: string;
      kafka_partition: number;
      kafka_offset: string;
      envelope: unknown;
      reason: string;
      deferred_at: Date;
      attempts: number;
    }[] = await db.query(
      `SELECT topic, kafka_partition, kafka_offset, envelope, reason, deferred_at, attempts FROM "${schema}".deferred_messages
       WHERE consumer = $1 AND next_try_at <= clock_timestamp() ORDER BY deferred_at LIMIT $2`,
      [consumer, limit],
    );
    return rows.map((r) => ({
      received: {
        topic: r.topic,
        partition: r.kafka_partition,
        offset: r.kafka_offset,
        envelope: JSON.parse(typeof r.envelope === 'string' ? dataKeys().open(r.envelope) : JSON.stringify(r.envelope)) as Envelope,
      },
      reason: r.reason,
      deferredAt: new Date(r.deferred_at),
      attempts: r.attempts,
    }));
  },

  /**
   * Takes the message out, in the transaction that handles it: false when another replica holds
   * or already took it. Rolled back with that transaction if the handling fails.
   */
  async take(m: EntityManager, schema: string, consumer: string, messageId: string): Promise<boolean> {
    // TypeORM answers a DELETE as [rows, affected count], whatever it deleted.
    const [, deleted]: [unknown[], number] = await m.query(
      `DELETE FROM "${schema}".deferred_messages WHERE (consumer, message_id) IN (
         SELECT consumer, message_id FROM "${schema}".deferred_messages WHERE consumer = $1 AND message_id = $2 FOR UPDATE SKIP LOCKED)`,
      [consumer, messageId],
    );
    return deleted > 0;
  },

  /** Another try later, with why this one failed. */
  async postpone(db: Db, schema: string, consumer: string, messageId: string, reason: string, delayMs: number): Promise<void> {
    await db.query(
      `UPDATE "${schema}".deferred_messages SET attempts = attempts + 1, reason = $3, next_try_at = clock_timestamp() + make_interval(secs => $4::double precision / 1000)
       WHERE consumer = $1 AND message_id = $2`,
      [consumer, messageId, reason.slice(0, 1000), delayMs],
    );
  },

  async remove(db: Db, schema: string, consumer: string, messageId: string): Promise<void> {
    await db.query(`DELETE FROM "${schema}".deferred_messages WHERE consumer = $1 AND message_id = $2`, [consumer, messageId]);
  },

  async count(db: Db, schema: string): Promise<number> {
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM "${schema}".deferred_messages`);
    return n;
  },
};
