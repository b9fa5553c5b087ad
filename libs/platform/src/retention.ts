import { Counter } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import { log, outboxKeepMs, pruneRelayedOutbox } from '@mash/messaging';
import { recordDisclosure } from './disclosureAudit.repository';
import { heldSql } from './legalHolds';
import { Ticker } from '@mash/messaging';
import { retentionRuns } from './retention.repository';
import { sessionAdvisoryLock } from './advisoryLock.repository';
export { createRetentionRunsTable } from './retention.migration';

/** Average Gregorian month: only for the fractional part of a period (tests use tiny retentions). */
const MS_PER_AVERAGE_MONTH = (365.2425 / 12) * 24 * 3600 * 1000;

/**
 * The instant before which a record is past retention: `now` minus `months`. Whole months are taken
 * on the calendar (UTC), clamped to the month's last day, so 31 August minus 6 months is 28/29
 * February and not 3 March: a record is never deleted early because a month is short. A fractional
 * remainder counts as a fraction of an average month.
 */
export function retentionCutoff(now: Date, months: number): Date {
  if (!Number.isFinite(months) || months <= 0) throw new Error('retention must be a positive number of months');
  const whole = Math.floor(months);
  const d = new Date(now.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - whole);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return new Date(d.getTime() - (months - whole) * MS_PER_AVERAGE_MONTH);
}

/**
 * One table's share of a run. Every step skips cases under a legal hold (heldSql). `run` deletes or blanks at most `batch` rows whose case was decided
 * (or, for quarantine, which was received) before `cutoff`, and returns how many it touched; the
 * runner calls it until it touches fewer than `batch`. Each call is its own short transaction.
 */
export interface RetentionStep {
  table: string;
  run(m: EntityManager, cutoff: Date, batch: number): Promise<number>;
}

export interface RetentionOptions {
  intervalMs: number;
  batch: number;
  /** How long a relayed outbox row stays (MASH_OUTBOX_KEEP_MS). */
  outboxKeepMs: number;
}

export function retentionOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): RetentionOptions {
  return {
    intervalMs: Number(env.MASH_RETENTION_INTERVAL_MS ?? 3_600_000),
    batch: Number(env.MASH_RETENTION_BATCH ?? 500),
    outboxKeepMs: outboxKeepMs(env),
  };
}

/**
 * The outbox's share of every service's run: relayed events (full envelopes with the case in
 * them) go once they are `keepMs` old, except a held case's. Audited with the run's counts.
 */
export function outboxRetentionStep(schema: string, keepMs: number): RetentionStep {
  return {
    table: 'outbox',
    run: (m, _cutoff, batch) => pruneRelayedOutbox(m, schema, { keepMs, batch, heldSql: (caseId) => heldSql(schema, caseId) }),
  };
}

const retentionRows = new Counter({
  name: 'mash_retention_rows_total',
  help: 'Rows deleted or stripped of case content under the retention policy, by table.',
  labelNames: ['table'],
});

export interface RetentionRun {
  cutoff: Date;
  counts: Record<string, number>;
}

/**
 * Applies one service's retention periodically. A run holds a session advisory lock keyed by the
 * schema, so of several replicas one runs and the others skip that tick rather than queue; the
 * lock goes with the connection if the process dies mid-run. Deletes go in small batches so no
 * transaction holds case rows that live traffic needs for long.
 */
export class RetentionJob {
  private readonly ticker = new Ticker(
    'retention run',
    async () => void (await this.runOnce()),
    () => this.options.intervalMs,
  );

  constructor(
    private readonly ds: DataSource,
    private readonly schema: string,
    private readonly months: number,
    steps: RetentionStep[],
    readonly options: RetentionOptions = retentionOptionsFromEnv(),
  ) {
    // Every service's outbox is pruned by its own run: no service can forget it.
    this.steps = [...steps, outboxRetentionStep(schema, options.outboxKeepMs)];
  }

  private readonly steps: RetentionStep[];

  start(): void {
    // First run after one interval, not at start-up: a fleet restarting together does not all
    // race for the lock while it is busiest catching up on Kafka.
    this.ticker.start(this.options.intervalMs);
  }

  stop(): Promise<void> {
    return this.ticker.stop();
  }

  /**
   * One run; null when another replica holds the lock. The cutoff is taken from the database's
   * clock once the lock is held (a run that waited for a pool connection must not cut by a time
   * read before it waited); `at` (tests) stands in for that clock.
   */
  async runOnce(at?: Date): Promise<RetentionRun | null> {
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    const lockKey = `mash-retention:${this.schema}`;
    try {
      if (!(await sessionAdvisoryLock.tryTake(runner, lockKey))) return null;
      try {
        const startedAt = await retentionRuns.databaseNow(runner);
        const cutoff = retentionCutoff(at ?? startedAt, this.months);
        const counts: Record<string, number> = {};
        for (const step of this.steps) {
          let total = 0;
          for (;;) {
            await runner.startTransaction();
            let n: number;
            try {
              // A hold being applied waits for this batch, and this batch's statements (each reads
              // afresh under READ COMMITTED) see every hold committed before the lock was granted:
              // no purge acts on a hold state read before it (docs/retention.md).
              await retentionRuns.lockHolds(runner, this.schema);
              n = await step.run(runner.manager, cutoff, this.options.batch);
              await runner.commitTransaction();
            } catch (err) {
              await runner.rollbackTransaction();
              throw err;
            }
            total += n;
            if (n < this.options.batch) break;
          }
          counts[step.table] = total;
          if (total) retentionRows.inc({ table: `${this.schema}.${step.table}` }, total);
        }
        await retentionRuns.record(runner, this.schema, { startedAt, cutoff, months: this.months, counts });
        // Each purge is a disclosure decision too: what went, under which period, in the audit chain.
        const held = await retentionRuns.casesOnHold(runner, this.schema);
        await recordDisclosure(runner, this.schema, {
          principal: 'retention',
          action: 'retention-run',
          detail: { cutoff: cutoff.toISOString(), months: this.months, counts, casesOnHold: held },
        });
        log('info', 'retention applied', { cutoff: cutoff.toISOString(), counts });
        return { cutoff, counts };
      } finally {
        await sessionAdvisoryLock.release(runner, lockKey);
      }
    } finally {
      await runner.release();
    }
  }
}
