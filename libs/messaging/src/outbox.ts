import { DataSource, EntityManager } from 'typeorm';
import { dataKeys, StatementPart } from '@mash/at-rest';
import { Envelope } from '@mash/contracts';
import { envelopeFor, Outgoing } from './envelopes';
import { isInfrastructureError } from './errors';
import { KafkaPort } from './kafkaPort';
import { log } from './log';
import { outboxCaseId } from './tables.migration';
import { currentTraceparent, openSpan, SpanKind } from './tracing';
import { OutboxInsertRow, outboxRows, outboxValueText } from './outbox.repository';

/**
 * Transactional outbox. `add` writes the event in the caller's transaction, so the state change
 * and the event commit together or not at all; the relay then sends unsent rows in order and marks
 * them sent. A crash between send and mark sends a row twice, which consumers' inboxes absorb.
 * At rest the envelope is sealed (a jsonb string, docs/architecture.md "Encryption at rest"): it is
 * opened only to be sent; topic, key (a case id or another id) and the event's case id (`case_id`,
 * for a legal hold when the key is another id) stay plain for the relay and for retention.
 */
export class Outbox {
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = true;
  private readonly lockKey: number;
  // The transactions (by their query runner) that added rows: only their commit has something to relay.
  private readonly wrote = new WeakSet<object>();

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
    this.wrote.add(manager.queryRunner ?? manager);
    const envs = messages.map((msg) => envelopeFor(msg, this.producer));
    await outboxRows.insert(manager, this.schema, this.rowsOf(envs), currentTraceparent() ?? null);
    return envs;
  }

  /**
   * Events as a part of another repository's statement on `manager`, for a write that must be one
   * round trip (the front door's accept). The caller runs the statement; a run's transaction is
   * then relayed after its commit as for `addMany`.
   */
  addPart<T>(manager: EntityManager, messages: Outgoing<T>[]): { envelopes: Envelope<T>[]; part: StatementPart } {
    this.wrote.add(manager.queryRunner ?? manager);
    const envelopes = messages.map((msg) => envelopeFor(msg, this.producer));
    return { envelopes, part: outboxRows.insertPart(this.schema, this.rowsOf(envelopes), currentTraceparent() ?? null) };
  }

  private rowsOf(envs: Envelope<unknown>[]): OutboxInsertRow[] {
    return envs.map((e) => ({ id: e.id, topic: e.type, key: e.key, sealed: dataKeys().sealJson(e), caseId: outboxCaseId(e) }));
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.timer = setTimeout(async () => {
        await this.poll();
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

  /**
   * The poll's relay. Most polls find nothing (a commit nudges the relay itself), and a relay costs
   * a transaction and its lock: so the poll first looks, in one statement outside both, whether
   * anything waits. The look is only a hint; what is sent is read again under the relay's lock.
   */
  private async poll(): Promise<void> {
    try {
      if (!(await outboxRows.anyUnsent(this.dataSource, this.schema))) return;
    } catch (err) {
      log(isInfrastructureError(err) ? 'warn' : 'error', 'outbox relay failed', { schema: this.schema, error: (err as Error).message });
      return;
    }
    await this.relay();
  }

  /** Asks for a relay now (after a commit) instead of waiting for the next poll. */
  nudge(): void {
    if (this.stopped) return;
    void this.relay();
  }

  /**
   * After a transaction committed: relays now if it added rows. A consumer's transaction that wrote
   * no event (the gateway's projections, most of them) has nothing to send, and a relay that finds
   * nothing still costs a transaction, its lock and a read.
   */
  nudgeIfWrote(manager: EntityManager): void {
    const key = manager.queryRunner ?? manager;
    if (!this.wrote.has(key)) return;
    this.wrote.delete(key);
    this.nudge();
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
      if (!(await outboxRows.tryRelayLock(m, this.lockKey))) return 0;
      const rows = await outboxRows.unsent(m, this.schema, limit);
      if (rows.length === 0) return 0;
      await this.sendTraced(rows);
      await outboxRows.markPublished(
        m,
        this.schema,
        rows.map((r) => r.seq),
      );
      return rows.length;
    });
  }

  /**
   * Each row goes out in a producer span continuing the trace that wrote it, and carries that
   * span's `traceparent`; a row written outside any trace carries none.
   */
  private async sendTraced(rows: { topic: string; key: string; value: unknown; traceparent: string | null }[]): Promise<void> {
    const spans = rows.map((r) =>
      r.traceparent
        ? openSpan(`${r.topic} publish`, SpanKind.PRODUCER, r.traceparent, {
            'messaging.system': 'kafka',
            'messaging.destination.name': r.topic,
          })
        : undefined,
    );
    try {
      await this.port.sendRaw(
        rows.map((r, i) => ({
          topic: r.topic,
          key: r.key,
          value: outboxValueText(r.value),
          traceparent: spans[i] ? (currentTraceparent(spans[i]!.ctx) ?? null) : null,
        })),
      );
    } finally {
      for (const s of spans) s?.span.end();
    }
  }

  async backlog(): Promise<number> {
    return outboxRows.backlog(this.dataSource, this.schema);
  }
}

/**
 * How long a relayed row stays in the outbox (MASH_OUTBOX_KEEP_MS, default one hour): long enough
 * for an operator to see what just went out, short enough that the outbox is no second copy of
 * every case (docs/retention.md). Kafka holds the event from then on, under its own retention.
 */
export function outboxKeepMs(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env.MASH_OUTBOX_KEEP_MS ?? 3_600_000);
  if (!Number.isFinite(ms) || ms < 0) throw new Error('MASH_OUTBOX_KEEP_MS must be a number of milliseconds, 0 or more');
  return ms;
}
