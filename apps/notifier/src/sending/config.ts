import type { NoticeAgency } from '../delivery/channel';
import { DEFAULT_RETRY_POLICY, RetryPolicy } from '../delivery/retry';
import { log } from '@mash/messaging';
import { requireProductionSecrets } from '@mash/platform';

/**
 * Delivery settings from the environment. Tests shrink the back-off to milliseconds; production
 * keeps the colleague's default (30 s doubling to 30 min over 10 attempts, see delivery/retry.ts).
 */
export function retryPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): RetryPolicy {
  const num = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number`);
    return n;
  };
  const policy = {
    maxAttempts: Math.max(1, Math.floor(num('MASH_NOTICE_MAX_ATTEMPTS', DEFAULT_RETRY_POLICY.maxAttempts))),
    baseMs: num('MASH_NOTICE_BACKOFF_BASE_MS', DEFAULT_RETRY_POLICY.baseMs),
    maxMs: num('MASH_NOTICE_BACKOFF_MAX_MS', DEFAULT_RETRY_POLICY.maxMs),
  };
  if (policy.maxMs < policy.baseMs) throw new Error('MASH_NOTICE_BACKOFF_MAX_MS must not be below MASH_NOTICE_BACKOFF_BASE_MS');
  return policy;
}

/** Local runs and the demo work without set-up; anything real sets MASH_WEBHOOK_SECRETS. */
export const DEMO_WEBHOOK_SECRET_PREFIX = 'mash-demo-webhook-secret-';

/**
 * One shared secret per agency ("police=...,health=..."), because the agency's adapter is the
 * receiver and verifies every notice with it. With the variable unset, each agency gets a demo
 * secret and a warning says so; with it set, an agency left out gets no webhook delivery at all
 * (a permanent failure, dead-lettered), never a guessable secret.
 */
export function webhookSecretsFromEnv(env: NodeJS.ProcessEnv = process.env): (agency: NoticeAgency) => string | undefined {
  const raw = env.MASH_WEBHOOK_SECRETS;
  requireProductionSecrets(
    'MASH_WEBHOOK_SECRETS',
    raw,
    (raw ?? '').split(',').map((p) => p.slice(p.indexOf('=') + 1).trim()),
    env,
  );
  if (raw === undefined || raw.trim() === '') {
    log('warn', 'MASH_WEBHOOK_SECRETS is not set: demo webhook secrets in use, not for real agencies');
    return (agency) => `${DEMO_WEBHOOK_SECRET_PREFIX}${agency}`;
  }
  const secrets = new Map<string, string>();
  for (const pair of raw.split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error('MASH_WEBHOOK_SECRETS must be agency=secret pairs separated by commas');
    const agency = pair.slice(0, at).trim();
    const secret = pair.slice(at + 1).trim();
    // A short secret is a guessable one: HMAC is only as strong as its key.
    if (secret.length < 16) throw new Error(`webhook secret for ${agency} is shorter than 16 characters`);
    secrets.set(agency, secret);
  }
  return (agency) => secrets.get(agency);
}

export interface SendingConfig {
  policy: RetryPolicy;
  pollMs: number;
  /** Deliveries in flight at once; each holds one pooled connection while its receiver answers. */
  concurrency: number;
  webhookTimeoutMs: number;
}

export function sendingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SendingConfig {
  return {
    policy: retryPolicyFromEnv(env),
    pollMs: Number(env.MASH_NOTICE_POLL_MS ?? 250),
    concurrency: Math.max(1, Number(env.MASH_NOTICE_CONCURRENCY ?? 4)),
    webhookTimeoutMs: Number(env.MASH_WEBHOOK_TIMEOUT_MS ?? 10_000),
  };
}
