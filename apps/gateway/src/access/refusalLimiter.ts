import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { RateLimiter } from '@mash/platform';
import { log } from '@mash/messaging';

const limited = new Counter({
  name: 'mash_gateway_refusals_rate_limited_total',
  help: 'Requests without a valid credential answered 429 because their client address had used up its allowance of refusals.',
});

/**
 * Refusals per client address (docs/trust-boundary.md): an address may be refused for a missing
 * or wrong credential a few times a second (MASH_REFUSAL_RATE_PER_SEC, burst MASH_REFUSAL_BURST);
 * past that it gets 429 with nothing written, neither quarantine nor audit row, so a stranger
 * cannot make the hub store or audit at the rate it can send. Good requests are never counted.
 */
@Injectable()
export class RefusalLimiter {
  private readonly bucket: RateLimiter;
  // One log line a minute per address, so the log does not grow at the flood's rate either; a
  // limiter of its own, whose map is bounded like the refusals' (addresses are the sender's to choose).
  private readonly logLines = new RateLimiter(1 / 60, 1);

  constructor() {
    const perSecond = Number(process.env.MASH_REFUSAL_RATE_PER_SEC ?? 5);
    const burst = Number(process.env.MASH_REFUSAL_BURST ?? 50);
    if (!(perSecond > 0) || !(burst >= 1)) throw new Error('MASH_REFUSAL_RATE_PER_SEC must be above 0 and MASH_REFUSAL_BURST at least 1');
    this.bucket = new RateLimiter(perSecond, burst);
  }

  /** Whether this address may have one more refusal written down; false means answer 429 and keep nothing. */
  allow(address: string, now = Date.now()): boolean {
    if (this.bucket.take(address, now)) return true;
    limited.inc();
    if (this.logLines.take(address, now)) log('warn', 'refusals rate-limited for a client address', { address });
    return false;
  }
}
