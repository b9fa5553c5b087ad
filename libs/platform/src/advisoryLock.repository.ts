import { QueryRunner } from 'typeorm';

/**
 * A session-level Postgres advisory lock, on a connection the caller keeps for it: the lock goes
 * with that connection, so a process that dies hands it on without anyone releasing anything.
 * Leadership and RetentionJob use it so that one replica at a time does a job.
 */
export const sessionAdvisoryLock = {
  /** Throws when the connection no longer answers (and with it the lock is gone). */
  async ping(runner: QueryRunner): Promise<void> {
    await runner.query('SELECT 1');
  },

  async tryTake(runner: QueryRunner, key: string): Promise<boolean> {
    const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [key]);
    return locked === true;
  },

  async release(runner: QueryRunner, key: string): Promise<void> {
    await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [key]);
  },
};
