import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal, Role } from './credentials.service';

/** gateway.credentials: machine principals, their role and their token's hash (never the token). */
@Injectable()
export class CredentialsRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Makes the table say exactly `credentials`, in one transaction that holds a lock for the whole
   * configuration (two replicas starting together cannot interleave): each is upserted (restored if
   * it was revoked) and every other principal is revoked. Returns the principals revoked now.
   */
  async replaceAll(credentials: (Principal & { tokenSha256: string })[]): Promise<string[]> {
    return this.ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('gateway:credentials'))`);
      for (const c of credentials) {
        await m.query(
          `INSERT INTO gateway.credentials (principal, role, token_sha256) VALUES ($1, $2, $3)
           ON CONFLICT (principal) DO UPDATE SET role = EXCLUDED.role, token_sha256 = EXCLUDED.token_sha256, revoked_at = NULL`,
          [c.principal, c.role, c.tokenSha256],
        );
      }
      const revoked: { principal: string }[] = await m.query(
        `UPDATE gateway.credentials SET revoked_at = now() WHERE revoked_at IS NULL AND NOT (principal = ANY($1::text[])) RETURNING principal`,
        [credentials.map((c) => c.principal)],
      );
      return revoked.map((r) => r.principal);
    });
  }

  /** Whose token hash this is, revoked or not; undefined for one the hub never issued. */
  async byTokenHash(hash: string): Promise<(Principal & { revoked: boolean }) | undefined> {
    const rows: { principal: string; role: Role; revoked: boolean }[] = await this.ds.query(
      `SELECT principal, role, revoked_at IS NOT NULL AS revoked FROM gateway.credentials WHERE token_sha256 = $1`,
      [hash],
    );
    return rows[0] ? { principal: rows[0].principal, role: rows[0].role, revoked: rows[0].revoked } : undefined;
  }
}
