import { createHash, timingSafeEqual } from 'node:crypto';
import { isProduction } from './productionSecrets';

/**
 * The ops credential every /metrics asks for (services, adapters, connectors): a bearer token,
 * configured only as its SHA-256 (MASH_METRICS_TOKEN_SHA256, 64 hex digits), so a leaked
 * environment does not leak the token. Outside production an unset hash means the demo token
 * DEMO_METRICS_TOKEN; production mode refuses to start without a hash, or with the demo token's.
 * Metrics name no person, but they tell how many cases of each rating wait and how late agencies
 * are: not for anyone who can reach the port (docs/observability.md).
 */
export const DEMO_METRICS_TOKEN = 'demo-metrics-token';
export const METRICS_TOKEN_VARIABLE = 'MASH_METRICS_TOKEN_SHA256';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export class MetricsCredential {
  private constructor(private readonly hash: Buffer) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): MetricsCredential {
    const configured = env[METRICS_TOKEN_VARIABLE]?.trim();
    const demo = sha256(DEMO_METRICS_TOKEN);
    if (!configured) {
      if (isProduction(env)) throw new Error(`${METRICS_TOKEN_VARIABLE} must be set in production mode: the demo metrics token is refused`);
      return new MetricsCredential(demo);
    }
    if (!/^[0-9a-f]{64}$/i.test(configured))
      throw new Error(`${METRICS_TOKEN_VARIABLE} must be the SHA-256 of the metrics token, as 64 hex digits`);
    const hash = Buffer.from(configured, 'hex');
    if (isProduction(env) && hash.equals(demo))
      throw new Error(`${METRICS_TOKEN_VARIABLE} is the hash of the demo metrics token: production mode needs a token of its own`);
    return new MetricsCredential(hash);
  }

  /** True when the Authorization header carries the metrics token. */
  allows(authorization: string | string[] | undefined): boolean {
    const value = Array.isArray(authorization) ? authorization[0] : authorization;
    const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(value ?? '');
    return !!m && timingSafeEqual(sha256(m[1]!), this.hash);
  }
}

let current: MetricsCredential | undefined;

/** The process's credential, read once from the environment. */
export function metricsCredential(): MetricsCredential {
  current ??= MetricsCredential.fromEnv();
  return current;
}
