import { Injectable, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { log } from '@mash/messaging';
import { requireProductionSecrets } from '@mash/platform';
import { CredentialsRepository } from './credentials.repository';

/**
 * Machines hold long random tokens (MASH_CREDENTIALS): adapters, ops automation, and `board` (reads the
 * wall board and nothing else: a screen on the office wall holds this token). Decisions, consent
 * overrides and case reads are a person's: decision makers sign in through the council's OpenID
 * provider, and no machine token can hold that role (docs/architecture.md, "Trust boundary and data").
 */
export const ROLES = ['adapter', 'ops', 'board'] as const;
// `manager`: sets and lifts legal holds (docs/retention.md); a MASH team manager usually also decides.
export const PEOPLE_ROLES = ['decision-maker', 'manager', 'ops', 'auditor', 'board'] as const;
export type Role = (typeof ROLES)[number] | (typeof PEOPLE_ROLES)[number];
export interface Principal {
  /** A machine's principal, or a person's subject at their identity provider. */
  principal: string;
  role: Role;
  /** A person's display name from their token; machines have none. */
  name?: string;
}

/**
 * Demo credentials for local runs only; a deployment sets MASH_CREDENTIALS. Tokens are long random
 * strings, not passwords, so one SHA-256 is enough to make a stolen table useless and keeps the
 * check cheap on every request.
 */
const DEMO =
  'police=adapter:demo-police-token,health=adapter:demo-health-token,education=adapter:demo-education-token,contact-centre=adapter:demo-contact-centre-token,ops=ops:demo-ops-token,wall-board=board:demo-board-token';

/**
 * How long a replica trusts what it read of a credential. Another replica started with a new
 * configuration revokes in the shared table; this one stops honouring the revoked token within this.
 */
const CACHE_MS = Number(process.env.MASH_CREDENTIAL_CACHE_MS ?? 10_000);

export function sha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function parseCredentials(spec: string): (Principal & { token: string })[] {
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = new RegExp(`^([a-z0-9-]+)=(${ROLES.join('|')}):(.{12,})$`).exec(entry);
      if (!m) {
        const role = /^[a-z0-9-]+=([a-z-]+):/.exec(entry)?.[1];
        if (role === 'decision-maker')
          throw new Error(
            `MASH_CREDENTIALS entry '${entry.split(':')[0]}': decision makers sign in as people through OpenID Connect (MASH_OIDC_ISSUER); no machine token may hold the decision-maker role`,
          );
        throw new Error(
          `MASH_CREDENTIALS entry '${entry.split(':')[0]}' must be principal=role:token with role one of ${ROLES.join(', ')} and a token of 12+ characters`,
        );
      }
      return { principal: m[1], role: m[2] as Role, token: m[3] };
    });
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.principal)) throw new Error(`MASH_CREDENTIALS names principal '${e.principal}' twice`);
    seen.add(e.principal);
  }
  return entries;
}

/** MASH_CREDENTIALS, or the demo credentials on a local run; production mode refuses both a missing list and a demo token. */
export function configuredCredentials(env: NodeJS.ProcessEnv = process.env): (Principal & { token: string })[] {
  const spec = env.MASH_CREDENTIALS;
  const parsed = parseCredentials(spec || DEMO);
  requireProductionSecrets(
    'MASH_CREDENTIALS',
    spec,
    parsed.map((c) => c.token),
    env,
  );
  if (!spec) log('warn', 'MASH_CREDENTIALS not set: using the demo credentials (local runs only)');
  return parsed;
}

@Injectable()
export class CredentialsService implements OnModuleInit {
  private cache = new Map<string, { found: (Principal & { revoked: boolean }) | undefined; until: number }>();

  constructor(private readonly credentials: CredentialsRepository) {}

  /**
   * The configuration is the whole list: each principal in it is upserted (and restored if it was
   * revoked), and every principal no longer in it is revoked. The row is kept, marked, so that a
   * refused attempt with an old token is audited under the principal it belonged to.
   */
  async onModuleInit(): Promise<void> {
    await this.configure(configuredCredentials());
  }

  async configure(credentials: (Principal & { token: string })[]): Promise<void> {
    const revoked = await this.credentials.replaceAll(
      credentials.map((c) => ({ principal: c.principal, role: c.role, tokenSha256: sha256(c.token) })),
    );
    if (revoked.length) log('warn', 'credentials revoked: no longer in the configuration', { principals: revoked });
    this.cache.clear();
  }

  /** Whose token this is, revoked or not; undefined for a token the hub never issued. */
  async identify(token: string, now = Date.now()): Promise<(Principal & { revoked: boolean }) | undefined> {
    const hash = sha256(token);
    const hit = this.cache.get(hash);
    if (hit && hit.until > now) return hit.found;
    const found = await this.credentials.byTokenHash(hash);
    this.cache.set(hash, { found, until: now + CACHE_MS });
    return found;
  }
}
