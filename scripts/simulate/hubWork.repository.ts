import { Client } from 'pg';

/**
 * What the simulator reads of a run's hub to know whether it is idle: work waiting in every
 * service's schema, and the next time something falls due (docs/simulation.md).
 */
export const hubWorkRows = {
  /** Rows waiting to be published, plus timers and notice deliveries due now and not yet done. */
  async pending(client: Client): Promise<number> {
    const { rows } = await client.query<{ n: string }>(`SELECT
      (SELECT count(*) FROM gateway.outbox WHERE published_at IS NULL)
    + (SELECT count(*) FROM triage.outbox WHERE published_at IS NULL)
    + (SELECT count(*) FROM checks.outbox WHERE published_at IS NULL)
    + (SELECT count(*) FROM notifier.outbox WHERE published_at IS NULL)
    + (SELECT count(*) FROM checks.timers WHERE fired_at IS NULL AND cancelled_at IS NULL AND fire_at <= now())
    + (SELECT count(*) FROM notifier.notices WHERE status = 'pending' AND next_attempt_at <= now()) AS n`);
    return Number(rows[0]!.n);
  },

  /** The next time a chase, a case deadline or a notice retry falls due after now (null: none). */
  async nextDue(client: Client): Promise<Date | null> {
    const { rows } = await client.query<{ next: Date | null }>(`SELECT least(
      (SELECT min(fire_at) FROM checks.timers WHERE fired_at IS NULL AND cancelled_at IS NULL),
      (SELECT min(next_attempt_at) FROM notifier.notices WHERE status = 'pending')) AS next`);
    return rows[0]?.next ?? null;
  },
};
