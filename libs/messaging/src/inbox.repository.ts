import { EntityManager } from 'typeorm';

/**
 * Idempotent consumption: remembers a message id in the handler's transaction. Returns false when
 * the message was handled before (a redelivery), and the caller then does nothing.
 */
export async function rememberMessage(
  manager: EntityManager,
  schema: string,
  consumer: string,
  messageId: string,
  topic: string,
): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    `INSERT INTO "${schema}".inbox (consumer, message_id, topic) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING message_id`,
    [consumer, messageId, topic],
  );
  return rows.length === 1;
}

/**
 * The same for a run of messages in one statement: the ids not handled before. A message id twice
 * in the run is returned once; the caller handles its first occurrence only.
 */
export async function rememberMessages(
  manager: EntityManager,
  schema: string,
  consumer: string,
  msgs: { messageId: string; topic: string }[],
): Promise<Set<string>> {
  const rows: { message_id: string }[] = await manager.query(
    `INSERT INTO "${schema}".inbox (consumer, message_id, topic) SELECT $1, m, t FROM unnest($2::text[], $3::text[]) AS u(m, t) ON CONFLICT DO NOTHING RETURNING message_id`,
    [consumer, msgs.map((m) => m.messageId), msgs.map((m) => m.topic)],
  );
  return new Set(rows.map((r) => r.message_id));
}

/** Takes back the ids of messages a run remembered but leaves to the next run (WouldWait, transport.ts). */
export async function forgetMessages(manager: EntityManager, schema: string, consumer: string, messageIds: string[]): Promise<void> {
  if (messageIds.length === 0) return;
  await manager.query(`DELETE FROM "${schema}".inbox WHERE consumer = $1 AND message_id = ANY($2::text[])`, [consumer, messageIds]);
}
