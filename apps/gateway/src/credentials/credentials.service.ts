import { Injectable, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { log } from '@mash/messaging';

export type Role = 'adapter' | 'decision-maker' | 'ops';
export interface Principal {
  principal: string;
  role: Role;
}

/**
 * Demo credentials for local runs only; a deployment sets MASH_CREDENTIALS. Tokens are long random
 * strings, not passwords, so one SHA-256 is enough to make a stolen table useless and keeps the
 * check cheap on every request.
 */
const DEMO = 'police=adapter:demo-police-token,health=adapter:demo-health-token,education=adapter:demo-education-token,contact-centre=adapter:demo-contact-centre-token,mash-manager=decision-maker:demo-manager-token,ops=ops:demo-ops-token';

export function sha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function parseCredentials(spec: string): (Principal & { token: string })[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^([a-z0-9-]+)=(adapter|decision-maker|ops):(.{12,})$/.exec(entry);
      if (!m) throw new Error(`MASH_CREDENTIALS entry '${entry.split(':')[0]}' must be principal=role:token with a token of 12+ characters`);
      return { principal: m[1], role: m[2] as Role, token: m[3] };
    });
}

@Injectable()
export class CredentialsService implements OnModuleInit {
  private cache = new Map<string, Principal>();

  constructor(private readonly ds: DataSource) {}

  async onModuleInit(): Promise<void> {
    const spec = process.env.MASH_CREDENTIALS;
    if (!spec) log('warn', 'MASH_CREDENTIALS not set: using the demo credentials (local runs only)');
    for (const c of parseCredentials(spec ?? DEMO)) {
      await this.ds.query(
        `INSERT INTO gateway.credentials (principal, role, token_sha256) VALUES ($1, $2, $3)
         ON CONFLICT (principal) DO UPDATE SET role = EXCLUDED.role, token_sha256 = EXCLUDED.token_sha256`,
        [c.principal, c.role, sha256(c.token)],
      );
    }
  }

  /** The principal behind a bearer token, or undefined. */
  async authenticate(authorization: string | undefined): Promise<Principal | undefined> {
    const m = /^Bearer (.+)$/.exec(authorization ?? '');
    if (!m) return undefined;
    const hash = sha256(m[1]);
    const hit = this.cache.get(hash);
    if (hit) return hit;
    const rows: Principal[] = await this.ds.query(`SELECT principal, role FROM gateway.credentials WHERE token_sha256 = $1`, [hash]);
    if (rows.length === 0) return undefined;
    this.cache.set(hash, rows[0]);
    return rows[0];
  }
}
