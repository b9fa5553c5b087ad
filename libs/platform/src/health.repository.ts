import { DataSource } from 'typeorm';

/** The readiness probe's question to the service's database: does it answer at all? Throws if not. */
export async function databaseAnswers(ds: DataSource): Promise<void> {
  await ds.query('SELECT 1');
}
