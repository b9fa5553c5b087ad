import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { LagSnapshot } from './lag.sampler';

/** The shared last lag sample: one row, overwritten by the sampling replica. */
@Injectable()
export class LagSnapshotRepository {
  constructor(private readonly dataSource: DataSource) {}

  async write(snapshot: LagSnapshot): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO gateway.lag_snapshot (id, snapshot, written_at) VALUES (1, $1, now())
       ON CONFLICT (id) DO UPDATE SET snapshot = EXCLUDED.snapshot, written_at = now()`,
      [JSON.stringify(snapshot)],
    );
  }

  async read(): Promise<LagSnapshot | undefined> {
    const rows: { snapshot: LagSnapshot }[] = await this.dataSource.query(`SELECT snapshot FROM gateway.lag_snapshot WHERE id = 1`);
    return rows[0]?.snapshot;
  }
}
