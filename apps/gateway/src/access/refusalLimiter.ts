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
  private readonly loggedAt = new Map<string, number>();

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
    // One log line a minute per address: the log must not grow at the flood's rate either.
    if ((this.loggedAt.get(address) ?? 0) < now - 60_000) {
      this.loggedAt.set(address, now);
      // Addresses are the sender's to choose: forget those whose minute is over before the map grows.
      if (this.loggedAt.size > 10_000) {
        for (const [a, at] of this.loggedAt) if (at < now - 60_000) this.loggedAt.delete(a);
        if (this.loggedAt.size > 10_000) this.loggedAt.clear();
      }
      log('warn', 'refusals rate-limited for a client address', { address });
    }
    return false;
  }
}
