import { EntityManager } from 'typeorm';

/**
 * Idempotent consumption: remembers a message id in the handler's transaction. Returns false when
 * the message was handled before (a redelivery), and the caller then does nothing.
 */
export async function rememberMessage(manager: EntityManager, schema: string, consumer: string, messageId: string, topic: string): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    `INSERT INTO "${schema}".inbox (consumer, message_id, topic) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING message_id`,
    [consumer, messageId, topic],
  );
  return rows.length === 1;
}
