import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { BaseRpcContext } from '@nestjs/microservices/ctx-host/base-rpc.context';
import { lastValueFrom } from 'rxjs';
import { DataSource, EntityManager } from 'typeorm';
import { Envelope, TOPIC_DEFINITIONS } from '@mash/contracts';
import { disclosuresLast } from '@mash/platform/disclosureAudit';
import { DeferredMessages } from './deferredMessages';
import { Outgoing } from './envelopes';
import { inMessageSpan, KafkaPort, Received, Subscription } from './kafkaPort';
import { log } from './log';
import { Outbox } from './outbox';
import { forgetMessages, rememberMessage, rememberMessages } from './inbox.repository';
import { NotReadyYet, RunFailedAt, WouldWait } from './errors';
import { messagingMetrics } from './metrics';
import { contextFromTraceparent, inSpan } from './tracing';

/**
 * What an @EventPattern handler gets beside the message data: the transaction its writes must use,
 * and `publish`, which writes to the outbox in that same transaction.
 */
export class MessageContext extends BaseRpcContext<[Received, EntityManager, Outbox, boolean?]> {
  get envelope(): Envelope {
    return this.args[0].envelope;
  }
  get topic(): string {
    return this.args[0].topic;
  }
  get manager(): EntityManager {
    return this.args[1];
  }
  publish<T>(msg: Outgoing<T>): Promise<Envelope<T>> {
    return this.args[2].add(this.args[1], msg);
  }
  /** Several events, in the order given, in one statement of the same transaction. */
  publishMany<T>(msgs: Outgoing<T>[]): Promise<Envelope<T>[]> {
    return this.args[2].addMany(this.args[1], msgs);
  }
  /**
   * False when this message shares its transaction with messages handled before it (a run): the
   * handler must not wait for a lock another transaction may hold, and throws WouldWait instead.
   */
  get mayWait(): boolean {
    return this.args[3] !== false;
  }
}

export interface TransportOptions {
  service: string;
  schema: string;
  concurrency?: number;
  maxAttempts?: number;
}

/**
 * NestJS transport strategy over our Kafka port. Nest's own Kafka transport commits offsets on
 * its own schedule and retries a failing handler for ever; here each message is handled in one
 * Postgres transaction with the inbox (duplicates do nothing) and the outbox (events commit with
 * the state), and the offset is committed only after that transaction.
 * Handler patterns may use `*` for one topic-name segment, e.g. `mash.check.*.replied.v1`.
 */
export class MashKafkaTransport extends Server implements CustomTransportStrategy {
  private subscription?: Subscription;
  private deferred?: DeferredMessages;

  constructor(
    private readonly port: KafkaPort,
    private readonly outbox: Outbox,
    private readonly dataSource: DataSource,
    private readonly options: TransportOptions,
  ) {
    super();
  }

  on(): void {}

  unwrap<T>(): T {
    return this.port as T;
  }

  async listen(callback: (...args: unknown[]) => void): Promise<void> {
    try {
      const routes = this.routes();
      if (routes.size === 0) return callback();
      const deferred = new DeferredMessages(this.dataSource, this.port, this.options.schema, this.options.service);
      this.deferred = deferred;
      this.subscription = await this.port.subscribe({
        group: this.options.service,
        topics: [...routes.keys()],
        concurrency: this.options.concurrency,
        maxAttempts: this.options.maxAttempts,
        handle: (msg) => this.handle(routes.get(msg.topic)!, msg),
        handleMany: (msgs) => this.handleMany(routes, msgs),
        defer: (msg, reason) => deferred.defer(msg, reason),
      });
      deferred.start(async (msg, take) => {
        const handler = routes.get(msg.topic);
        // Set aside by a build that handled this topic and no longer does: it fails, and after a few tries is parked.
        if (!handler) throw new Error(`no handler for ${msg.topic} any more`);
        await this.handle(handler, msg, take);
      });
      callback();
    } catch (err) {
      callback(err);
    }
  }

  async close(): Promise<void> {
    await this.deferred?.stop();
    await this.subscription?.stop();
  }

