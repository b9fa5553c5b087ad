import { createHash, timingSafeEqual } from 'node:crypto';
import { requireProductionSecrets } from './productionSecrets';

/** A single machine credential a small process checks itself (an adapter's callers, triage's ops readers). */
export interface BearerToken {
  /** True when the Authorization header carries the token. */
  allows(authorization: string | undefined): boolean;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * The token from `variable`, else `demoToken` outside production mode (production refuses a
 * missing or demo one and names the variable). Only its SHA-256 is held, and the comparison takes
 * the same time whatever was presented.
 */
export function bearerTokenFromEnv(variable: string, demoToken: string, env: NodeJS.ProcessEnv = process.env): BearerToken {
  const raw = env[variable];
  requireProductionSecrets(variable, raw, [raw ?? ''], env);
  const token = raw && raw.trim() !== '' ? raw.trim() : demoToken;
  if (token.length < 16) throw new Error(`${variable} must be a token of 16 characters or more`);
  const want = sha256(token);
  return {
    allows(authorization) {
      const presented = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
      return presented !== undefined && timingSafeEqual(sha256(presented), want);
    },
  };
}
