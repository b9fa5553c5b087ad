import { resolve } from 'node:path';
import type { SubmittingAgency } from '@mash/contracts';
import { DEFAULT_RETRY, RetryOptions } from './gatewayClient';
import { BearerToken, bearerTokenFromEnv, requireProductionSecrets } from '@mash/platform/standalone';

/** Fixed local ports, so the demo and a person's browser find each adapter without looking. */
export const ADAPTER_PORTS: Record<SubmittingAgency, number> = { police: 8091, health: 8092, education: 8093, 'contact-centre': 8094 };

export interface AdapterConfig {
  agency: SubmittingAgency;
  port: number;
  host: string;
  /** `http` posts to the gateway; `kafka` publishes to the agency's inbound topic. */
  mode: 'http' | 'kafka';
  gatewayUrl: string;
  token: string;
  retry: RetryOptions;
  maxBodyBytes: number;
  /** Deeper JSON is refused before it is parsed (as at the gateway, MASH_MAX_JSON_DEPTH). */
  maxJsonDepth: number;
  /** Token bucket per sending address: records per second and burst (429 past it). */
  rateLimit: { perSecond: number; burst: number };
  rejectLog?: string;
  /** Webhook agencies: the secret notices are signed with, and the URL the hub should call. */
  webhookSecret: string;
  noticeWebhookUrl: string;
  /**
   * The agency system's credential for calling this adapter (ADAPTER_CLIENT_TOKEN): POST /records,
   * GET /contacts/:id and GET /notices refuse a request without it (docs/trust-boundary.md).
   */
  clientToken: BearerToken;
  /** Refusals per client address before 429 (ADAPTER_REFUSAL_RATE_PER_SEC, ADAPTER_REFUSAL_BURST). */
  refusalLimit: { perSecond: number; burst: number };
}

/** The demo credential of an agency system calling its adapter (local runs and tests only; production refuses it). */
export const demoAdapterClientToken = (agency: SubmittingAgency) => `demo-${agency}-client-token`;

/** Everything from the environment, with working local defaults (the demo tokens and secrets). */
export function adapterConfigFromEnv(agency: SubmittingAgency, env: NodeJS.ProcessEnv = process.env): AdapterConfig {
  const port = Number(env.ADAPTER_PORT ?? ADAPTER_PORTS[agency]);
  const host = env.ADAPTER_HOST ?? env.SERVICE_HOST ?? '127.0.0.1';
  const mode = (env.ADAPTER_MODE ?? 'http').toLowerCase();
  if (mode !== 'http' && mode !== 'kafka') throw new Error(`ADAPTER_MODE must be http or kafka, not '${mode}'`);
  const rejectLog = env.ADAPTER_REJECT_LOG ?? `.run/adapters/${agency}-rejected.jsonl`;
  requireProductionSecrets('ADAPTER_TOKEN', env.ADAPTER_TOKEN, [env.ADAPTER_TOKEN ?? ''], env);
  requireProductionSecrets('ADAPTER_WEBHOOK_SECRET', env.ADAPTER_WEBHOOK_SECRET, [env.ADAPTER_WEBHOOK_SECRET ?? ''], env);
  const num = (name: string, fallback: number) => (env[name] !== undefined && env[name] !== '' ? Number(env[name]) : fallback);
  return {
    agency,
    port,
    host,
    mode,
    gatewayUrl: env.GATEWAY_URL ?? 'http://127.0.0.1:8080',
    token: env.ADAPTER_TOKEN ?? `demo-${agency}-token`,
    retry: {
      attempts: num('ADAPTER_RETRY_ATTEMPTS', DEFAULT_RETRY.attempts),
      baseMs: num('ADAPTER_RETRY_BASE_MS', DEFAULT_RETRY.baseMs),
      maxMs: num('ADAPTER_RETRY_MAX_MS', DEFAULT_RETRY.maxMs),
    },
    maxBodyBytes: num('ADAPTER_MAX_BODY_BYTES', 2 * 1024 * 1024),
    maxJsonDepth: num('ADAPTER_MAX_JSON_DEPTH', num('MASH_MAX_JSON_DEPTH', 32)),
    rateLimit: { perSecond: num('ADAPTER_RATE_LIMIT_PER_SEC', 50), burst: num('ADAPTER_RATE_LIMIT_BURST', 200) },
    rejectLog: rejectLog === 'off' ? undefined : resolve(process.cwd(), rejectLog),
    // The notifier's demo secret for this agency (MASH_WEBHOOK_SECRETS unset there too).
    webhookSecret: env.ADAPTER_WEBHOOK_SECRET ?? `mash-demo-webhook-secret-${agency}`,
    noticeWebhookUrl: env.ADAPTER_NOTICE_WEBHOOK_URL ?? `http://127.0.0.1:${port}/notices/webhook`,
    clientToken: bearerTokenFromEnv('ADAPTER_CLIENT_TOKEN', demoAdapterClientToken(agency), env),
    refusalLimit: { perSecond: num('ADAPTER_REFUSAL_RATE_PER_SEC', 5), burst: num('ADAPTER_REFUSAL_BURST', 50) },
  };
}
