import { DataSource, EntityManager } from 'typeorm';
import { deferredRows } from './deferred.repository';
import { isInfrastructureError, NotReadyYet } from './errors';
import { KafkaPort, Received } from './kafkaPort';
import { log } from './log';
import { messagingMetrics } from './metrics';
import { Ticker } from './ticker';

/** Handles one message in the consumer's transaction; `take` runs first in it and may say "not yours". */
export type HandleDeferred = (m: Received, take: (manager: EntityManager) => Promise<boolean>) => Promise<void>;

/**
 * Events of one case travel on several topics, consumed independently, so an event can arrive
 * before the one it builds on (a readiness before its rating). A few seconds of retry usually
 * covers it; when a broker fails over, a topic's consumer can be a minute or more behind, and
 * retrying in place would hold up every other case on that partition, then park the event in the
 * dead-letter topic, leaving the case stranded until an operator replays it.
 * Instead the message is set aside in the service's own schema (its offset is then committed), and
 * tried again here until what it needs has arrived: handled in the same transaction as the inbox,
 * taken out of the table in that transaction. Only one that still cannot be handled after
 * `maxWaitMs` (default a day) goes to the dead-letter topic, with its reason.
 * (docs/architecture.md "Messages that arrive early")
 */
export class DeferredMessages {
  private ticker?: Ticker;

  constructor(
    private readonly dataSource: DataSource,
    private readonly port: KafkaPort,
    private readonly schema: string,
    private readonly consumer: string,
    private readonly opts: { pollMs?: number; maxWaitMs?: number; maxFailures?: number } = {},
  ) {}

  /** Sets a message aside (the port calls this instead of parking it). */
  async defer(m: Received, reason: string): Promise<void> {
    await deferredRows.add(this.dataSource, this.schema, this.consumer, m, reason);
    messagingMetrics.deferred.inc({ topic: m.topic });
    log('info', 'message set aside until what it builds on arrives', {
      topic: m.topic,
      messageId: m.envelope.id,
      reason: reason.slice(0, 200),
    });
  }

  start(handle: HandleDeferred): void {
    const every = this.opts.pollMs ?? Number(process.env.MASH_DEFERRED_POLL_MS ?? 1000);
    this.ticker = new Ticker(
      `deferred messages of ${this.schema}`,
      () => this.sweep(handle).then(() => undefined),
      () => every,
    );
    this.ticker.start(every);
  }

  async stop(): Promise<void> {
    await this.ticker?.stop();
  }

  /** Tries every message that is due once; returns how many were handled. */
  async sweep(handle: HandleDeferred): Promise<number> {
    let handled = 0;
    for (const d of await deferredRows.due(this.dataSource, this.schema, this.consumer, 200)) {
      const id = d.received.envelope.id;
      try {
        let taken = false;
        await handle(d.received, async (manager) => (taken = await deferredRows.take(manager, this.schema, this.consumer, id)));
        if (taken) handled++;
      } catch (err) {
        if (isInfrastructureError(err)) throw err;
        const reason = `${err instanceof NotReadyYet ? 'precondition not met' : 'handler failed'}: ${(err as Error).message}`;
        // Wall-clock time: this is about how late a message is, not about the hub's (maybe simulated) day.
        const waited = Date.now() - d.deferredAt.getTime();
        const giveUp =
          err instanceof NotReadyYet ? waited >= (this.opts.maxWaitMs ?? 86_400_000) : d.attempts + 1 >= (this.opts.maxFailures ?? 5);
        if (giveUp) {
          await this.port.parkReceived(
            d.received,
            this.consumer,
            `${reason} (set aside ${Math.round(waited / 1000)} s, tried ${d.attempts + 1} times)`,
            d.attempts + 1,
          );
          await deferredRows.remove(this.dataSource, this.schema, this.consumer, id);
        } else {
          await deferredRows.postpone(
            this.dataSource,
            this.schema,
            this.consumer,
            id,
            reason,
            Math.min(30_000, 500 * 2 ** Math.min(d.attempts, 6)),
          );
        }
      }
    }
    return handled;
  }
}
