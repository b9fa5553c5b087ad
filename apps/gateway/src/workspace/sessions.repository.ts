import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataKeys, isSealed } from '@mash/at-rest';

const hash = (v: string) => createHash('sha256').update(v).digest('hex');
const secret = () => randomBytes(32).toString('base64url');

export interface WorkspaceSession {
  subject: string;
  accessToken: string;
  csrf: string;
  expiresAt: Date;
}

/**
 * Sign-ins in progress and sessions of the decision workspace. Rows in, domain values out. The
 * session's access token is a bearer credential for case content: sealed (GATEWAY_SEALED).
 */
@Injectable()
export class WorkspaceSessions {
  constructor(private readonly ds: DataSource) {}

  /** A new sign-in: the state the browser carries, and the PKCE verifier kept here (10 minutes). */
  async beginLogin(returnTo: string): Promise<{ state: string; verifier: string }> {
    const state = secret();
    const verifier = secret();
    await this.ds.query(`DELETE FROM gateway.workspace_logins WHERE expires_at < now()`);
    await this.ds.query(
      `INSERT INTO gateway.workspace_logins (state_hash, verifier, return_to, expires_at) VALUES ($1, $2, $3, now() + interval '10 minutes')`,
      [hash(state), verifier, returnTo],
    );
    return { state, verifier };
  }

  /** The sign-in a callback finishes, once: a replayed state finds nothing. */
  async finishLogin(state: string): Promise<{ verifier: string; returnTo: string } | undefined> {
    // The pg driver under TypeORM answers a DELETE ... RETURNING with [rows, affected].
    const [rows]: [{ verifier: string; return_to: string }[], number] = await this.ds.query(
      `DELETE FROM gateway.workspace_logins WHERE state_hash = $1 AND expires_at > now() RETURNING verifier, return_to`,
      [hash(state)],
    );
    const row = rows[0];
    return row ? { verifier: row.verifier, returnTo: row.return_to } : undefined;
  }

  /** A session until the access token expires (the provider issues no refresh token: sign in again). */
  async open(subject: string, accessToken: string, expiresAt: Date): Promise<{ id: string; csrf: string }> {
    const id = secret();
    const csrf = secret();
    await this.ds.query(`DELETE FROM gateway.workspace_sessions WHERE expires_at < now()`);
    await this.ds.query(
      `INSERT INTO gateway.workspace_sessions (id_hash, subject, access_token, csrf, expires_at) VALUES ($1, $2, $3, $4, $5)`,
      [hash(id), subject, dataKeys().seal(accessToken), csrf, expiresAt],
    );
    return { id, csrf };
  }

  async find(id: string): Promise<WorkspaceSession | undefined> {
    const [row] = await this.ds.query(
      `SELECT subject, access_token, csrf, expires_at FROM gateway.workspace_sessions WHERE id_hash = $1 AND expires_at > now()`,
      [hash(id)],
    );
    return row
      ? {
          subject: row.subject,
          accessToken: isSealed(row.access_token) ? dataKeys().open(row.access_token) : row.access_token,
          csrf: row.csrf,
          expiresAt: row.expires_at,
        }
      : undefined;
  }

  async close(id: string): Promise<void> {
    await this.ds.query(`DELETE FROM gateway.workspace_sessions WHERE id_hash = $1`, [hash(id)]);
  }
}
