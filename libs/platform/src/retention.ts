import { Counter } from 'prom-client';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { log } from '@mash/messaging';
import { Ticker } from './ticker';

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
 * One table's share of a run. `run` deletes or blanks at most `batch` rows whose case was decided
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
}

export function retentionOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): RetentionOptions {
  return { intervalMs: Number(env.MASH_RETENTION_INTERVAL_MS ?? 3_600_000), batch: Number(env.MASH_RETENTION_BATCH ?? 500) };
}

const retentionRows = new Counter({
  name: 'mash_retention_rows_total',
  help: 'Rows deleted or stripped of case content under the retention policy, by table.',
  labelNames: ['table'],
});

/** The per-service record of each run (counts only, never what was deleted), for each service's own migration. */
export async function createRetentionRunsTable(q: QueryRunner, schema: string): Promise<void> {
  await q.query(`CREATE TABLE "${schema}".retention_runs (
    id bigserial PRIMARY KEY,
    started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    cutoff timestamptz NOT NULL,
    months real NOT NULL,
    counts jsonb NOT NULL
  )`);
}

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
  private readonly ticker = new Ticker('retention run', async () => void (await this.runOnce()), () => this.options.intervalMs);

  constructor(
    private readonly ds: DataSource,
    private readonly schema: string,
    private readonly months: number,
    private readonly steps: RetentionStep[],
    readonly options: RetentionOptions = retentionOptionsFromEnv(),
  ) {}

  start(): void {
    // First run after one interval, not at start-up: a fleet restarting together does not all
    // race for the lock while it is busiest catching up on Kafka.
    this.ticker.start(this.options.intervalMs);
  }

  stop(): Promise<void> {
    return this.ticker.stop();
  }

  /** One run; null when another replica holds the lock. */
  async runOnce(now = new Date()): Promise<RetentionRun | null> {
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    const lockKey = `mash-retention:${this.schema}`;
    try {
      const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [lockKey]);
      if (!locked) return null;
      try {
        const startedAt = new Date();
        const cutoff = retentionCutoff(now, this.months);
        const counts: Record<string, number> = {};
        for (const step of this.steps) {
          let total = 0;
          for (;;) {
            await runner.startTransaction();
            let n: number;
            try {
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
        await runner.query(
          `INSERT INTO "${this.schema}".retention_runs (started_at, finished_at, cutoff, months, counts) VALUES ($1, clock_timestamp(), $2, $3, $4)`,
          [startedAt, cutoff, this.months, JSON.stringify(counts)],
        );
        log('info', 'retention applied', { cutoff: cutoff.toISOString(), counts });
        return { cutoff, counts };
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [lockKey]);
      }
    } finally {
      await runner.release();
    }
  }
}

/** Rows touched by an UPDATE/DELETE run through EntityManager.query (TypeORM answers [rows, count]). */
export function affected(result: unknown): number {
  if (Array.isArray(result) && result.length === 2 && typeof result[1] === 'number') return result[1];
  return Array.isArray(result) ? result.length : 0;
}
