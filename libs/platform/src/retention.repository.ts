import { QueryRunner } from 'typeorm';

/**
 * The statements of a retention run (RetentionJob), on the run's own connection: the database's
 * clock, the lock hold writes wait for, and the record of the run. Each runs inside whatever
 * transaction the run has open on that connection.
 */
export const retentionRuns = {
  async databaseNow(runner: QueryRunner): Promise<Date> {
    const [{ now }]: { now: Date }[] = await runner.query(`SELECT clock_timestamp() AS now`);
    return new Date(now);
  },

  /** Until the open transaction ends, a hold being applied waits (docs/retention.md). */
  async lockHolds(runner: QueryRunner, schema: string): Promise<void> {
    await runner.query(`LOCK TABLE "${schema}".legal_holds IN SHARE MODE`);
  },

  async record(
    runner: QueryRunner,
    schema: string,
    run: { startedAt: Date; cutoff: Date; months: number; counts: Record<string, number> },
  ): Promise<void> {
    await runner.query(
      `INSERT INTO "${schema}".retention_runs (started_at, finished_at, cutoff, months, counts) VALUES ($1, clock_timestamp(), $2, $3, $4)`,
      [run.startedAt, run.cutoff, run.months, JSON.stringify(run.counts)],
    );
  },

  async casesOnHold(runner: QueryRunner, schema: string): Promise<number> {
    const [{ held }]: { held: number }[] = await runner.query(`SELECT count(*)::int AS held FROM "${schema}".legal_holds WHERE held`);
    return held;
  },
};
