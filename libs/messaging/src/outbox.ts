import { DataSource, EntityManager } from 'typeorm';
import { Envelope } from '@mash/contracts';
import { envelopeFor, Outgoing } from './envelopes';
import { isInfrastructureError } from './errors';
import { KafkaPort } from './kafkaPort';
import { log } from './log';

/**
 * Transactional outbox. `add` writes the event in the caller's transaction, so the state change
 * and the event commit together or not at all; the relay then sends unsent rows in order and marks
 * them sent. A crash between send and mark sends a row twice, which consumers' inboxes absorb.
 */
export class Outbox {
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = true;
  private readonly lockKey: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly port: KafkaPort,
    private readonly schema: string,
    private readonly producer: string,
    private readonly pollMs = Number(process.env.MASH_OUTBOX_POLL_MS ?? 250),
  ) {
    // One relay per schema at a time keeps per-case order when a service runs several replicas.
    let h = 0;
    for (const c of `outbox:${schema}`) h = (h * 31 + c.charCodeAt(0)) | 0;
    this.lockKey = h;
  }

  async add<T>(manager: EntityManager, msg: Outgoing<T>): Promise<Envelope<T>> {
    const [env] = await this.addMany(manager, [msg]);
    return env;
  }

  /**
   * Many events in one statement, in the caller's transaction. A burst of deadlines (close of
   * business) fires hundreds of timers at once; one round trip per event made it fire seconds late.
   */
  async addMany<T>(manager: EntityManager, messages: Outgoing<T>[]): Promise<Envelope<T>[]> {
    if (messages.length === 0) return [];
    const envs = messages.map((msg) => envelopeFor(msg, this.producer));
    await manager.query(
      `INSERT INTO "${this.schema}".outbox (id, topic, key, value)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[]) ON CONFLICT (id) DO NOTHING`,
      [envs.map((e) => e.id), envs.map((e) => e.type), envs.map((e) => e.key), envs.map((e) => JSON.stringify(e))],
    );
    return envs;
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.timer = setTimeout(async () => {
        await this.relay();
        tick();
      }, this.pollMs);
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 20));
  }

  /** Asks for a relay now (after a commit) instead of waiting for the next poll. */
  nudge(): void {
    if (this.stopped) return;
    void this.relay();
  }

  /** Sends everything unsent; returns how many rows went out. */
  async relay(): Promise<number> {
    if (this.running) {
      this.again = true;
      return 0;
    }
    this.running = true;
    let sent = 0;
    try {
      do {
        this.again = false;
        for (;;) {
          const n = await this.relayBatch(500);
          sent += n;
          if (n < 500) break;
        }
      } while (this.again && !this.stopped);
    } catch (err) {
      // The next poll tries again; nothing is marked sent that was not acked.
      log(isInfrastructureError(err) ? 'warn' : 'error', 'outbox relay failed', { schema: this.schema, error: (err as Error).message });
    } finally {
      this.running = false;
    }
    return sent;
  }

  private async relayBatch(limit: number): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const [{ locked }] = await m.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [this.lockKey]);
      if (!locked) return 0;
      const rows: { seq: string; topic: string; key: string; value: unknown }[] = await m.query(
        `SELECT seq, topic, key, value FROM "${this.schema}".outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1`,
        [limit],
      );
      if (rows.length === 0) return 0;
      await this.port.sendRaw(rows.map((r) => ({ topic: r.topic, key: r.key, value: JSON.stringify(r.value) })));
      await m.query(`UPDATE "${this.schema}".outbox SET published_at = now() WHERE seq = ANY($1::bigint[])`, [rows.map((r) => r.seq)]);
      return rows.length;
    });
  }

  async backlog(): Promise<number> {
    const [{ n }] = await this.dataSource.query(`SELECT count(*)::int AS n FROM "${this.schema}".outbox WHERE published_at IS NULL`);
    return n;
  }
}

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
