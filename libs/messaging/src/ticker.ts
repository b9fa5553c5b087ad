import { isInfrastructureError } from './errors';
import { log } from './log';

/**
 * Runs one step of background work again and again, a pause between runs, until stopped; `stop`
 * waits for the run in flight. The work itself (timers, retention, digests, lag samples) reads and
 * writes Postgres or Kafka, so a crash loses nothing but the pause. A step may return the pause
 * before its next run (say, until the next timer is due); otherwise `everyMs` applies.
 */
export class Ticker {
  private handle?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = true;

  constructor(
    private readonly name: string,
    private readonly step: () => Promise<number | void>,
    private readonly everyMs: () => number,
  ) {}

  start(firstDelayMs = 0): void {
    this.stopped = false;
    const run = async () => {
      if (this.stopped) return;
      let pause = this.everyMs();
      this.running = this.step().then(
        (next) => {
          if (typeof next === 'number') pause = next;
        },
        (err) => log(isInfrastructureError(err) ? 'warn' : 'error', `${this.name} failed`, { error: (err as Error).message }),
      );
      await this.running;
      this.running = undefined;
      if (!this.stopped) this.handle = setTimeout(run, pause);
    };
    this.handle = setTimeout(run, firstDelayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.handle) clearTimeout(this.handle);
    await this.running;
  }
}
