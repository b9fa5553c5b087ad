import { Client } from 'pg';
import { CLOCK_CHANNEL, virtualClockRows } from '@mash/platform';

/**
 * The simulator's hand on the hub's virtual clock (docs/simulation.md): it sets the time in the
 * run's database, announces it, and waits until every simulated process has read it, so nothing
 * the simulator does at a new time is seen by a process still living at the old one.
 */
export class VirtualClockController {
  private at = 0;

  private constructor(private readonly client: Client) {}

  /** Creates mash_sim in the run's database (before any service starts) and sets the first time. */
  static async create(databaseUrl: string, start: Date): Promise<VirtualClockController> {
    const client = new Client({ connectionString: databaseUrl, application_name: 'mash-simulator-clock' });
    await client.connect();
    await virtualClockRows.install(client, start);
    const c = new VirtualClockController(client);
    c.at = start.getTime();
    return c;
  }

  now(): Date {
    return new Date(this.at);
  }

  /**
   * Moves the clock forward to `to` and waits for every process in `processes` to acknowledge it.
   * Never backwards: a time already passed is refused.
   */
  async advance(to: Date, processes: readonly string[], timeoutMs = 60_000): Promise<void> {
    if (to.getTime() < this.at) throw new Error(`virtual clock cannot go back from ${this.now().toISOString()} to ${to.toISOString()}`);
    if (to.getTime() === this.at) return;
    this.at = to.getTime();
    await virtualClockRows.advance(this.client, to, CLOCK_CHANNEL);
    const deadline = Date.now() + timeoutMs;
    for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
      if ((await virtualClockRows.seenBy(this.client, processes, to)) >= processes.length) return;
      if (Date.now() > deadline) throw new Error(`processes did not read virtual time ${to.toISOString()} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
