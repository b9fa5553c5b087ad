import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The decision workspace's sign-ins in progress (the PKCE verifier stays on the server) and its
 * sessions. Both are keyed by the SHA-256 of what the browser holds, so a read of the table gives
 * nobody a usable cookie. In Postgres, not in memory: any gateway replica serves any page, and a
 * restart does not sign everyone out.
 */
export class WorkspaceSessions1700000001500 implements MigrationInterface {
  name = 'WorkspaceSessions1700000001500';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE gateway.workspace_logins (
      state_hash text PRIMARY KEY,
      verifier text NOT NULL,
      return_to text NOT NULL,
      expires_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE TABLE gateway.workspace_sessions (
      id_hash text PRIMARY KEY,
      subject text NOT NULL,
      access_token text NOT NULL,
      csrf text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX workspace_sessions_expiry ON gateway.workspace_sessions (expires_at)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE gateway.workspace_sessions`);
    await q.query(`DROP TABLE gateway.workspace_logins`);
  }
}