  private routes(): Map<string, MessageHandler> {
    const routes = new Map<string, MessageHandler>();
    for (const [pattern, handler] of this.getHandlers()) {
      const re = new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '[^.]+')}$`);
      const topics = TOPIC_DEFINITIONS.map((d) => d.name).filter((n) => re.test(n));
      if (topics.length === 0) throw new Error(`handler pattern '${pattern}' matches no topic in @mash/contracts`);
      for (const t of topics) {
        if (routes.has(t)) throw new Error(`two handlers for topic ${t}`);
        routes.set(t, handler);
      }
    }
    return routes;
  }

  /**
   * A run of one partition's messages in one transaction, in offset order: one commit (and one
   * offset commit) for the run instead of one per message, which is most of what a message cost
   * (docs/architecture.md "Runs of messages"). Each handler sees the writes of those before it, as
   * it would one transaction later. Any error rolls the whole run back; a handler's error says at
   * which message (RunFailedAt), so the port handles that message alone, by the single path's rules,
   * and the others in runs again.
   *
   * A handler that would have to wait for a lock another transaction holds (WouldWait), or whose
   * message came before what it builds on and wrote nothing (NotReadyYet, `wroteNothing`), is set aside
   * to the end of the run, with every later message of its key (order holds per key, the case or
   * the contact), and the rest go on; by then the holder has usually committed, and it is tried
   * once more. One still held, and the later ones of its key, are left for the next run, which
   * starts with it, where it may wait. Answers the positions handled.
   */
  private async handleMany(routes: Map<string, MessageHandler>, msgs: Received[]): Promise<number[]> {
    const started = process.hrtime.bigint();
    const outcomes: { topic: string; messageId: string; duplicate: boolean; seconds: number }[] = [];
    const handled: number[] = [];
    let committed: EntityManager | undefined;
    await inSpan(
      'db transaction',
      {
        attributes: { 'db.system.name': 'postgresql', 'db.namespace': this.options.schema, 'messaging.batch.message_count': msgs.length },
        parent: contextFromTraceparent(msgs[0].traceparent),
      },
      () =>
        this.dataSource.transaction(async (manager) => {
          committed = manager;
          outcomes.length = 0;
          handled.length = 0;
          const fresh = await rememberMessages(
            manager,
            this.options.schema,
            this.options.service,
            msgs.map((m) => ({ messageId: m.envelope.id, topic: m.topic })),
          );
          /** False when the handler would wait (and wrote nothing, WouldWait's rule). */
          const handleOne = async (i: number): Promise<boolean> => {
            const msg = msgs[i];
            // A message id twice in the run (a redelivery next to the original): the first one counts.
            if (!fresh.delete(msg.envelope.id)) {
              outcomes.push({ topic: msg.topic, messageId: msg.envelope.id, duplicate: true, seconds: 0 });
              handled.push(i);
              return true;
            }
            const began = process.hrtime.bigint();
            const first = outcomes.length === 0;
            try {
              const ctx = new MessageContext([msg, manager, this.outbox, first]);
              await inMessageSpan(msg.topic, this.options.service, msg.offset, msg.traceparent, async () =>
                lastValueFrom(this.transformToObservable(await routes.get(msg.topic)!(msg.envelope.data, ctx)), {
                  defaultValue: undefined,
                }),
              );
            } catch (err) {
              const aside = err instanceof WouldWait || (err instanceof NotReadyYet && err.opts.wroteNothing === true);
              if (!aside || first) throw new RunFailedAt(i, err);
              fresh.add(msg.envelope.id);
              return false;
            }
            outcomes.push({
              topic: msg.topic,
              messageId: msg.envelope.id,
              duplicate: false,
              seconds: Number(process.hrtime.bigint() - began) / 1e9,
            });
            handled.push(i);
            return true;
          };
          // The handlers' disclosures go last, so the audit chain's lock is held for the commit only.
          await disclosuresLast(manager, async () => {
            let setAside: number[] = [];
            for (const pass of [1, 2]) {
              const waiting = new Set<string>();
              const todo = pass === 1 ? msgs.map((_, i) => i) : setAside;
              setAside = [];
              for (const i of todo) {
                const key = msgs[i].envelope.key;
                if (waiting.has(key) || !(await handleOne(i))) {
                  waiting.add(key);
                  setAside.push(i);
                }
              }
            }
            // Left for the next run: the inbox forgets them (they wrote nothing).
            await forgetMessages(
              manager,
              this.options.schema,
              this.options.service,
              [...new Set(setAside.map((i) => msgs[i].envelope.id))].filter((id) => fresh.has(id)),
            );
          });
        }),
    );
    if (committed) this.outbox.nudgeIfWrote(committed);
    const topic = msgs[0].topic;
    messagingMetrics.runs.observe({ topic }, outcomes.length);
    messagingMetrics.runSeconds.observe({ topic }, Number(process.hrtime.bigint() - started) / 1e9);
    for (const o of outcomes) {
      messagingMetrics.consumed.inc({ topic: o.topic, outcome: o.duplicate ? 'duplicate' : 'handled' });
      if (o.duplicate) log('info', 'duplicate message ignored', { topic: o.topic, messageId: o.messageId });
      else messagingMetrics.handleSeconds.observe({ topic: o.topic }, o.seconds);
    }
    return handled.sort((a, b) => a - b);
  }

  /** `take` (a message set aside earlier) runs first in the transaction; false: another replica has it. */
  private async handle(handler: MessageHandler, msg: Received, take?: (manager: EntityManager) => Promise<boolean>): Promise<void> {
    const started = process.hrtime.bigint();
    let duplicate = false;
    let taken = true;
    let committed: EntityManager | undefined;
    await inSpan(
      'db transaction',
      { attributes: { 'db.system.name': 'postgresql', 'db.namespace': this.options.schema, 'messaging.message.id': msg.envelope.id } },
      () =>
        this.dataSource.transaction(async (manager) => {
          committed = manager;
          if (take && !(await take(manager))) {
            taken = false;
            return;
          }
          if (!(await rememberMessage(manager, this.options.schema, this.options.service, msg.envelope.id, msg.topic))) {
            duplicate = true;
            return;
          }
          const ctx = new MessageContext([msg, manager, this.outbox]);
          await lastValueFrom(this.transformToObservable(await handler(msg.envelope.data, ctx)), { defaultValue: undefined });
        }),
    );
    if (!taken) return;
    if (committed) this.outbox.nudgeIfWrote(committed);
    messagingMetrics.consumed.inc({ topic: msg.topic, outcome: duplicate ? 'duplicate' : 'handled' });
    messagingMetrics.handleSeconds.observe({ topic: msg.topic }, Number(process.hrtime.bigint() - started) / 1e9);
    if (duplicate) log('info', 'duplicate message ignored', { topic: msg.topic, messageId: msg.envelope.id });
  }
}
