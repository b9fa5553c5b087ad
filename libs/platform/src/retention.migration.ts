import { QueryRunner } from 'typeorm';

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
