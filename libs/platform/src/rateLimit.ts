/**
 * Token bucket per sender (an adapter at the gateway, an agency system at its adapter). A sender
 * that floods the front door gets 429s instead of starving every other one. Per process: each
 * replica enforces its own share.
 *
 * Keys can be client addresses (refusals, docs/trust-boundary.md), which a stranger chooses, so
 * the map is bounded: a bucket that has refilled to its burst is the same as no bucket and is
 * dropped, and past `maxKeys` live buckets the least recently used go first (each then starts full again).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly maxKeys = 10_000,
  ) {}

  take(key: string, now = Date.now()): boolean {
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    // Re-inserted at the end, so the map's order is least recently used first.
    this.buckets.delete(key);
    this.buckets.set(key, b);
    if (this.buckets.size > this.maxKeys) this.prune(now);
    return ok;
  }

  /** How many senders have a bucket that is not full (what the map holds). */
  get size(): number {
    return this.buckets.size;
  }

  private prune(now: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.perSecond >= this.burst) this.buckets.delete(k);
    }
    // Down to nine tenths, so a flood of new keys sweeps once per tenth of the map, not per request.
    const keep = Math.floor(this.maxKeys * 0.9);
    for (const k of this.buckets.keys()) {
      if (this.buckets.size <= keep) break;
      this.buckets.delete(k);
    }
  }
}
