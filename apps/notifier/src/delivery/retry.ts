import type { Receipt } from './channel';
import { now as hubNow } from '@mash/platform/clock';

export interface RetryPolicy {
  /** Attempts in all, the first included; after the last failure the notice is dead-lettered. */
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

/*
 * 30 s doubling to a 30 min cap: about 3 hours over 10 attempts, enough to ride out a receiver's
 * restart or an afternoon's outage while still leaving an operator the rest of the working day to
 * replay from the dead letter and meet the "referrer told within one working day" expectation.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 10, baseMs: 30_000, maxMs: 30 * 60_000 };

/**
 * Delay before the attempt after `attempt` (1 = the first attempt has failed). "Equal jitter":
 * half the exponential delay is fixed so a struggling receiver always gets breathing room; the
 * other half is random so notices that failed together (a receiver outage) do not return together.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  // Cap the exponent before Math.pow: 2 ** 2000 is Infinity and Infinity * 0 is NaN.
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 52));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling / 2 + r * (ceiling / 2));
}

export function nextAttemptAt(
  attempt: number,
  baseMs: number,
  maxMs: number,
  now: Date = hubNow(),
  random: () => number = Math.random,
): Date {
  return new Date(now.getTime() + backoffMs(attempt, baseMs, maxMs, random));
}

export type NextStep = { action: 'done' } | { action: 'retry'; at: Date } | { action: 'dead-letter'; reason: string };

/** What to do after attempt number `attempt` ended with `receipt`. */
export function afterAttempt(
  receipt: Receipt,
  attempt: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  now: Date = hubNow(),
  random: () => number = Math.random,
): NextStep {
  // A no-channel receipt is an outcome, not a failure: retrying cannot create a channel.
  if (receipt.status !== 'failed') return { action: 'done' };
  if (!receipt.retryable) return { action: 'dead-letter', reason: `permanent failure: ${receipt.detail ?? 'unknown'}` };
  if (attempt >= policy.maxAttempts)
    return { action: 'dead-letter', reason: `gave up after ${attempt} attempts: ${receipt.detail ?? 'unknown'}` };
  return { action: 'retry', at: nextAttemptAt(attempt, policy.baseMs, policy.maxMs, now, random) };
}
