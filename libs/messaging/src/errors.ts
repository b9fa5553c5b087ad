import { isStalePlan } from '@mash/platform/preparedStatements';

/**
 * Errors that mean a dependency is away (network, Postgres restarting, Kafka leader moving), as
 * opposed to a message the code cannot handle. The first kind is retried without limit and never
 * parks a message; the second gets bounded retries and then a dead letter.
 */
const INFRA_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03', // postgres admin shutdown / crash / cannot connect now
  '08000',
  '08001',
  '08003',
  '08004',
  '08006', // postgres connection exceptions
  '53300', // too many connections
]);

export function isInfrastructureError(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: string }).code;
    if (code && INFRA_CODES.has(code)) return true;
    const name = (e as { name?: string }).name ?? '';
    if (name.startsWith('KafkaJS') && name !== 'KafkaJSNonRetriableError') return true;
    if (/Connection terminated|terminating connection|Connection ended/i.test((e as Error).message ?? '')) return true;
    // A prepared statement a migration made stale: the client sends it unprepared from now on.
    if (isStalePlan(e)) return true;
    e = (e as { cause?: unknown; driverError?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Thrown by a handler for a message that can never succeed: parked at once, not retried. */
export class RejectedMessage extends Error {
  override name = 'RejectedMessage';
}

/**
 * Thrown by a handler whose message arrived before what it builds on: events of one case travel on
 * several topics, and partitions of different topics are consumed independently, so a caseReady can
 * overtake the caseRated it follows. Retried for longer than an ordinary failure (the earlier event
 * is normally milliseconds away), then parked, from where a replay finishes the job.
 */
export class NotReadyYet extends Error {
  override name = 'NotReadyYet';
  /**
   * `wroteNothing`: the handler found out before writing anything. In a run (transport.ts) the
   * message is then set aside to the run's end like one that would wait (WouldWait), and the run
   * keeps what the others did; otherwise the whole run is rolled back and handled again around it.
   */
  constructor(
    message: string,
    readonly opts: { wroteNothing?: boolean } = {},
  ) {
    super(message);
  }
}

/**
 * Thrown by a handler in a run of messages (transport.ts) instead of waiting for something another
 * transaction may hold, such as a lock (`MessageContext.mayWait` is false). The run sets the
 * message aside, with the later ones of its key, handles the rest and tries it once more at its
 * end; one still held starts the next run, where it may wait. A transaction that holds other
 * messages' locks never waits, so two runs never wait on each other in a cycle. The handler must
 * throw it before writing anything, or after undoing what it wrote (a savepoint of its own): the
 * run commits everything written in its transaction.
 */
export class WouldWait extends Error {
  override name = 'WouldWait';
}

/**
 * A run of messages failed in the handling of the message at `index` (transport.ts): what came
 * before it handled without fault in that run and can be a run again, and only this message needs
 * the single path, with its retries, setting aside and dead letters. Keeps the handler's error as
 * its `cause`, so an outage inside a handler is still one (isInfrastructureError).
 */
export class RunFailedAt extends Error {
  override name = 'RunFailedAt';
  constructor(
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super((cause as Error)?.message ?? String(cause));
  }
}
