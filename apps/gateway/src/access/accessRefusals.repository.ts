import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sealedJsonb } from '@mash/at-rest';
import type { Refusal } from './accessAudit';

/** gateway.access_refusals: one row a refused request (AccessAudit says what is kept and why). */
@Injectable()
export class AccessRefusalsRepository {
  constructor(private readonly ds: DataSource) {}

  /** `params` already cut to size; sealed here, as GATEWAY_SEALED says the column is. */
  async record(r: Refusal, params: Record<string, string>): Promise<void> {
    await this.ds.query(
      `INSERT INTO gateway.access_refusals (principal, role, credential, method, route, params, status, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [r.principal ?? null, r.role ?? null, r.credential, r.method, r.route.slice(0, 200), sealedJsonb(params), r.status, r.reason],
    );
  }
}
