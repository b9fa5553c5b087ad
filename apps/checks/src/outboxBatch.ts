import { EntityManager } from 'typeorm';
import { Envelope } from '@mash/contracts';
import { envelopeFor, Outgoing } from '@mash/messaging';

/**
 * Writes many events to this service's outbox in one statement, in the caller's transaction: the
 * same rows Outbox.add writes one INSERT at a time. A burst of deadlines (close of business) fires
 * hundreds of timers in one transaction; one round trip per event made the burst fire seconds late.
 * Belongs in libs/messaging as Outbox.addMany; kept here until it moves.
 */
export async function addAllToOutbox<T>(m: EntityManager, schema: string, producer: string, messages: Outgoing<T>[]): Promise<Envelope<T>[]> {
  if (messages.length === 0) return [];
  const envs = messages.map((msg) => envelopeFor(msg, producer));
  await m.query(
    `INSERT INTO "${schema}".outbox (id, topic, key, value) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[]) ON CONFLICT (id) DO NOTHING`,
    [envs.map((e) => e.id), envs.map((e) => e.type), envs.map((e) => e.key), envs.map((e) => JSON.stringify(e))],
  );
  return envs;
}
