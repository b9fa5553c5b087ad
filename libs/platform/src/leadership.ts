import { DataSource, QueryRunner } from 'typeorm';
import { sessionAdvisoryLock } from './advisoryLock.repository';

/**
 * One replica at a time does a job (the consumer-lag sampler): the one holding a session-level
 * Postgres advisory lock on a connection of its own. The lock goes with the connection, so a
 * replica that dies or loses Postgres hands the job on without anyone releasing anything.
 */
export class Leadership {
  private runner?: QueryRunner;
  private leader = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly job: string,
  ) {}

  /** True while this replica holds the lock; tries to take it when it does not. */
  async isLeader(): Promise<boolean> {
    try {
      if (!this.runner) {
        this.runner = this.dataSource.createQueryRunner();
        await this.runner.connect();
      }
      if (this.leader) {
        // The lock lives as long as this connection: a connection that still answers still holds it.
        await sessionAdvisoryLock.ping(this.runner);
        return true;
      }
      this.leader = await sessionAdvisoryLock.tryTake(this.runner, `leader:${this.job}`);
      return this.leader;
    } catch {
      this.leader = false;
      const r = this.runner;
      this.runner = undefined;
      await r?.release().catch(() => undefined);
      return false;
    }
  }

  async resign(): Promise<void> {
    const r = this.runner;
    this.runner = undefined;
    if (r && this.leader) await sessionAdvisoryLock.release(r, `leader:${this.job}`).catch(() => undefined);
    this.leader = false;
    await r?.release().catch(() => undefined);
  }
}
