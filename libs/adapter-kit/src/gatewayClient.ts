import type { Contact, FieldError, SubmittingAgency } from '@mash/contracts';
import { currentTraceparent, inSpan, SpanKind } from '@mash/messaging/standalone';

/** What the gateway answered, after any retries. */
export type GatewayAnswer =
  | { kind: 'accepted'; status: number; body: GatewayAcceptance; attempts: number }
  | { kind: 'refused'; status: number; body: GatewayRefusal; attempts: number }
  | { kind: 'unavailable'; status?: number; reason: string; attempts: number };

export interface GatewayAcceptance {
  contactId: string;
  receivedAt: string;
  status: 'accepted' | 'already-received';
  statusUrl: string;
  nextSteps: string;
  timescales: Record<string, string>;
}

/** The gateway's problem document (RFC 9457); `error` only when the answer was not JSON at all. */
export interface GatewayRefusal {
  status?: number;
  type?: string;
  detail?: string;
  error?: string;
  errors?: FieldError[];
  quarantineId?: number;
}

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 6, baseMs: 200, maxMs: 5000 };

/** 5xx, 429 and 408 may succeed later; any other 4xx says the request itself is wrong. */
export function isRetryable(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/**
 * Exponential back-off with full jitter, so adapters that all lost the gateway at once do not all
 * come back at the same instant; a Retry-After from the gateway is a floor.
 */
export function backoffMs(attempt: number, retry: RetryOptions, retryAfterSec?: number, random: () => number = Math.random): number {
  const ceiling = Math.min(retry.maxMs, retry.baseMs * 2 ** (attempt - 1));
  const jittered = Math.round(ceiling * (0.5 + random() / 2));
  const floor = retryAfterSec !== undefined && Number.isFinite(retryAfterSec) ? Math.min(retry.maxMs * 4, retryAfterSec * 1000) : 0;
  return Math.max(jittered, floor);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface GatewayClientOptions {
  gatewayUrl: string;
  agency: SubmittingAgency;
  token: string;
  retry?: RetryOptions;
  timeoutMs?: number;
}

/**
 * Submits canonical contacts to the gateway. Retrying is safe because the gateway keeps one
 * contact per agency reference: a retry after a lost answer returns the same contact id (200).
 */
export class GatewayClient {
  private readonly retry: RetryOptions;

  constructor(private readonly opts: GatewayClientOptions) {
    this.retry = opts.retry ?? DEFAULT_RETRY;
  }

  async submit(contact: Contact): Promise<GatewayAnswer> {
    const url = `${this.opts.gatewayUrl.replace(/\/$/, '')}/v1/agencies/${this.opts.agency}/contacts`;
    const body = JSON.stringify(contact);
    let last: { status?: number; reason: string } = { reason: 'not tried' };
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      let retryAfter: number | undefined;
      try {
        // Each attempt a client span; the gateway continues the trace from its `traceparent`.
        const res = await inSpan(
          'POST /v1/agencies/{agency}/contacts',
          { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'POST', 'mash.attempt': attempt } },
          async () => {
            const traceparent = currentTraceparent();
            return fetch(url, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${this.opts.token}`,
                ...(traceparent ? { traceparent } : {}),
              },
              body,
              signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
            });
          },
        );
        const text = await res.text();
        const parsed = parseBody(text);
        if (res.status === 200 || res.status === 202)
          return { kind: 'accepted', status: res.status, body: parsed as GatewayAcceptance, attempts: attempt };
        if (!isRetryable(res.status)) return { kind: 'refused', status: res.status, body: parsed as GatewayRefusal, attempts: attempt };
        const header = res.headers.get('retry-after');
        retryAfter = header !== null && /^\d+$/.test(header) ? Number(header) : undefined;
        last = { status: res.status, reason: `HTTP ${res.status}` };
      } catch (err) {
        last = { reason: `network: ${(err as Error).name}` };
      }
      if (attempt < this.retry.attempts) await sleep(backoffMs(attempt, this.retry, retryAfter));
    }
    return { kind: 'unavailable', ...last, attempts: this.retry.attempts };
  }
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: text.slice(0, 200) };
  }
}
