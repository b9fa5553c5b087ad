import http from 'node:http';
import https from 'node:https';
import type { NoticeIssued } from '@mash/contracts';
import { Channel, Clock, delivered, failed, Receipt, systemClock, WebhookTarget } from './channel';
import { NOTICE_ID_HEADER, SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER } from '@mash/contracts';

export interface WebhookConfig {
  /** The shared secret for a receiver's URL; undefined means the receiver is not set up. */
  secretFor: (url: string) => string | undefined;
  timeoutMs?: number;
  clock?: Clock;
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

/** Retrying helps only where the receiver may be fine later; a 4xx says our request is wrong. */
function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/**
 * POSTs the notice as JSON, signed. 2xx is delivered; redirects are not followed, because a
 * notice must reach the address the agency registered and nowhere else.
 */
export class WebhookChannel implements Channel<WebhookTarget> {
  readonly kind = 'webhook' as const;
  private readonly timeoutMs: number;
  private readonly clock: Clock;

  constructor(private readonly config: WebhookConfig) {
    this.timeoutMs = config.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
    this.clock = config.clock ?? systemClock;
  }

  async deliver(notice: NoticeIssued, target: WebhookTarget): Promise<Receipt> {
    let url: URL;
    try {
      url = new URL(target.url);
    } catch {
      return failed('webhook', this.clock(), 'invalid webhook url', false);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      return failed('webhook', this.clock(), `unsupported scheme ${url.protocol}`, false);
    const secret = this.config.secretFor(target.url);
    if (!secret) return failed('webhook', this.clock(), 'no shared secret configured for this receiver', false);

    const body = JSON.stringify(notice);
    const timestamp = String(Math.floor(this.clock().getTime() / 1000));
    const headers = {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
      'User-Agent': 'mash-hub-notifier',
      [SIGNATURE_HEADER]: signBody(body, secret, timestamp),
      [TIMESTAMP_HEADER]: timestamp,
      // Lets a receiver drop a redelivery: the same decision always yields the same notice id.
      [NOTICE_ID_HEADER]: notice.noticeId,
    };
    const outcome = await post(url, headers, body, this.timeoutMs);
    const at = this.clock();
    if ('error' in outcome) return failed('webhook', at, outcome.error, true);
    if (outcome.status >= 200 && outcome.status < 300) return delivered('webhook', at, `HTTP ${outcome.status}`);
    return failed('webhook', at, `HTTP ${outcome.status}`, isRetryableStatus(outcome.status));
  }
}

function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (v: { status: number } | { error: string }) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(v);
      }
    };
    // agent: false: one connection per notice, nothing pooled that outlives the attempt.
    const req = (url.protocol === 'https:' ? https : http).request(url, { method: 'POST', headers, agent: false }, (res) => {
      res.resume();
      settle({ status: res.statusCode ?? 0 });
    });
    // The whole exchange has one deadline; a socket timeout alone would let a slow drip run on.
    const timer = setTimeout(() => {
      settle({ error: `timeout after ${timeoutMs}ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => settle({ error: e.code ?? e.name }));
    req.end(body);
  });
}
