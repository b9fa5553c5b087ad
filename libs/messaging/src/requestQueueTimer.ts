/**
 * kafkajs 2.2.4 (its last release) re-arms a 1 ms timer on every broker connection for as long as
 * the connection lives, whether or not a request waits: with nothing pending and no throttle,
 * `scheduleCheckPendingRequests` sets a timeout of a negative delay, whose callback schedules the
 * next one (kafkajs#1556, #1604, #1704; the fix, #1667, was never merged). Every process of the hub
 * spent 3-12% of a core on it, idle or not: seven connectors and four services on two cores
 * (docs/architecture.md "The Kafka client").
 *
 * Here the queue schedules a check only when one can do something: a request is pending, or the
 * broker's throttle is still running. Nothing else is lost: a new request either goes out at once
 * or is queued and schedules its own check, and every response or timeout checks the queue again.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as {
  prototype: RequestQueueInternals & { scheduleCheckPendingRequests(): void };
};

/** The fields of kafkajs's RequestQueue the timer is decided by. */
export interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
}

/** kafkajs's own interval for re-checking a queue that has requests waiting. */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;

export function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  if (this.pending.length === 0 && untilUnthrottled <= 0) return;
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL,
  );
}

RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;

export { RequestQueue };
