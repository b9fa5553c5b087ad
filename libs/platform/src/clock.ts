/**
 * The one clock of the hub: every deadline, timer, decision, notice and envelope time is read here,
 * never from Date directly, so a simulation can run every process on one virtual time
 * (docs/simulation.md). Normal runs use the system clock. This file imports nothing so that
 * libs/messaging, below libs/platform, can read the same clock (alias @mash/platform/clock).
 * Log lines, rate limits, token expiry and Kafka retries keep the wall clock: they are about the
 * machine, not the case.
 */
export interface Clock {
  now(): Date;
}

/** Nest injection token of the process's clock (ServiceModule provides it). */
export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => new Date() };

let current: Clock = systemClock;

/** Installs the process's clock; called once at start-up (runService), before any module reads it. */
export function useClock(clock: Clock): void {
  current = clock;
}

/** The process's clock. */
export function hubClock(): Clock {
  return current;
}

/** The hub's time now. */
export function now(): Date {
  return current.now();
}

/** The hub's time now, in milliseconds since the epoch. */
export function nowMs(): number {
  return current.now().getTime();
}
